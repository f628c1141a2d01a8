// Frame time while panning an image with 10,000 boxes, in headless Chromium.
//   node bench/canvas_pan.mjs            (CHROMIUM=/usr/bin/chromium by default)
// Bundles bench/pan_page.ts with Vite into a temp dir, serves it on an ephemeral port, pans for
// 600 frames at a 2x zoom and prints p50/p95 of the frame interval and of the Stage's repaint.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";
import { build } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "tessera-pan-"));
const frames = Number(process.env.FRAMES ?? 600);

function percentile(values, p) {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

await build({
    root: here,
    logLevel: "warn",
    configFile: false,
    build: {
        outDir: out,
        emptyOutDir: true,
        rollupOptions: { input: join(here, "pan_page.ts") },
        lib: { entry: join(here, "pan_page.ts"), formats: ["es"], fileName: "pan_page" },
    },
});
writeFileSync(
    join(out, "index.html"),
    '<!doctype html><html><body style="margin:0"><script type="module" src="pan_page.js"></script></body></html>',
);
const server = createServer((req, res) => {
    const name = (req.url ?? "/") === "/" ? "index.html" : (req.url ?? "").slice(1);
    try {
        const body = readFileSync(join(out, name.replace(/\.\./g, "")));
        const type = name.endsWith(".js") ? "text/javascript" : "text/html";
        res.writeHead(200, { "Content-Type": type }).end(body);
    } catch {
        res.writeHead(404).end();
    }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;

const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
});
try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 820 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => "tesseraBench" in window);
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
} finally {
    await browser.close();
    server.close();
    rmSync(out, { recursive: true, force: true });
}
