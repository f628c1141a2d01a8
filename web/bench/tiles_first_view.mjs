// First view of a 40,000 × 40,000 image in Chromium, through the real server binary, with the
// pyramid built ahead by the tile_pyramids job the ingest queues.
//
//   TESSERA_BIN=/path/to/tessera node bench/tiles_first_view.mjs
//   SIZE=40000 RUNS=3 TILE_IMAGE=/path/to/existing.tif (optional: skips writing the image)
//
// Writes the image with the `vips` CLI (libvips-tools): 500 full-width rows of smooth gradients
// (x mod 256, y mod 256, (x + y) / 2 mod 256, like bench/tile_bench.cpp) repeated down into a
// tiled, JPEG-compressed TIFF. Then it ingests it into a bounding-box project and reports:
//   - the job's pyramid build: finished_at - created_at of the tile_pyramids job (includes up to
//     one 500 ms job poll before the claim);
//   - per run, in a fresh browser context (cold HTTP cache, pyramid on disk): milliseconds from
//     navigation start of the drawing page to the first frame with tiles painted, and to the
//     first frame with every tile of the fit-to-window view painted.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";

import { chromium } from "playwright-core";

import { api, check, kChromium, kPassword, startServer } from "../e2e/server.mjs";

const size = Number(process.env.SIZE ?? 40000);
const runs = Number(process.env.RUNS ?? 3);
const kSeedRows = 500;

// Full-width rows repeated down: libvips copies whole rows, so writing 1.6 gigapixels takes
// seconds of compression rather than minutes of tiny copies.
function writeImage(file) {
    check(size % kSeedRows === 0, `SIZE must be a multiple of ${kSeedRows}`);
    const seed = path.join(path.dirname(file), "..", "seed.ppm");
    const px = Buffer.alloc(size * kSeedRows * 3);
    for (let y = 0; y < kSeedRows; y++) {
        for (let x = 0; x < size; x++) {
            const i = (y * size + x) * 3;
            px[i] = x % 256;
            px[i + 1] = y % 256;
            px[i + 2] = Math.floor((x + y) / 2) % 256;
        }
    }
    writeFileSync(seed, Buffer.concat([Buffer.from(`P6\n${size} ${kSeedRows}\n255\n`), px]));
    execFileSync("vips", [
        "replicate",
        seed,
        `${file}[tile,tile-width=256,tile-height=256,compression=jpeg,Q=85]`,
        "1",
        String(size / kSeedRows),
    ]);
}

async function waitForJob(page, id, kind, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const p = await api(page, "GET", `/api/v1/projects/${id}`);
        const job = p.body.jobs.find((j) => j.kind === kind);
        if (job !== undefined && (job.state === "done" || job.state === "failed")) {
            check(job.state === "done", `${kind} failed: ${job.error}`);
            return job;
        }
        check(Date.now() < deadline, `${kind} did not finish: ${JSON.stringify(p.body.jobs)}`);
        await page.waitForTimeout(250);
    }
}

/** Opens the drawing page in a fresh context; returns ms to first tiles and to a full view. */
async function firstView(browser, base, id) {
    const context = await browser.newContext({
        viewport: { width: 1920, height: 1080 },
        deviceScaleFactor: 1,
    });
    const login = await context.request.post(`${base}/api/v1/session`, {
        data: { username: "admin", password: kPassword },
    });
    check(login.ok(), `login: ${login.status()}`);
    const page = await context.newPage();
    let lease = null;
    page.on("response", async (r) => {
        if (r.url().endsWith(`/projects/${id}/next`)) {
            lease = (await r.json()).lease;
        }
    });
    await page.goto(`${base}/#/projects/${id}/label`);
    const firstTiles = await page.waitForFunction(
        () => {
            const d = document.querySelector(".stage")?.dataset;
            return Number(d?.tilesDrawn ?? 0) > 0 ? performance.now() : false;
        },
        null,
        { polling: "raf", timeout: 60_000 },
    );
    const fullView = await page.waitForFunction(
        () => {
            const d = document.querySelector(".stage")?.dataset;
            const wanted = Number(d?.tilesWanted ?? 0);
            return wanted > 0 && Number(d?.tilesDrawn) === wanted ? performance.now() : false;
        },
        null,
        { polling: "raf", timeout: 60_000 },
    );
    const state = await page.evaluate(() => ({ ...document.querySelector(".stage").dataset }));
    const out = {
        firstTilesMs: await firstTiles.jsonValue(),
        fullViewMs: await fullView.jsonValue(),
        level: Number(state.tileLevel),
        tiles: Number(state.tilesWanted),
    };
    if (lease !== null) {
        await api(page, "DELETE", `/api/v1/projects/${id}/leases/${lease}`);
    }
    await context.close();
    return out;
}

const tmp = mkdtempSync(path.join(tmpdir(), "tessera-tiles-bench-"));
const server = startServer(tmp);
let browser = null;
try {
    const dir = path.join(tmp, "images");
    mkdirSync(dir);
    const file = path.join(dir, "huge.tif");
    if (process.env.TILE_IMAGE === undefined) {
        const t0 = Date.now();
        writeImage(file);
        console.log(`wrote ${size} × ${size} TIFF in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } else {
        execFileSync("ln", ["-s", path.resolve(process.env.TILE_IMAGE), file]);
    }
    const base = `http://127.0.0.1:${await server.port}`;
    browser = await chromium.launch({
        executablePath: kChromium,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.request.post(`${base}/api/v1/session`, {
        data: { username: "admin", password: kPassword },
    });
    await page.reload();
    const created = await api(page, "POST", "/api/v1/projects", {
        name: "Tiles bench",
        task_type: "bbox",
        labels: [{ name: "Cell" }],
        instructions: { text: "", url: "" },
        datasource: { kind: "local", path: dir, pattern: "*.tif" },
    });
    check(created.status === 201, `create: ${JSON.stringify(created.body)}`);
    const id = created.body.id;
    await waitForJob(page, id, "ingest", 120_000);
    const load = loadavg()[0];
    const job = await waitForJob(page, id, "tile_pyramids", 1_800_000);
    const started = await api(page, "POST", `/api/v1/projects/${id}/start`);
    check(started.status === 200, `start: ${JSON.stringify(started.body)}`);
    console.log(
        `pyramid build in the job: ${((job.finished_at - job.created_at) / 1000).toFixed(1)} s ` +
            `(load average at its start ${load.toFixed(2)}, at its end ${loadavg()[0].toFixed(2)})`,
    );
    for (let i = 0; i < runs; i++) {
        const r = await firstView(browser, base, id);
        console.log(
            `run ${i + 1}: first tiles painted ${r.firstTilesMs.toFixed(0)} ms, ` +
                `whole view (level ${r.level}, ${r.tiles} tiles) ${r.fullViewMs.toFixed(0)} ms ` +
                `after navigation start; load average ${loadavg()[0].toFixed(2)}`,
        );
    }
} finally {
    await browser?.close();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
}
