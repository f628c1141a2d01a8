// Frame time while panning an image with 10,000 boxes, then with 2,000 polygons, in headless
// Chromium.
//   node bench/canvas_pan.mjs            (CHROMIUM=/usr/bin/chromium by default)
// Opens bench/pan_page.ts (bench_page.mjs), pans for 600 frames at a 2x zoom and prints p50/p95
// of the frame interval and of the Stage's repaint.
import { openBenchPage, percentile } from "./bench_page.mjs";

const frames = Number(process.env.FRAMES ?? 600);

const { page, close } = await openBenchPage("pan_page", { width: 1300, height: 820 });
try {
    await page.evaluate(() => window.tesseraBench.stage.zoom(2));
    const r = await page.evaluate((n) => window.tesseraBench.pan(n), frames);
    const fmt = (v) => v.toFixed(2);
    console.log(`canvas_pan: 10,000 boxes, ${frames} frames, 1280x800 view, zoom 2x`);
    console.log(
        `frame interval ms: p50 ${fmt(percentile(r.intervals, 50))}  p95 ${fmt(percentile(r.intervals, 95))}`,
    );
    console.log(
        `repaint ms:        p50 ${fmt(percentile(r.paints, 50))}  p95 ${fmt(percentile(r.paints, 95))}`,
    );
    console.log(`hit test ms:       ${r.hitMs.toFixed(4)} per click`);
    await page.evaluate(() => window.tesseraBench.stage.fit());
    const whole = await page.evaluate((n) => window.tesseraBench.pan(n), Math.min(frames, 200));
    console.log(
        `fit, all 10,000 on screen: frame interval ms p50 ${fmt(percentile(whole.intervals, 50))}  p95 ${fmt(percentile(whole.intervals, 95))}; repaint ms p50 ${fmt(percentile(whole.paints, 50))}  p95 ${fmt(percentile(whole.paints, 95))}`,
    );
    const drift = await page.evaluate(() => window.tesseraBench.scrollDrift());
    console.log(`scrolled vs full repaint: ${drift} differing pixels`);

    await page.evaluate(() => window.tesseraBench.usePolygons(2000));
    await page.evaluate(() => window.tesseraBench.stage.zoom(2));
    const poly = await page.evaluate((n) => window.tesseraBench.pan(n), frames);
    console.log(`canvas_pan: 2,000 polygons (12-48 vertices), ${frames} frames, zoom 2x`);
    console.log(
        `frame interval ms: p50 ${fmt(percentile(poly.intervals, 50))}  p95 ${fmt(percentile(poly.intervals, 95))}`,
    );
    console.log(
        `repaint ms:        p50 ${fmt(percentile(poly.paints, 50))}  p95 ${fmt(percentile(poly.paints, 95))}`,
    );
    console.log(`hit test ms:       ${poly.hitMs.toFixed(4)} per click`);
    await page.evaluate(() => window.tesseraBench.stage.fit());
    const polyWhole = await page.evaluate((n) => window.tesseraBench.pan(n), Math.min(frames, 200));
    console.log(
        `fit, all 2,000 on screen: frame interval ms p50 ${fmt(percentile(polyWhole.intervals, 50))}  p95 ${fmt(percentile(polyWhole.intervals, 95))}; repaint ms p50 ${fmt(percentile(polyWhole.paints, 50))}  p95 ${fmt(percentile(polyWhole.paints, 95))}`,
    );
} finally {
    await close();
}
