#!/usr/bin/env node
// ML assist for boxes through the product (issue 10, point 7; docs/PERFORMANCE.md, "ML assist:
// the box detector on BCCD"): the real `tessera serve`, a bounding-box project on BCCD's
// images, the train split's Pascal VOC boxes imported as final labels (one XML a request), a
// round started with "train now", and every prelabel the round stored read back through the API
// and matched to the VOC boxes of its image at IoU >= 0.5 (the round's own rule).
//
//   node bench/ml_detection_bench.mjs --bin build/rel/server/src/app/tessera
//        [--dataset ../shared/datasets/bccd] [--target 0.95] [--type bbox|polygon]
//
// Prints the round's stage figures and, over the unlabeled images (BCCD's val and test
// splits), the prelabeled images and shapes, their precision and the recall of all boxes. For a
// polygon project a prelabel's box is its polygon's bounding box.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";

import {
    createIngestedProject,
    parseOptions,
    session,
    startServer,
    waitFor,
} from "./bench_server.mjs";

const kClasses = ["WBC", "RBC", "Platelets"];

function options() {
    return parseOptions(
        { bin: "", dataset: "../shared/datasets/bccd", target: 0.95, type: "bbox" },
        "ml_detection_bench.mjs --bin PATH/TO/tessera [--dataset DIR] [--target 0.95] [--type bbox]",
    );
}

/** A VOC file's boxes as {label, x, y, w, h} (corners, as the server reads them by default). */
function vocBoxes(xml) {
    const num = (body, tag) =>
        Number(new RegExp(`<${tag}>\\s*([0-9.]+)\\s*</${tag}>`).exec(body)?.[1] ?? 0);
    const boxes = [];
    for (const m of xml.matchAll(/<object>([\s\S]*?)<\/object>/g)) {
        const body = m[1];
        const label = /<name>([^<]+)<\/name>/.exec(body)?.[1] ?? "";
        const x0 = num(body, "xmin");
        const y0 = num(body, "ymin");
        const x1 = num(body, "xmax");
        const y1 = num(body, "ymax");
        if (x1 > x0 && y1 > y0) {
            boxes.push({ label, x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
        }
    }
    return boxes;
}

function iou(a, b) {
    const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
    const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
    const inter = ix * iy;
    const union = a.w * a.h + b.w * b.h - inter;
    return union > 0 ? inter / union : 0;
}

/** A shape's box: a box as it is, a polygon's bounding box. */
function boxOf(shape) {
    if (shape.type === "box") {
        return {
            label: shape.label,
            x: shape.x,
            y: shape.y,
            w: shape.w,
            h: shape.h,
        };
    }
    const points = (shape.rings ?? [shape.points]).flat();
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return {
        label: shape.label,
        x,
        y,
        w: Math.max(...xs) - x,
        h: Math.max(...ys) - y,
    };
}

/** Greedy by confidence, as the round matches: each VOC box counts once. */
function match(shapes, truth) {
    const taken = new Array(truth.length).fill(false);
    let right = 0;
    for (const s of [...shapes].sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0))) {
        const box = boxOf(s);
        let best = -1;
        let bestIou = 0.5;
        truth.forEach((t, i) => {
            const o = iou(box, t);
            if (!taken[i] && t.label === box.label && o >= bestIou) {
                best = i;
                bestIou = o;
            }
        });
        if (best >= 0) {
            taken[best] = true;
            right++;
        }
    }
    return right;
}

