// Painting a semantic mask on a 40,000 × 40,000 image in headless Chromium.
//   node bench/mask_paint.mjs            (CHROMIUM=/usr/bin/chromium by default)
// Opens bench/mask_page.ts (bench_page.mjs) and paints brush strokes of FRAMES pointer moves
// (one per frame, 8 px brush, a circle of 300 screen px) at 100 % and at fit (the whole image in
// 1280 × 800: the brush is then 400 image px wide). Prints p50/p95 of the frame interval and of
// the Stage's repaint, the commit time (runs encoded, change applied, static layer repainted)
// and the mask's chunks (128 KiB each; a full raster would be 3.2 GB).
import { loadavg } from "node:os";

import { openBenchPage, percentile } from "./bench_page.mjs";

const frames = Number(process.env.FRAMES ?? 240);
const fmt = (v) => v.toFixed(1);

const { page, close } = await openBenchPage("mask_page", { width: 1300, height: 820 });
try {
    console.log(`mask_paint: 40,000 x 40,000, ${frames} moves per stroke, 1280x800 view`);
    console.log(
        `load average ${loadavg()
            .map((l) => l.toFixed(2))
            .join(" ")}`,
    );
    // The third stroke crosses the first two: it starts from a document that already has masks.
    for (const name of ["100 %", "fit", "100 % again"]) {
        await page.evaluate((name) => {
            const s = window.tesseraBench.stage;
            if (name === "fit") {
                s.fit();
            } else {
                s.fit();
                s.zoom(1 / s.viewport.scale);
            }
        }, name);
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
        const r = await page.evaluate((n) => window.tesseraBench.stroke(n, 300), frames);
        console.log(
            `${name.padEnd(12)} frame interval ms p50 ${fmt(percentile(r.intervals, 50))} p95 ${fmt(percentile(r.intervals, 95))}; ` +
                `repaint ms p50 ${fmt(percentile(r.paints, 50))} p95 ${fmt(percentile(r.paints, 95))}; ` +
                `commit ${fmt(r.commitMs)} ms; ${r.chunks} chunks (${(r.chunks / 8).toFixed(1)} MiB)`,
        );
    }
} finally {
    await close();
}
