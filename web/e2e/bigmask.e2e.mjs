// End-to-end test of a semantic mask on a gigapixel image, with the real server binary and
// headless Chromium: a 40,000 × 40,000 TIFF (1.6 gigapixels, written at test time with the `vips`
// CLI, package libvips-tools; a black image compresses to a few MB and takes seconds) in a
// semantic segmentation project. The page zooms to 100 % (painting does not wait for the tile
// pyramid: strokes are in image pixels either way), paints a brush stroke, erases a piece of it,
// and submits. The browser must hold the mask in a handful of 256 × 256 chunks (a full raster
// would be 3.2 GB), draw it on the static layer, and the server must store runs covering the
// stroke minus the erased piece and nothing else.
//
//   TESSERA_BIN=/path/to/tessera node e2e/bigmask.e2e.mjs
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
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

const kSide = 40_000;
/** The page's default brush: 8 screen pixels, so 8 image pixels at 100 %. */
const kRadius = 8;

async function createProject(page, dir) {
    const r = await api(page, "POST", "/api/v1/projects", {
        name: "Gigapixel masks",
        task_type: "semantic",
        labels: [{ name: "Tissue" }, { name: "Background" }],
        instructions: { text: "", url: "" },
        datasource: { kind: "local", path: dir, pattern: "*.tif" },
    });
    check(r.status === 201, `create: ${JSON.stringify(r.body)}`);
    const id = r.body.id;
    await waitForIngest(page, id);
    const started = await api(page, "POST", `/api/v1/projects/${id}/start`);
    check(started.status === 200, `start: ${JSON.stringify(started.body)}`);
    return id;
}

/** Alpha of the static layer (committed masks) at a page position. */
async function maskAlpha(page, x, y) {
    return page.evaluate(
        ([x, y]) => {
            const canvas = document.querySelector(".stage-static");
            const r = canvas.getBoundingClientRect();
            const px = canvas
                .getContext("2d")
                .getImageData(Math.round(x - r.left), Math.round(y - r.top), 1, 1).data;
            return px[3];
        },
        [x, y],
    );
}

async function stroke(page, from, to) {
    await page.mouse.move(...from);
    await page.mouse.down();
    await page.mouse.move(...to, { steps: 8 });
    await page.mouse.up();
}

