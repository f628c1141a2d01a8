#!/usr/bin/env node
// Ingest of N blobs from Azurite through the real `tessera serve` (issue 9's benchmark: items
// per second, against Azure's 20 per second), then two refreshes of the same project (nothing
// changed; 1,000 new blobs). Uploads N small real JPEGs and PNGs (eight variants made with the
// `vips` command, 0.8-1.6 KB) with Microsoft's @azure/storage-blob client (from web/node_modules)
// and a bounded number of uploads in flight, into folders of 1,000. Prints a header (date, load
// averages, build) and one line per phase.
//
//   node bench/azure_ingest_bench.mjs --bin build/release/server/src/app/tessera
//        [--blobs 100000] [--concurrency 64] [--azurite URL] [--pg URL] [--new 1000]
//        [--container NAME] [--upload 0] [--ingest 0]
//
// Without --azurite it starts its own (scripts/azurite.sh, blobs in memory) and stops it at the
// end. `--upload 0` with `--container` reuses blobs uploaded by an earlier run against the same
// --azurite; `--ingest 0` only uploads (`--bin` is still required). The project is created over HTTP with the account key; the ingest time is from the POST
// to the ingest job's `done` as the API reports it (the project is ready to label then).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { parseOptions, session, startServer } from "./bench_server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const webRequire = createRequire(path.join(root, "web", "package.json"));
const { BlobServiceClient, StorageSharedKeyCredential } = webRequire("@azure/storage-blob");

const kAccount = "devstoreaccount1";
const kKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const kPerFolder = 1000;

function options() {
    return parseOptions(
        {
            blobs: 100000,
            concurrency: 64,
            azurite: "",
            pg: "",
            bin: "",
            new: 1000,
            container: `bench-${process.pid}`,
            upload: 1,
            ingest: 1,
        },
        "azure_ingest_bench.mjs --bin PATH/TO/tessera [--blobs N] ...",
    );
}

const load = () =>
    loadavg()
        .map((x) => x.toFixed(2))
        .join(" ");

