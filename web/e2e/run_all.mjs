// Runs every end-to-end spec (`npm run e2e`), TESSERA_E2E_JOBS at a time (default: 2, or 1 on a
// one-core machine), each in its own node process. The specs are independent: each starts its
// own server in its own temp dir, and the Azurite ones name their containers by process id. A
// spec's output is printed whole when it ends, so two running at once do not interleave. Exits
// non-zero when any spec failed, after all of them ran.
//
//   TESSERA_BIN=/path/to/tessera npm run e2e
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

// The order of the old serial run: when jobs is 1 nothing changes.
const kSpecs = [
    "classification",
    "drawing",
    "prelabel",
    "tiles",
    "bigmask",
    "uploads",
    "dicom",
    "project_life",
    "manifest",
    "azure",
    "ml_assist",
];

function jobs() {
    const asked = Number.parseInt(process.env.TESSERA_E2E_JOBS ?? "", 10);
    if (Number.isInteger(asked) && asked > 0) {
        return asked;
    }
    return Math.min(2, availableParallelism());
}

/** Runs one spec; resolves with its exit code and everything it printed. */
function runSpec(name) {
    return new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(process.execPath, [path.join(here, `${name}.e2e.mjs`)], {
            stdio: ["ignore", "pipe", "pipe"],
        });
        const output = [];
        child.stdout.on("data", (chunk) => output.push(chunk));
        child.stderr.on("data", (chunk) => output.push(chunk));
        child.on("close", (code, signal) => {
            resolve({
                name,
                code: code ?? 1,
                signal,
                seconds: (Date.now() - started) / 1000,
                output: Buffer.concat(output).toString(),
            });
        });
    });
}

async function main() {
    const queue = [...kSpecs];
    const failed = [];
    async function worker() {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
            const result = await runSpec(name);
            const how = result.signal ? `signal ${result.signal}` : `exit ${result.code}`;
            const verdict = result.code === 0 && !result.signal ? "passed" : `FAILED (${how})`;
            process.stdout.write(
                `--- ${name}.e2e.mjs: ${verdict} in ${result.seconds.toFixed(1)} s\n${result.output}`,
            );
            if (verdict !== "passed") {
                failed.push(name);
            }
        }
    }
    await Promise.all(Array.from({ length: jobs() }, () => worker()));
    if (failed.length > 0) {
        console.error(
            `e2e: ${failed.length} of ${kSpecs.length} specs failed: ${failed.join(", ")}`,
        );
        process.exit(1);
    }
    console.log(`e2e: all ${kSpecs.length} specs passed`);
}

await main();
