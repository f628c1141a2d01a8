// Opens a benchmark page in headless Chromium: bundles `entry` (a .ts file next to this one)
// with Vite into a temp dir, serves it on an ephemeral port and waits until the page has set
// `window.tesseraBench`. Shared by canvas_pan.mjs and mask_paint.mjs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";
import { build } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export function percentile(values, p) {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** Returns `{ page, close }`; `name` is the entry's file name without ".ts". */
export async function openBenchPage(name, viewport) {
    const out = mkdtempSync(join(tmpdir(), `tessera-${name}-`));
    const entry = join(here, `${name}.ts`);
    await build({
        root: here,
        logLevel: "warn",
        configFile: false,
        build: {
            outDir: out,
            emptyOutDir: true,
            rollupOptions: { input: entry },
            lib: { entry, formats: ["es"], fileName: name },
        },
    });
    writeFileSync(
        join(out, "index.html"),
        `<!doctype html><html><body style="margin:0"><script type="module" src="${name}.js"></script></body></html>`,
    );
    const server = createServer((req, res) => {
        const file = (req.url ?? "/") === "/" ? "index.html" : (req.url ?? "").slice(1);
        try {
            const body = readFileSync(join(out, file.replace(/\.\./g, "")));
            const type = file.endsWith(".js") ? "text/javascript" : "text/html";
            res.writeHead(200, { "Content-Type": type }).end(body);
        } catch {
            res.writeHead(404).end();
        }
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
        args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
    });
    const close = async () => {
        await browser.close();
        server.close();
        rmSync(out, { recursive: true, force: true });
    };
    try {
        const page = await browser.newPage({ viewport });
        await page.goto(`http://127.0.0.1:${server.address().port}/`);
        await page.waitForFunction(() => "tesseraBench" in window);
        return { page, close };
    } catch (e) {
        await close();
        throw e;
    }
}