/** Distance from p to the segment a–b. */
function toSegment(p, a, b) {
    const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
    const len2 = dx * dx + dy * dy;
    const t =
        len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
    return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

async function run(tmp) {
    const dir = path.join(tmp, "slides");
    mkdirSync(dir);
    const t0 = Date.now();
    execFileSync("vips", [
        "black",
        `${path.join(dir, "slide.tif")}[tile,compression=deflate]`,
        String(kSide),
        String(kSide),
    ]);
    console.log(`wrote ${kSide} × ${kSide} TIFF in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const server = startServer(tmp);
    let browser = null;
    try {
        const base = `http://127.0.0.1:${await server.port}`;
        browser = await launchChromium();
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
        check(title.includes(`${kSide} × ${kSide}`), `title ${title}`);

        // Zoom to 100 % around the centre (the wheel zooms by exp(-deltaY * 0.0015)).
        let s = await stageState(page);
        const cx = s.left + s.width / 2;
        const cy = s.top + s.height / 2;
        await page.mouse.move(cx, cy);
        await page.mouse.wheel(0, Math.log(s.scale) / 0.0015);
        await page.waitForFunction(
            () => Math.abs(Number(document.querySelector(".stage")?.dataset.scale) - 1) < 0.01,
            null,
            { timeout: kTimeoutMs },
        );
        s = await stageState(page);
        const toImage = ([x, y]) => [
            (x - s.left - s.offsetX) / s.scale,
            (y - s.top - s.offsetY) / s.scale,
        ];

        // Label 1 (Tissue) is picked by default; press it anyway, then brush and eraser.
        const a = [cx - 150, cy];
        const b = [cx + 150, cy];
        const ea = [cx - 20, cy];
        const eb = [cx + 20, cy];
        await page.keyboard.press("1");
        await page.keyboard.press("b");
        await stroke(page, a, b);
        await page.waitForFunction(
            () => document.querySelectorAll(".shape-row").length === 1,
            null,
            { timeout: kTimeoutMs },
        );
        await page.keyboard.press("e");
        await stroke(page, ea, eb);
        await page.waitForFunction(
            (before) =>
                Number(document.querySelector(".stage")?.dataset.maskTilesRendered) > before,
            s.rendered,
            { timeout: kTimeoutMs },
        );
        // The static layer shows the stroke and the erased gap.
        await page.waitForTimeout(100);
        const painted = await maskAlpha(page, cx - 100, cy);
        const gap = await maskAlpha(page, cx, cy);
        const outside = await maskAlpha(page, cx, cy + 60);
        check(painted > 0 && gap === 0 && outside === 0, `alpha ${painted}/${gap}/${outside}`);
        const state = await stageState(page);
        // The stroke is 316 × 16 image pixels around the image's centre (20,000 is not a chunk
        // border: 78 × 256 = 19,968), so one to four chunks of 128 KiB, not 3.2 GB.
        check(
            state.chunks >= 1 && state.chunks <= 4,
            `mask chunks in the browser: ${state.chunks}`,
        );
        console.log(
            `browser mask: ${state.chunks} chunks (${state.chunks * 128} KiB), ` +
                `${state.rendered} tile renders`,
        );

        await page.getByRole("button", { name: "Submit" }).click();
        await answerDialog(page, "Submit this image?", "Submit");
        await page.getByRole("heading", { name: "All done" }).waitFor({ timeout: kTimeoutMs });

        const history = await api(page, "GET", `/api/v1/projects/${id}/history?limit=1`);
        check(history.status === 200 && history.body.items.length === 1, "no history");
        const item = history.body.items[0].item.id;
        const stored = await api(page, "GET", `/api/v1/projects/${id}/items/${item}/annotation`);
        const masks = stored.body.shapes ?? [];
        check(
            masks.length === 1 && masks[0].type === "mask" && masks[0].label === "Tissue",
            `stored ${JSON.stringify(masks).slice(0, 300)}`,
        );
        const [ia, ib, iea, ieb] = [a, b, ea, eb].map(toImage);
        const rle = masks[0].rle;
        let count = 0;
        for (let k = 0; k + 1 < rle.length; k += 2) {
            for (let i = rle[k]; i < rle[k] + rle[k + 1]; i++) {
                const p = [(i % kSide) + 0.5, Math.floor(i / kSide) + 0.5];
                // Inside the brushed capsule, outside the erased one (a pixel of slack for the
                // pointer's rounding to CSS pixels).
                check(toSegment(p, ia, ib) <= kRadius + 1, `pixel ${p} is outside the stroke`);
                check(toSegment(p, iea, ieb) > kRadius - 1, `pixel ${p} was erased`);
                count++;
            }
        }
        const capsule = (len) => 2 * kRadius * len + Math.PI * kRadius * kRadius;
        const expected = capsule(300) - capsule(40);
        check(
            Math.abs(count - expected) < 0.1 * expected,
            `stored ${count} px, expected about ${Math.round(expected)}`,
        );
        console.log(
            `stored mask: ${rle.length / 2} runs, ${count} px (about ${Math.round(expected)})`,
        );
        check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    } finally {
        await browser?.close();
        await server.stop();
        const child = server.child;
        if (child.exitCode === null && child.signalCode === null) {
            // stop() gives up after 5 s. A display rendition of the 40,000² image still being
            // rendered holds the server's shutdown for tens of seconds; the temp dir cannot be
            // removed while it writes there.
            console.log("server still running 5 s after SIGTERM: SIGKILL");
            const exited = new Promise((r) => child.once("exit", r));
            child.kill("SIGKILL");
            await exited;
        }
    }
}

await runInTempDir("tessera-e2e-bigmask-", run);