// Eight small real images: JPEG noise and black frames of a few sizes, and two PNGs.
function variants(dir) {
    const specs = [
        ["gaussnoise", "a.jpg[Q=70]", 64, 48],
        ["gaussnoise", "b.jpg[Q=70]", 80, 60],
        ["gaussnoise", "c.jpg[Q=50]", 100, 75],
        ["black", "d.jpg", 200, 150, "--bands", "3"],
        ["black", "e.jpg", 120, 90, "--bands", "3"],
        ["gaussnoise", "f.jpg[Q=40]", 48, 64],
        ["gaussnoise", "g.png", 40, 30],
        ["black", "h.png", 90, 60],
    ];
    return specs.map(([op, file, w, h, ...rest]) => {
        const out = path.join(dir, file);
        execFileSync("vips", [op, out, String(w), String(h), ...rest]);
        const name = file.replace(/\[.*$/, "");
        return {
            ext: path.extname(name),
            bytes: readFileSync(path.join(dir, name)),
        };
    });
}

async function upload(container, images, from, count, concurrency, prefix) {
    let next = from;
    const end = from + count;
    async function worker() {
        while (next < end) {
            const i = next++;
            const image = images[i % images.length];
            const name = `${prefix}d${Math.floor(i / kPerFolder)}/img${i}${image.ext}`;
            await container.getBlockBlobClient(name).uploadData(image.bytes);
        }
    }
    await Promise.all(Array.from({ length: concurrency }, worker));
}

// Polls until the project's newest job of `kind` has finished; returns the project.
async function waitForJob(api, id, kind, jobId) {
    for (;;) {
        const p = (await api("GET", `/api/v1/projects/${id}`)).body;
        const job = p.jobs.find((j) => j.kind === kind && (jobId === undefined || j.id === jobId));
        if (job?.state === "done") {
            return p;
        }
        if (job?.state === "failed") {
            throw new Error(`${kind} failed: ${job.error}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

async function timedRefresh(api, id, what, expectTotal) {
    const start = performance.now();
    const queued = await api("POST", `/api/v1/projects/${id}/refresh`);
    const p = await waitForJob(api, id, "refresh", queued.body.job.id);
    const seconds = (performance.now() - start) / 1000;
    if (p.progress.total !== expectTotal) {
        throw new Error(`refresh (${what}): total ${p.progress.total}, expected ${expectTotal}`);
    }
    console.log(`refresh ${what}: ${seconds.toFixed(2)} s (load ${load()})`);
}

async function main() {
    const o = options();
    const work = mkdtempSync(path.join(tmpdir(), "tessera-azure-bench-"));
    let azuriteDir = "";
    let server = null;
    try {
        let endpoint = o.azurite;
        if (endpoint === "") {
            azuriteDir = path.join(work, "azurite");
            endpoint = execFileSync(path.join(root, "scripts/azurite.sh"), ["start", azuriteDir], {
                encoding: "utf8",
            }).trim();
        }
        const bin = path.resolve(o.bin);
        console.log(`# date: ${new Date().toISOString()}`);
        console.log(`# cpu: ${cpus().length} cores, ${cpus()[0]?.model ?? "?"}`);
        console.log(
            `# build: ${bin} ${execFileSync(bin, ["--version"], { encoding: "utf8" }).trim()}`,
        );
        console.log(
            `# commit: ${execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim()}`,
        );
        console.log(
            `# database: ${o.pg === "" ? "sqlite" : "postgresql"}; blobs=${o.blobs} concurrency=${o.concurrency}`,
        );

        const images = variants(work);
        const service = new BlobServiceClient(
            endpoint,
            new StorageSharedKeyCredential(kAccount, kKey),
        );
        const container = service.getContainerClient(o.container);
        await container.createIfNotExists();
        let start = performance.now();
        let seconds = 0;
        if (o.upload !== 0) {
            console.log(`# upload start: load average ${load()}`);
            await upload(container, images, 0, o.blobs, o.concurrency, "");
            seconds = (performance.now() - start) / 1000;
            console.log(
                `upload: ${o.blobs} blobs in ${seconds.toFixed(1)} s, ${(o.blobs / seconds).toFixed(0)} blobs/s`,
            );
        }
        if (o.ingest === 0) {
            return;
        }

        server = startServer(bin, work, o.pg);
        const base = `http://127.0.0.1:${await server.port}`;
        const api = await session(base);
        console.log(`# ingest start: load average ${load()}`);
        start = performance.now();
        const created = await api("POST", "/api/v1/projects", {
            name: "Azure bench",
            task_type: "multiclass",
            labels: [{ name: "A" }, { name: "B" }],
            instructions: { text: "", url: "" },
            datasource: {
                kind: "azure_blob",
                account_url: endpoint,
                container: container.containerName,
                pattern: "**/*.*",
                account_key: kKey,
            },
            item_limit: 10_000_000,
        });
        if (created.status !== 201) {
            throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
        }
        const id = created.body.id;
        let p = await waitForJob(api, id, "ingest");
        seconds = (performance.now() - start) / 1000;
        const job = p.jobs.find((j) => j.kind === "ingest");
        const jobSeconds = (job.finished_at - job.created_at) / 1000;
        // A reused container also holds the new blobs of earlier runs.
        const ingested = p.progress.total;
        if (ingested < o.blobs || p.progress.error !== 0) {
            throw new Error(`ingest: ${JSON.stringify(p.progress)}`);
        }
        console.log(
            `ingest: ${ingested} blobs ready in ${seconds.toFixed(1)} s, ${(ingested / seconds).toFixed(0)} items/s ` +
                `(job ${jobSeconds.toFixed(1)} s; load ${load()})`,
        );
        const probed = /msg="?ingest probed"?.*$/m.exec(server.log());
        if (probed !== null) {
            console.log(`# ${probed[0]}`);
        }

        await timedRefresh(api, id, "with nothing changed", ingested);
        await upload(container, images, o.blobs, o.new, o.concurrency, `new-${process.pid}/`);
        await timedRefresh(api, id, `finding ${o.new} new blobs`, ingested + o.new);
        p = (await api("GET", `/api/v1/projects/${id}`)).body;
        console.log(`# done: ${p.progress.total} items; load average ${load()}`);
    } finally {
        if (server !== null) {
            server.child.kill("SIGTERM");
        }
        if (azuriteDir !== "") {
            execFileSync(path.join(root, "scripts/azurite.sh"), ["stop", azuriteDir]);
        }
        rmSync(work, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(`azure_ingest_bench: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
    process.exitCode = 1;
});
