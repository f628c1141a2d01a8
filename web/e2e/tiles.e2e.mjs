// End-to-end test of a huge image through the tile pyramid, with the real server binary and
// headless Chromium: a 12,000 × 9,000 TIFF (made at test time with the `vips` CLI, package
// libvips-tools) is ingested into a bounding-box project, whose ingest queues the pyramid job.
// The drawing page opens it (over the "Preparing…" preview while the job still builds), swaps
// to tiles, zooms to 100 % and must draw full-resolution tiles: the image is 1-pixel vertical
// stripes, which only level 0 shows (every coarser level averages them to grey). A box drawn
// there is submitted and must be stored in full-image pixels.
//
//   TESSERA_BIN=/path/to/tessera node e2e/tiles.e2e.mjs
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import {
    api,
    answerDialog,
    check,
    launchChromium,
    signIn,
    kTimeoutMs,
    runInTempDir,
    stageState,
    startServer,
    waitForIngest,
} from "./server.mjs";

const kW = 12000;
const kH = 9000;
// The pyramid build of 108 megapixels takes seconds; allow for a busy machine.
const kBuildTimeoutMs = 120_000;

/**
 * Black and white 1-pixel columns: ten full-width rows as a grey PGM, repeated down by libvips
 * into a tiled TIFF (whole rows copy fast; a 2 × 1 seed would take a minute).
 */
function writeStripes(file) {
    const seed = path.join(path.dirname(file), "..", "seed.pgm");
    const row = Buffer.alloc(kW);
    for (let x = 1; x < kW; x += 2) {
        row[x] = 255;
    }
    const rows = Buffer.concat(Array.from({ length: 10 }, () => row));
    writeFileSync(seed, Buffer.concat([Buffer.from(`P5\n${kW} 10\n255\n`), rows]));
    execFileSync("vips", [
        "replicate",
        seed,
        `${file}[tile,compression=deflate]`,
        "1",
        String(kH / 10),
    ]);
}

async function createProject(page, dir) {
    const r = await api(page, "POST", "/api/v1/projects", {
        name: "Huge slide",
        task_type: "bbox",
        labels: [{ name: "Cell" }],
        instructions: { text: "", url: "" },
        datasource: { kind: "local", path: dir, pattern: "*.tif" },
    });
    check(r.status === 201, `create: ${JSON.stringify(r.body)}`);
    const id = r.body.id;
    // Only the ingest: the pyramid job it queues may still be running when the page opens.
    const project = await waitForIngest(page, id, 100);
    check(
        project.jobs.some((j) => j.kind === "tile_pyramids"),
        `no tile_pyramids job queued: ${JSON.stringify(project.jobs)}`,
    );
    const started = await api(page, "POST", `/api/v1/projects/${id}/start`);
    check(started.status === 200, `start: ${JSON.stringify(started.body)}`);
    return id;
}

/** Mean absolute difference of horizontally neighbouring pixels in a strip of the image layer. */
async function stripeContrast(page) {
    return page.evaluate(() => {
        const canvas = document.querySelector(".stage-image");
        const ctx = canvas.getContext("2d");
        const y = Math.floor(canvas.height / 2);
        const x0 = Math.floor(canvas.width / 2) - 100;
        const px = ctx.getImageData(x0, y, 200, 1).data;
        let sum = 0;
        for (let i = 4; i < px.length; i += 4) {
            sum += Math.abs(px[i] - px[i - 4]);
        }
        return sum / (px.length / 4 - 1);
    });
}

