// Starts the real server binary on an ephemeral port for an e2e test (same flags as the
// classification e2e): resolves `port` once it logs "msg=listening".
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

// Default: this checkout's dev build (web/e2e -> repository root -> build/dev/...).
export const kBin =
    process.env.TESSERA_BIN ??
    path.resolve(
        path.dirname(fileURLToPath(import.meta.url)),
        "../../build/dev/server/src/app/tessera",
    );
export const kChromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const kPassword = "e2e-Admin-password-1";
export const kTimeoutMs = 20_000;

export function startServer(tmp) {
    const dataDir = path.join(tmp, "data");
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(kBin)) {
        throw new Error(`server binary not found at ${kBin} (set TESSERA_BIN)`);
    }
    const args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir];
    args.push("--db", path.join(dataDir, "tessera.db"), "--allowed-root", tmp);
    const child = spawn(kBin, args, {
        env: { ...process.env, TESSERA_ADMIN_PASSWORD: kPassword },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    const port = new Promise((resolve, reject) => {
        const timer = setTimeout(
            () => reject(new Error(`server did not report listening:\n${log}`)),
            kTimeoutMs,
        );
        const onData = (buf) => {
            log += buf.toString();
            for (const line of log.split("\n")) {
                const m = /address=127\.0\.0\.1:(\d+)/.exec(line);
                if (line.includes("msg=listening") && m !== null) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                }
            }
        };
        child.stderr.on("data", onData);
        child.stdout.on("data", onData);
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`server exited with ${code}:\n${log}`));
        });
    });
    const stop = async () => {
        child.kill("SIGTERM");
        await new Promise((r) => {
            if (child.exitCode !== null) {
                r();
            } else {
                child.once("exit", r);
                setTimeout(r, 5000);
            }
        });
    };
    return { child, port, log: () => log, stop };
}

/**
 * One API call from the signed-in page (session cookie + CSRF token). An object `body` is sent
 * as JSON, a string as is (an import upload). The answer is parsed as JSON when it is JSON.
 */
export async function api(page, method, url, body) {
    return page.evaluate(
        async ({ method, url, body }) => {
            const s = await (await fetch("/api/v1/session")).json();
            const raw = typeof body === "string";
            const res = await fetch(url, {
                method,
                headers: {
                    "Content-Type": raw ? "application/octet-stream" : "application/json",
                    "X-CSRF-Token": s.csrf_token,
                },
                body: body === undefined || raw ? body : JSON.stringify(body),
            });
            const text = await res.text();
            try {
                return { status: res.status, body: text === "" ? null : JSON.parse(text) };
            } catch {
                return { status: res.status, body: text };
            }
        },
        { method, url, body },
    );
}

/** Debian's Chromium, headless, with the flags it needs as root on these machines. */
export function launchChromium(extraArgs = []) {
    return chromium.launch({
        executablePath: kChromium,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", ...extraArgs],
    });
}

/** Signs in as the admin from the login page and waits for the project list. */
export async function signIn(page, base) {
    await page.goto(`${base}/`);
    await page.locator("#login-user").fill("admin");
    await page.locator("#login-pass").fill(kPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Projects" }).waitFor({ timeout: kTimeoutMs });
}

/** Polls the project until its ingest job is done; returns the project as it then reads. */
export async function waitForIngest(page, id, tries = 150) {
    for (let i = 0; ; i++) {
        const p = await api(page, "GET", `/api/v1/projects/${id}`);
        if (p.body.jobs.find((j) => j.kind === "ingest")?.state === "done") {
            return p.body;
        }
        check(i < tries, `ingest did not finish: ${JSON.stringify(p.body.jobs)}`);
        await page.waitForTimeout(200);
    }
}

/** The drawing stage's place on the page and the view, tile and mask state it exposes. */
export async function stageState(page) {
    return page.evaluate(() => {
        const el = document.querySelector(".stage");
        const d = el?.dataset ?? {};
        const r = el?.getBoundingClientRect();
        return {
            left: r?.left ?? 0,
            top: r?.top ?? 0,
            width: r?.width ?? 0,
            height: r?.height ?? 0,
            scale: Number(d.scale ?? 0),
            offsetX: Number(d.offsetX ?? 0),
            offsetY: Number(d.offsetY ?? 0),
            level: Number(d.tileLevel ?? -1),
            wanted: Number(d.tilesWanted ?? 0),
            drawn: Number(d.tilesDrawn ?? 0),
            chunks: Number(d.maskChunks ?? -1),
            rendered: Number(d.maskTilesRendered ?? 0),
        };
    });
}

/** The drawing page asks before Submit and Skip; `choice` is the button to press. */
export async function answerDialog(page, question, choice) {
    const dialog = page.getByRole("dialog", { name: question });
    await dialog.waitFor({ timeout: kTimeoutMs });
    await dialog.getByRole("button", { name: choice, exact: true }).click();
    await dialog.waitFor({ state: "hidden", timeout: kTimeoutMs });
}

export function check(cond, message) {
    if (!cond) {
        throw new Error(message);
    }
}

/**
 * Starts the server in `tmp`, signs the admin in on a fresh page of the given viewport and runs
 * `body({ page, base, errors })`, where `errors` collects the page's uncaught errors; the browser
 * is closed and the server stopped however the body ends.
 */
export async function withSignedInPage(tmp, viewport, body) {
    const server = startServer(tmp);
    let browser = null;
    try {
        const base = `http://127.0.0.1:${await server.port}`;
        browser = await launchChromium();
        const page = await browser.newPage({ viewport });
        const errors = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await signIn(page, base);
        await body({ page, base, errors });
    } finally {
        await browser?.close();
        await server.stop();
    }
}

/** Runs one e2e test in a fresh temp dir and prints the closing line the test runner reads. */
export async function runInTempDir(prefix, run) {
    const tmp = mkdtempSync(path.join(tmpdir(), prefix));
    try {
        await run(tmp);
        console.log("1 passed, 0 failed");
    } catch (e) {
        console.error(`FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        console.log("0 passed, 1 failed");
        process.exitCode = 1;
    } finally {
        rmSync(tmp, { recursive: true, force: true });
    }
}
