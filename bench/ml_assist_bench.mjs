#!/usr/bin/env node
// ML assist's quality bars (issue 10; docs/PERFORMANCE.md, "ML assist"): a simulated labeler
// works a Fashion-MNIST project through the API of the real `tessera serve`, in queue order:
// items without a prelabel get the true class; prelabeled items are accepted when right and
// fixed when wrong. At each checkpoint (human labels submitted so far) a round is started and
// timed, and the bench reports the share of the remaining items the model prelabeled, the
// precision of all those prelabels (each read back through the API and compared with the truth),
// and the precision of the prelabels the labeler was then shown on the next pages.
//
//   node bench/ml_assist_bench.mjs --bin build/rel/server/src/app/tessera
//        [--items 10000] [--checkpoints 300,1000,3000] [--probe 270] [--target 0.95]
//
// Images: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), the first --items
// of its training set, written as 28 x 28 PNGs. Needs the package installed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";

import { rgbPng } from "../web/e2e/png.mjs";
import {
    createIngestedProject,
    parseOptions,
    session,
    startServer,
    waitFor,
} from "./bench_server.mjs";

const kDataset = "/usr/share/datasets/fashion-mnist";
// Fashion-MNIST's classes, in label order ('/' is not allowed in a class name).
const kClasses = [
    "T-shirt or top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

function options() {
    const out = parseOptions(
        { bin: "", items: 10000, checkpoints: "300,1000,3000", probe: 270, target: 0.95 },
        "ml_assist_bench.mjs --bin PATH/TO/tessera [--items N] ...",
    );
    out.checkpoints = out.checkpoints.split(",").map(Number);
    return out;
}

/** The first `count` training images and labels of Fashion-MNIST (IDX files, gzipped). */
function readFashionMnist(count) {
    const images = gunzipSync(readFileSync(path.join(kDataset, "train-images-idx3-ubyte.gz")));
    const labels = gunzipSync(readFileSync(path.join(kDataset, "train-labels-idx1-ubyte.gz")));
    const n = Math.min(count, images.readUInt32BE(4));
    const rows = images.readUInt32BE(8);
    const cols = images.readUInt32BE(12);
    const out = [];
    for (let i = 0; i < n; i++) {
        const grey = images.subarray(16 + i * rows * cols, 16 + (i + 1) * rows * cols);
        const rgb = new Uint8Array(rows * cols * 3);
        for (let p = 0; p < rows * cols; p++) {
            rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = grey[p];
        }
        out.push({ png: rgbPng(cols, rows, rgb), label: labels[8 + i] });
    }
    return out;
}

async function main() {
    const opt = options();
    const work = mkdtempSync(path.join(tmpdir(), "tessera-ml-bench-"));
    const server = startServer(opt.bin, work);
    try {
        const images = readFashionMnist(opt.items);
        const dir = path.join(work, "fashion");
        mkdirSync(dir);
        const truth = new Map();
        images.forEach((image, i) => {
            const name = `fm_${String(i).padStart(5, "0")}.png`;
            writeFileSync(path.join(dir, name), image.png);
            truth.set(name, kClasses[image.label]);
        });
        const base = `http://127.0.0.1:${await server.port}`;
        const api = await session(base);
        console.log(
            `ml_assist_bench ${new Date().toISOString()} items=${images.length} cpus=${cpus().length} ` +
                `load=${loadavg()
                    .map((l) => l.toFixed(2))
                    .join(",")} target=${opt.target}`,
        );
        const id = await createIngestedProject(api, {
            name: "Fashion-MNIST",
            taskType: "multiclass",
            classes: kClasses,
            dir,
            pattern: "*.png",
        });
        // The bench starts every round itself, at its checkpoints.
        const patched = await api("PATCH", `/api/v1/projects/${id}`, {
            ml_assist: {
                enabled: true,
                target_precision: opt.target,
                min_labels_per_class: 1000,
                retrain_after_labels: 1000000,
            },
        });
        if (patched.status !== 200) {
            throw new Error(`patch: ${JSON.stringify(patched.body)}`);
        }
        await api("POST", `/api/v1/projects/${id}/start`);

        let submitted = 0;
        let remaining = images.length;
        const shown = { right: 0, wrong: 0 };
        // Group purity: on each page of a kind, how many items share the page's commonest true
        // class (a page of nine random Fashion-MNIST items: about 0.3 of them).
        const purity = {};
        const notePurity = (page) => {
            const counts = new Map();
            for (const item of page.items) {
                const c = truth.get(item.name);
                counts.set(c, (counts.get(c) ?? 0) + 1);
            }
            const kind = page.kind ?? "manual";
            const p = (purity[kind] ??= { pages: 0, items: 0, majority: 0 });
            p.pages++;
            p.items += page.items.length;
            p.majority += Math.max(...counts.values());
        };
        const purityText = () =>
            Object.entries(purity)
                .map(
                    ([kind, p]) =>
                        `${kind} ${p.pages} pages, purity ${(p.majority / p.items).toFixed(3)}`,
                )
                .join("; ");
        // Labels `count` items in queue order; returns how the prelabels shown on them fared.
        const label = async (count) => {
            const seen = { right: 0, wrong: 0 };
            while (count > 0) {
                const next = await api("POST", `/api/v1/projects/${id}/next`, { count: 9 });
                if (next.body.items.length === 0) {
                    return seen;
                }
                if (next.body.items.length === 9) {
                    notePurity(next.body);
                }
                for (const item of next.body.items) {
                    if (count <= 0) {
                        break; // the rest of the page is released below
                    }
                    const answer = truth.get(item.name);
                    const prelabel = item.prelabel?.labels?.[0];
                    if (prelabel !== undefined) {
                        seen[prelabel === answer ? "right" : "wrong"]++;
                    }
                    await api("PUT", `/api/v1/projects/${id}/items/${item.id}/annotation`, {
                        lease: next.body.lease,
                        labels: [answer],
                    });
                    submitted++;
                    remaining--;
                    count--;
                }
                await api("DELETE", `/api/v1/projects/${id}/leases/${next.body.lease}`);
            }
            return seen;
        };

        for (const checkpoint of opt.checkpoints) {
            const before = await label(checkpoint - submitted);
            shown.right += before.right;
            shown.wrong += before.wrong;
            const started = Date.now();
            const train = await api("POST", `/api/v1/projects/${id}/ml/train`);
            if (train.status !== 202) {
                throw new Error(`train: ${JSON.stringify(train.body)}`);
            }
            const ml = await waitFor("the round", async () => {
                const r = await api("GET", `/api/v1/projects/${id}/ml`);
                const state = r.body.last_round?.state;
                return state === "done" || state === "failed" ? r.body : undefined;
            });
            const seconds = (Date.now() - started) / 1000;
            const m = ml.last_round.metrics;
            // Every prelabel of the remaining items, read back and checked against the truth.
            const all = { right: 0, wrong: 0 };
            const listed = await api(
                "GET",
                `/api/v1/projects/${id}/items?state=unlabeled&limit=1000`,
            );
            let page = listed.body;
            for (;;) {
                for (const item of page.items) {
                    const a = await api(
                        "GET",
                        `/api/v1/projects/${id}/items/${item.id}/annotation`,
                    );
                    if (a.status === 200 && a.body.source === "prelabel") {
                        all[a.body.labels[0] === truth.get(item.name) ? "right" : "wrong"]++;
                    }
                }
                if (page.next_after === null) {
                    break;
                }
                page = (
                    await api(
                        "GET",
                        `/api/v1/projects/${id}/items?state=unlabeled&limit=1000&after=${page.next_after}`,
                    )
                ).body;
            }
            const prelabeled = all.right + all.wrong;
            const probe = await label(opt.probe);
            const probed = probe.right + probe.wrong;
            const f = m.featurization ?? {};
            const v = m.validation ?? {};
            console.log(
                `checkpoint ${checkpoint} labels: round ${ml.last_round.state} in ${seconds.toFixed(1)} s ` +
                    `(featurization ${(f.seconds ?? 0).toFixed(1)} s, ${f.embedded ?? 0} embedded, ` +
                    `${(f.images_per_second ?? 0).toFixed(1)} images/s; training ${(m.training?.seconds ?? 0).toFixed(1)} s; ` +
                    `inference ${(m.inference?.seconds ?? 0).toFixed(1)} s); held-out accuracy ${(v.accuracy ?? 0).toFixed(3)}, ` +
                    `threshold ${ml.threshold ?? "none"}${v.why_none ? ` (${v.why_none})` : ""}; ` +
                    `prelabeled ${prelabeled} of ${remaining} remaining (${((100 * prelabeled) / remaining).toFixed(1)}%), ` +
                    `precision ${prelabeled === 0 ? "n/a" : (all.right / prelabeled).toFixed(4)}; ` +
                    `next ${opt.probe} labels: ${probed} shown, precision ${probed === 0 ? "n/a" : (probe.right / probed).toFixed(4)}`,
            );
            shown.right += probe.right;
            shown.wrong += probe.wrong;
        }
        const total = shown.right + shown.wrong;
        console.log(
            `all shown prelabels: ${total}, precision ${total === 0 ? "n/a" : (shown.right / total).toFixed(4)}`,
        );
        console.log(`pages of nine by kind: ${purityText()}`);
    } finally {
        server.child.kill("SIGTERM");
        rmSync(work, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e instanceof Error ? e.stack : String(e));
    process.exit(1);
});
