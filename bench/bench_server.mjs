// What the Node benchmarks share: the real `tessera serve` started in a work folder on port 0,
// and a signed-in API caller (session cookie and CSRF token).
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

export const kPassword = "bench-Admin-password-1";

/** Starts `bin serve` with its data in `work`/data (SQLite there unless `db` names one). */
export function startServer(bin, work, db = "") {
    const data = path.join(work, "data");
    mkdirSync(data, { recursive: true });
    const args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--allowed-root", work];
    args.push("--db", db === "" ? path.join(data, "tessera.db") : db);
    const child = spawn(bin, args, {
        env: { ...process.env, TESSERA_ADMIN_PASSWORD: kPassword },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    const port = new Promise((resolve, reject) => {
        const onData = (buf) => {
            log += buf.toString();
            const m = /msg=listening.*address=127\.0\.0\.1:(\d+)/.exec(log);
            if (m !== null) {
                resolve(Number(m[1]));
            }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
    });
    return { child, port, log: () => log };
}

/**
 * Signs the admin in; returns `api(method, url, body)` → `{status, body}` (JSON parsed), with
 * `api.headers` (the session cookie and CSRF token) for requests of other bodies.
 */
export async function session(base) {
    const r = await fetch(`${base}/api/v1/session`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "admin", password: kPassword }),
    });
    if (r.status !== 200) {
        throw new Error(`login: ${r.status} ${await r.text()}`);
    }
    const cookie = r.headers.get("set-cookie").split(";")[0];
    const { csrf_token: csrf } = await r.json();
    const call = async (method, url, body) => {
        const res = await fetch(`${base}${url}`, {
            method,
            headers: {
                Cookie: cookie,
                "X-CSRF-Token": csrf,
                "Content-Type": "application/json",
            },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, body: text === "" ? null : JSON.parse(text) };
    };
    call.headers = { Cookie: cookie, "X-CSRF-Token": csrf };
    return call;
}

/** Polls `probe` until it returns something other than undefined; throws after `timeoutMs`. */
export async function waitFor(what, probe, timeoutMs = 3_600_000) {
    const started = Date.now();
    for (;;) {
        const value = await probe();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() - started > timeoutMs) {
            throw new Error(`${what} did not happen in ${timeoutMs / 1000} s`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
}

/**
 * Creates a project of `taskType` with `classes` over the local folder `dir` (files matching
 * `pattern`) through `api` (session's), waits for its ingest and returns its id.
 */
export async function createIngestedProject(api, { name, taskType, classes, dir, pattern }) {
    const created = await api("POST", "/api/v1/projects", {
        name,
        task_type: taskType,
        labels: classes.map((c) => ({ name: c })),
        instructions: { text: "", url: "" },
        datasource: { kind: "local", path: dir, pattern },
    });
    if (created.status !== 201) {
        throw new Error(`create: ${JSON.stringify(created.body)}`);
    }
    const id = created.body.id;
    await waitFor("ingest", async () => {
        const p = await api("GET", `/api/v1/projects/${id}`);
        return p.body.jobs.length > 0 && p.body.jobs.every((j) => j.state === "done")
            ? true
            : undefined;
    });
    return id;
}

/**
 * `--name value` pairs from the command line over `defaults` (numbers stay numbers); an unknown
 * or incomplete option, or a missing `--bin`, throws with `usage`.
 */
export function parseOptions(defaults, usage) {
    const out = { ...defaults };
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i += 2) {
        const name = argv[i].replace(/^--/, "");
        if (!(name in out) || argv[i + 1] === undefined) {
            throw new Error(`unknown or incomplete option ${argv[i]}`);
        }
        out[name] = typeof out[name] === "number" ? Number(argv[i + 1]) : argv[i + 1];
    }
    if (out.bin === "") {
        throw new Error(`usage: ${usage}`);
    }
    return out;
}