async function main() {
    const opt = options();
    const dataset = path.resolve(opt.dataset);
    const work = mkdtempSync(path.join(tmpdir(), "tessera-det-bench-"));
    const server = startServer(opt.bin, work);
    try {
        const dir = path.join(work, "bccd");
        mkdirSync(dir);
        for (const name of readdirSync(path.join(dataset, "JPEGImages"))) {
            copyFileSync(path.join(dataset, "JPEGImages", name), path.join(dir, name));
        }
        const split = (name) =>
            readFileSync(path.join(dataset, "ImageSets/Main", `${name}.txt`), "utf8")
                .split("\n")
                .filter((l) => l !== "");
        const xmlOf = (id) => readFileSync(path.join(dataset, "Annotations", `${id}.xml`), "utf8");
        const base = `http://127.0.0.1:${await server.port}`;
        const api = await session(base);
        console.log(
            `ml_detection_bench ${new Date().toISOString()} type=${opt.type} cpus=${cpus().length} ` +
                `load=${loadavg()
                    .map((l) => l.toFixed(2))
                    .join(",")} target=${opt.target}`,
        );
        const id = await createIngestedProject(api, {
            name: "BCCD",
            taskType: opt.type,
            classes: kClasses,
            dir,
            pattern: "*.jpg",
        });
        // The train split's boxes, as final labels.
        const train = split("train");
        for (const image of train) {
            const r = await fetch(
                `${base}/api/v1/projects/${id}/import?format=voc&mode=final&filename=${image}.xml`,
                {
                    method: "POST",
                    headers: {
                        ...api.headers,
                        "Content-Type": "application/octet-stream",
                    },
                    body: xmlOf(image),
                },
            );
            if (r.status !== 200) {
                throw new Error(`import ${image}: ${r.status} ${await r.text()}`);
            }
        }
        const patched = await api("PATCH", `/api/v1/projects/${id}`, {
            ml_assist: {
                enabled: true,
                target_precision: opt.target,
                retrain_after_labels: 1000000,
            },
        });
        if (patched.status !== 200) {
            throw new Error(`patch: ${JSON.stringify(patched.body)}`);
        }
        await api("POST", `/api/v1/projects/${id}/start`);
        const started = Date.now();
        const trained = await api("POST", `/api/v1/projects/${id}/ml/train`);
        if (trained.status !== 202) {
            throw new Error(`train: ${JSON.stringify(trained.body)}`);
        }
        const ml = await waitFor("the round", async () => {
            const r = await api("GET", `/api/v1/projects/${id}/ml`);
            const state = r.body.last_round?.state;
            return state === "done" || state === "failed" ? r.body : undefined;
        });
        console.log(
            `round ${ml.last_round.state} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${ml.last_round.message}`,
        );
        for (const stage of ml.stages) {
            console.log(`  ${stage.name}: ${JSON.stringify(stage.metrics)}`);
        }
        // Every unlabeled image's prelabel against its VOC boxes.
        const listed = await api("GET", `/api/v1/projects/${id}/items?state=unlabeled&limit=1000`);
        let images = 0;
        let prelabeled = 0;
        let shapes = 0;
        let right = 0;
        let boxes = 0;
        const perClass = Object.fromEntries(
            kClasses.map((c) => [c, { shown: 0, right: 0, boxes: 0 }]),
        );
        for (const item of listed.body.items) {
            images++;
            const truth = vocBoxes(xmlOf(item.name.replace(/\.jpg$/, "")));
            boxes += truth.length;
            for (const t of truth) {
                perClass[t.label].boxes++;
            }
            const a = await api("GET", `/api/v1/projects/${id}/items/${item.id}/annotation`);
            if (a.status !== 200 || a.body.source !== "prelabel") {
                continue;
            }
            prelabeled++;
            shapes += a.body.shapes.length;
            right += match(a.body.shapes, truth);
            for (const c of kClasses) {
                const mine = a.body.shapes.filter((s) => s.label === c);
                perClass[c].shown += mine.length;
                perClass[c].right += match(mine, truth);
            }
        }
        const ratio = (a, b) => (b === 0 ? "n/a" : (a / b).toFixed(3));
        console.log(
            `unlabeled images ${images}: ${prelabeled} prelabeled with ${shapes} shapes, precision ` +
                `${ratio(right, shapes)}, recall ${ratio(right, boxes)} of ${boxes} boxes`,
        );
        for (const c of kClasses) {
            const p = perClass[c];
            console.log(
                `  ${c}: ${p.shown} shown, precision ${ratio(p.right, p.shown)}, recall ${ratio(p.right, p.boxes)} of ${p.boxes}`,
            );
        }
    } finally {
        server.child.kill("SIGTERM");
        rmSync(work, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e instanceof Error ? e.stack : String(e));
    process.exit(1);
});