async function run(tmp) {
    const dir = path.join(tmp, "slides");
    mkdirSync(dir);
    const t0 = Date.now();
    writeStripes(path.join(dir, "huge.tif"));
    console.log(`wrote ${kW} × ${kH} TIFF in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const server = startServer(tmp);
    let browser = null;
    try {
        const base = `http://127.0.0.1:${await server.port}`;
        browser = await launchChromium();
        // One device pixel per CSS pixel: at 100 % one image pixel is one canvas pixel.
        const page = await browser.newPage({
            viewport: { width: 1400, height: 900 },
            deviceScaleFactor: 1,
        });
        const errors = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await signIn(page, base);
        const id = await createProject(page, dir);

        await page.goto(`${base}/#/projects/${id}/label`);
        await page.locator(".stage").waitFor({ timeout: kTimeoutMs });
        const title = await page.locator(".toolbar .muted").innerText();
        check(title.includes(`${kW} × ${kH}`), `title ${title}`);
        // Either the job has finished (tiles at once) or the page shows the preview with the
        // build's progress and swaps to tiles when it is done. Both end on the tile layer.
        const notice = page.locator(".stage-preparing");
        const preparing = (await notice.isVisible()) ? await notice.innerText() : null;
        if (preparing !== null) {
            check(
                /^Preparing the full-resolution image… \d+ %$/.test(preparing),
                `preparing notice: ${preparing}`,
            );
        }
        await page.waitForFunction(
            () => Number(document.querySelector(".stage")?.dataset.tileLevel ?? -1) >= 0,
            null,
            { timeout: kBuildTimeoutMs },
        );
        check(!(await notice.isVisible()), "the preparing notice stayed after the swap");
        console.log(
            preparing === null
                ? "tiles were ready when the page opened"
                : `page opened while the pyramid was built ("${preparing}")`,
        );

        // Zoom to exactly 100 % around the centre: the wheel zooms by exp(-deltaY * 0.0015).
        let s = await stageState(page);
        const cx = s.left + s.width / 2;
        const cy = s.top + s.height / 2;
        await page.mouse.move(cx, cy);
        await page.mouse.wheel(0, Math.log(s.scale) / 0.0015);
        await page.waitForFunction(
            () => {
                const d = document.querySelector(".stage")?.dataset ?? {};
                return (
                    Math.abs(Number(d.scale) - 1) < 0.01 &&
                    d.tileLevel === "0" &&
                    Number(d.tilesWanted) > 0 &&
                    d.tilesDrawn === d.tilesWanted
                );
            },
            null,
            { timeout: kTimeoutMs },
        );
        s = await stageState(page);
        const contrast = await stripeContrast(page);
        console.log(
            `100 %: level ${s.level}, ${s.drawn}/${s.wanted} tiles drawn, stripe contrast ${contrast.toFixed(0)}`,
        );
        // Level 0 keeps the 1-pixel stripes (JPEG softens them to a contrast above 100); every
        // coarser level averages them to flat grey (contrast near 0).
        check(contrast > 60, `full-resolution stripes not on screen (contrast ${contrast})`);

        // A box at 100 %: screen pixels map 1:1 to image pixels around the view's centre.
        const toImage = (x, y) => [
            (x - s.left - s.offsetX) / s.scale,
            (y - s.top - s.offsetY) / s.scale,
        ];
        const from = [cx - 120, cy - 80];
        const to = [cx + 80, cy + 70];
        await page.keyboard.press("r");
        await page.mouse.move(...from);
        await page.mouse.down();
        await page.mouse.move(cx, cy, { steps: 3 });
        await page.mouse.move(...to, { steps: 3 });
        await page.mouse.up();
        await page.waitForFunction(
            () => document.querySelectorAll(".shape-row").length === 1,
            null,
            {
                timeout: kTimeoutMs,
            },
        );
        await page.getByRole("button", { name: "Submit" }).click();
        await answerDialog(page, "Submit this image?", "Submit");
        await page.getByRole("heading", { name: "All done" }).waitFor({ timeout: kTimeoutMs });

        const history = await api(page, "GET", `/api/v1/projects/${id}/history?limit=1`);
        check(history.status === 200 && history.body.items.length === 1, "no history");
        const item = history.body.items[0].item.id;
        const stored = await api(page, "GET", `/api/v1/projects/${id}/items/${item}/annotation`);
        const box = stored.body.shapes?.[0];
        const [x0, y0] = toImage(...from);
        const [x1, y1] = toImage(...to);
        check(
            box !== undefined &&
                Math.abs(box.x - x0) < 2 &&
                Math.abs(box.y - y0) < 2 &&
                Math.abs(box.w - (x1 - x0)) < 2 &&
                Math.abs(box.h - (y1 - y0)) < 2,
            `stored box ${JSON.stringify(box)}, expected ${[x0, y0, x1 - x0, y1 - y0].map(Math.round)}`,
        );
        // Around the centre of a 12,000-pixel-wide image: full-image pixels, not a rendition's.
        check(box.x > 5000 && box.x < 7000, `box x ${box.x} is not in full-image pixels`);
        console.log(
            `stored box ${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.w)}×${Math.round(box.h)}`,
        );
        check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    } finally {
        await browser?.close();
        await server.stop();
    }
}

await runInTempDir("tessera-e2e-tiles-", run);
