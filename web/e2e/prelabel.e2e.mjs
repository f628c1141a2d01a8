// End-to-end test of imported labels through the real server binary and headless Chromium.
// Most files go in through the API (`POST /projects/{id}/import`; the classification test drives
// the dashboard's import form); everything after that is the labeler's browser.
// - bbox, COCO as prelabels into a running project: the drawing page shows the boxes with the
//   "Prelabel" badge; one box is moved with the mouse and Ctrl+Enter submits; the stored answer is
//   the edited one (source "human") while the other items keep their prelabels; COCO export.
// - multi-class, JSONL as prelabels into a new project: the grid shows the tags pre-applied with
//   the badge, Enter accepts them, the JSONL export has them.
// - multi-class, JSONL as final labels: the items count as labeled on the dashboard and never
//   reach the labeling queue.
// - bbox, Segment Anything through the dashboard's import form: its one option (the label every
//   mask gets) is shown for that format only, Import without it is refused in the browser (no
//   upload), with it the mask arrives as a prelabel box of that label.
//
//   TESSERA_BIN=/path/to/tessera node e2e/prelabel.e2e.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { checkA11y } from "./axe.mjs";
import { solidPng } from "./png.mjs";
import { api, check, kTimeoutMs, runInTempDir, withSignedInPage } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const kW = 400;
const kH = 300;
const kClasses = ["Cat", "Dog", "Bird"];

function makeImages(dir, prefix, count) {
    mkdirSync(dir);
    const names = [];
    for (let i = 0; i < count; i++) {
        const name = `${prefix}_${i}.png`;
        writeFileSync(path.join(dir, name), solidPng(kW, kH, [40 + i * 50, 90, 120]));
        names.push(name);
    }
    return names;
}

/** Creates a project over `dir` and waits for its ingest; starts it when `start` is true. */
async function createProject(page, name, type, labels, dir, start) {
    const r = await api(page, "POST", "/api/v1/projects", {
        name,
        task_type: type,
        labels: labels.map((l) => ({ name: l })),
        instructions: { text: "", url: "" },
        datasource: { kind: "local", path: dir, pattern: "*.png" },
    });
    check(r.status === 201 || r.status === 200, `create ${name}: ${JSON.stringify(r.body)}`);
    const id = r.body.id;
    for (let i = 0; ; i++) {
        const p = await api(page, "GET", `/api/v1/projects/${id}`);
        if (p.body.jobs.every((j) => j.state === "done") && p.body.progress.total > 0) {
            break;
        }
        check(i < 100, `ingest of ${name} did not finish: ${JSON.stringify(p.body.jobs)}`);
        await page.waitForTimeout(200);
    }
    if (start) {
        const started = await api(page, "POST", `/api/v1/projects/${id}/start`);
        check(started.status === 200, `start ${name}: ${JSON.stringify(started.body)}`);
    }
    return id;
}

async function importFile(page, id, format, mode, text, expectMatched) {
    const r = await api(
        page,
        "POST",
        `/api/v1/projects/${id}/import?format=${format}&mode=${mode}`,
        text,
    );
    check(
        r.status === 200 &&
            r.body.applied === true &&
            r.body.matched === expectMatched &&
            r.body.unmatched.length === 0,
        `${format} ${mode} import: ${r.status} ${JSON.stringify(r.body)}`,
    );
}

/** Item name -> id. */
async function itemIds(page, id) {
    const r = await api(page, "GET", `/api/v1/projects/${id}/items?limit=100`);
    check(r.status === 200, `items: ${JSON.stringify(r.body)}`);
    return new Map(r.body.items.map((it) => [it.name, it.id]));
}

async function annotation(page, id, itemId) {
    const r = await api(page, "GET", `/api/v1/projects/${id}/items/${itemId}/annotation`);
    check(r.status === 200, `annotation of item ${itemId}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
}

async function exportText(page, id, format) {
    const r = await page.evaluate(
        async ({ id, format }) => {
            const res = await fetch(`/api/v1/projects/${id}/export?format=${format}`);
            return { status: res.status, text: await res.text() };
        },
        { id, format },
    );
    check(r.status === 200, `${format} export: ${r.status} ${r.text.slice(0, 300)}`);
    return r.text;
}

const near = (a, b) => Math.abs(a - b) < 1.5;

/** The prelabel boxes of image `i`: a Cat and a Dog box that differ per image. */
function prelabelBoxes(i) {
    return [
        { label: "Cat", x: 40 + 20 * i, y: 50, w: 100, h: 80, score: 0.9 },
        { label: "Dog", x: 240, y: 140 + 10 * i, w: 80, h: 60, score: 0.7 },
    ];
}

function cocoPrelabels(names) {
    const categories = [
        { id: 1, name: "Cat" },
        { id: 2, name: "Dog" },
    ];
    const annotations = names.flatMap((_, i) =>
        prelabelBoxes(i).map((b, k) => ({
            id: i * 10 + k + 1,
            image_id: i + 1,
            category_id: b.label === "Cat" ? 1 : 2,
            bbox: [b.x, b.y, b.w, b.h],
            area: b.w * b.h,
            iscrowd: 0,
            score: b.score,
        })),
    );
    return JSON.stringify({
        images: names.map((n, i) => ({ id: i + 1, file_name: n, width: kW, height: kH })),
        categories,
        annotations,
    });
}

function sameBoxes(shapes, boxes) {
    return (
        shapes.length === boxes.length &&
        boxes.every((b) =>
            shapes.some(
                (s) =>
                    s.type === "box" &&
                    s.label === b.label &&
                    near(s.x, b.x) &&
                    near(s.y, b.y) &&
                    near(s.w, b.w) &&
                    near(s.h, b.h),
            ),
        )
    );
}

/** Image pixel -> page coordinates, from the stage's box and the "fit" rule (contain, centred). */
async function mapper(page) {
    const box = await page.locator(".stage").boundingBox();
    const scale = Math.min(box.width / kW, box.height / kH);
    const ox = box.x + (box.width - kW * scale) / 2;
    const oy = box.y + (box.height - kH * scale) / 2;
    return (x, y) => [ox + x * scale, oy + y * scale];
}

/** Whether the shape layer has paint near each page point (5×5 device pixels around it). */
async function painted(page, points) {
    return page.evaluate((points) => {
        const canvas = document.querySelector(".stage-static");
        const rect = canvas.getBoundingClientRect();
        const dpr = canvas.width / rect.width;
        const ctx = canvas.getContext("2d");
        return points.map(([x, y]) => {
            const cx = Math.round((x - rect.left) * dpr) - 2;
            const cy = Math.round((y - rect.top) * dpr) - 2;
            const data = ctx.getImageData(cx, cy, 5, 5).data;
            return data.some((v, i) => i % 4 === 3 && v > 0);
        });
    }, points);
}

async function waitRows(page, n, what) {
    try {
        await page.waitForFunction((n) => document.querySelectorAll(".shape-row").length === n, n, {
            timeout: kTimeoutMs,
        });
    } catch {
        const shown = await page.locator(".shape-row").count();
        throw new Error(`${what}: expected ${n} shapes, the list shows ${shown}`);
    }
}

/** The drawing page's image name, from its title "img_1.png (400 × 300)". */
async function shownImage(page) {
    await page.locator(".stage").waitFor({ timeout: kTimeoutMs });
    await page.waitForFunction(
        () => (document.querySelector(".toolbar .muted")?.textContent ?? "") !== "",
        null,
        { timeout: kTimeoutMs },
    );
    return (await page.locator(".toolbar .muted").innerText()).split(" ")[0];
}

/** The shown item's prelabel boxes are listed, drawn, and flagged with the review badge. */
async function checkPrelabelShown(page, names, what) {
    const name = await shownImage(page);
    const boxes = prelabelBoxes(names.indexOf(name));
    check(names.includes(name), `${what}: the page shows ${name}`);
    await waitRows(page, 2, `${what}: prelabel boxes of ${name}`);
    // Each row: the shape's label menu, then its summary.
    const rows = (
        await page
            .locator(".shape-row")
            .evaluateAll((all) =>
                all.map(
                    (r) =>
                        `${r.querySelector("select").value} · ${r.querySelector("button").innerText}`,
                ),
            )
    ).join(" | ");
    check(
        rows.includes("Cat · box 100×80") && rows.includes("Dog · box 80×60"),
        `${what}: shape list ${rows}`,
    );
    const badge = page.locator(".toolbar .badge.prelabel");
    check(await badge.isVisible(), `${what}: no prelabel badge on ${name}`);
    check(
        (await badge.innerText()).includes("Prelabel — review and submit"),
        `${what}: badge says ${await badge.innerText()}`,
    );
    // The canvas: each box is filled, the far corner is not (polled: painting is per frame).
    const at = await mapper(page);
    const probes = [...boxes.map((b) => at(b.x + b.w / 2, b.y + b.h / 2)), at(kW - 10, 10)];
    let paint = [];
    for (let i = 0; i < 50; i++) {
        paint = await painted(page, probes);
        if (paint[0] && paint[1]) {
            break;
        }
        await page.waitForTimeout(100);
    }
    const [cat, dog, corner] = paint;
    check(cat && dog && !corner, `${what}: canvas paint cat=${cat} dog=${dog} corner=${corner}`);
    return { name, boxes, at };
}

async function bboxFlow(page, dir, shots) {
    const names = makeImages(dir, "img", 3);
    const id = await createProject(page, "Prelabel boxes", "bbox", ["Cat", "Dog"], dir, true);
    await importFile(page, id, "coco", "prelabel", cocoPrelabels(names), 3);
    const ids = await itemIds(page, id);
    for (const [i, name] of names.entries()) {
        const a = await annotation(page, id, ids.get(name));
        check(
            a.source === "prelabel" &&
                near(a.confidence, 0.8) &&
                sameBoxes(a.shapes, prelabelBoxes(i)),
            `${name} before review: ${JSON.stringify(a)}`,
        );
    }

    await page.goto(`${new URL(page.url()).origin}/#/projects/${id}/label`);
    const first = await checkPrelabelShown(page, names, "first image");
    await checkA11y(page, "drawing page with prelabels");
    await page.screenshot({ path: path.join(shots, "prelabel-bbox.png") });
    // Move the Cat box by its body: 30 px right, 20 px down.
    const cat = first.boxes[0];
    const from = [cat.x + cat.w / 2, cat.y + cat.h / 2];
    await page.keyboard.press("m");
    await page.mouse.move(...first.at(...from));
    await page.mouse.down();
    await page.mouse.move(...first.at(from[0] + 15, from[1] + 10), { steps: 3 });
    await page.mouse.move(...first.at(from[0] + 30, from[1] + 20), { steps: 3 });
    await page.mouse.up();
    await page.keyboard.press("Control+Enter");
    await page.getByRole("dialog", { name: "Submit this image?" }).waitFor({ timeout: kTimeoutMs });
    await page.keyboard.press("Enter");
    await page.waitForFunction(
        (n) => !(document.querySelector(".toolbar .muted")?.textContent ?? n).startsWith(n),
        first.name,
        { timeout: kTimeoutMs },
    );
    // The next image is a prelabel too: same badge, its own boxes.
    const second = await checkPrelabelShown(page, names, "second image");
    check(second.name !== first.name, `submit stayed on ${first.name}`);

    const edited = await annotation(page, id, ids.get(first.name));
    const expected = [{ ...cat, x: cat.x + 30, y: cat.y + 20 }, first.boxes[1]];
    // Reviewed shapes are the labeler's answer: the importer's scores must not cling to them.
    check(
        edited.source === "human" &&
            sameBoxes(edited.shapes, expected) &&
            edited.shapes.every((s) => s.confidence === undefined),
        `${first.name} after review: ${JSON.stringify(edited)}, expected ${JSON.stringify(expected)}`,
    );
    for (const name of names.filter((n) => n !== first.name)) {
        const a = await annotation(page, id, ids.get(name));
        check(
            a.source === "prelabel" && sameBoxes(a.shapes, prelabelBoxes(names.indexOf(name))),
            `${name} is not reviewed yet but reads ${JSON.stringify(a)}`,
        );
    }

    // The export holds the reviewed answer only: prelabels are suggestions, not results.
    const coco = JSON.parse(await exportText(page, id, "coco"));
    check(
        coco.images.length === 1 && path.basename(coco.images[0].file_name) === first.name,
        `COCO images ${JSON.stringify(coco.images)}`,
    );
    const category = new Map(coco.categories.map((c) => [c.id, c.name]));
    const exported = coco.annotations.map((a) => ({
        type: "box",
        label: category.get(a.category_id),
        x: a.bbox[0],
        y: a.bbox[1],
        w: a.bbox[2],
        h: a.bbox[3],
    }));
    check(
        coco.annotations.every((a) => a.image_id === coco.images[0].id && a.score === undefined) &&
            sameBoxes(exported, expected),
        `COCO annotations ${JSON.stringify(coco.annotations)}`,
    );
    console.log(`bbox: ${first.name} reviewed and stored as ${JSON.stringify(edited.shapes)}`);
}

/** The label each test image gets: prelabels and final labels both follow it. */
const classOf = (i) => kClasses[i % kClasses.length];

function jsonlLines(names) {
    return names
        .map((n, i) =>
            JSON.stringify({
                image_url: `azureml://datastores/images/paths/${n}`,
                label: classOf(i),
            }),
        )
        .join("\n");
}

async function openGrid(page, id, count) {
    await page.goto(`${new URL(page.url()).origin}/#/projects/${id}/label`);
    await page.locator(".grid .tile").first().waitFor({ timeout: kTimeoutMs });
    await page.getByRole("button", { name: "Show 4 images per page" }).click();
    await page.waitForFunction(
        (n) => document.querySelectorAll(".grid .tile").length === n,
        count,
        { timeout: kTimeoutMs },
    );
    const names = await page
        .locator(".grid .tile")
        .evaluateAll((ts) => ts.map((t) => t.dataset.name));
    return names;
}

async function chipOf(page, name) {
    return page.locator(`.tile[data-name="${name}"] .chip`).allInnerTexts();
}

async function exportedClasses(page, id) {
    const lines = (await exportText(page, id, "jsonl")).split("\n").filter((l) => l.trim() !== "");
    return new Map(
        lines.map((l) => {
            const row = JSON.parse(l);
            return [path.basename(row.image_url), row.label];
        }),
    );
}

async function prelabelGridFlow(page, dir, shots) {
    const names = makeImages(dir, "c", 4);
    // A new project: the prelabels go in before it starts.
    const id = await createProject(page, "Prelabel classes", "multiclass", kClasses, dir, false);
    await importFile(page, id, "jsonl", "prelabel", jsonlLines(names), 4);
    const started = await api(page, "POST", `/api/v1/projects/${id}/start`);
    check(started.status === 200, `start: ${JSON.stringify(started.body)}`);

    const shown = await openGrid(page, id, 4);
    await page.waitForFunction(
        () => document.querySelectorAll(".grid .tile .badge.prelabel").length === 4,
        null,
        { timeout: kTimeoutMs },
    );
    await checkA11y(page, "labeling grid with prelabels");
    for (const name of shown) {
        const chips = await chipOf(page, name);
        const want = classOf(names.indexOf(name));
        check(
            chips.length === 1 && chips[0].includes(want),
            `${name} shows ${chips}, want ${want}`,
        );
    }
    check(
        await page.getByRole("button", { name: "Submit" }).isEnabled(),
        "Submit is disabled on a page of prelabels",
    );
    await page.screenshot({ path: path.join(shots, "prelabel-grid.png") });
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "All done" }).waitFor({ timeout: kTimeoutMs });

    const ids = await itemIds(page, id);
    const exported = await exportedClasses(page, id);
    check(exported.size === 4, `JSONL export has ${exported.size} rows`);
    for (const [i, name] of names.entries()) {
        const a = await annotation(page, id, ids.get(name));
        check(
            a.source === "human" && JSON.stringify(a.labels) === JSON.stringify([classOf(i)]),
            `${name} after Enter: ${JSON.stringify(a)}`,
        );
        check(exported.get(name) === classOf(i), `export: ${name} -> ${exported.get(name)}`);
    }
}

async function finalFlow(page, dir) {
    const names = makeImages(dir, "f", 4);
    const id = await createProject(page, "Final classes", "multiclass", kClasses, dir, true);
    const imported = names.slice(0, 2);
    await importFile(page, id, "jsonl", "final", jsonlLines(imported), 2);

    await page.goto(`${new URL(page.url()).origin}/#/projects/${id}`);
    await page.locator("[data-testid=percent]", { hasText: "50%" }).waitFor({
        timeout: kTimeoutMs,
    });
    const legend = await page.locator(".legend").innerText();
    check(/Labeled: 2\b/.test(legend), `dashboard legend: ${legend}`);

    // Only the two items without a final label reach the queue, untagged.
    const shown = await openGrid(page, id, 2);
    check(
        JSON.stringify([...shown].sort()) === JSON.stringify(names.slice(2)),
        `the queue offers ${shown}`,
    );
    check(
        (await page.locator(".grid .tile .badge.prelabel").count()) === 0,
        "final labels shown as prelabels",
    );
    for (const name of shown) {
        check((await chipOf(page, name)).length === 0, `${name} arrives tagged`);
        await page.locator(`.tile[data-name="${name}"]`).click();
        await page.keyboard.press(String((names.indexOf(name) % kClasses.length) + 1));
    }
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "All done" }).waitFor({ timeout: kTimeoutMs });

    const exported = await exportedClasses(page, id);
    check(exported.size === 4, `final export has ${exported.size} rows`);
    for (const [i, name] of names.entries()) {
        check(exported.get(name) === classOf(i), `export: ${name} -> ${exported.get(name)}`);
    }
    await page.goto(`${new URL(page.url()).origin}/#/projects/${id}`);
    await page.locator("[data-testid=percent]", { hasText: "100%" }).waitFor({
        timeout: kTimeoutMs,
    });
}

/** COCO RLE (column-major, starting with 0s) of a `w` x `h` mask set inside `box`. */
function rleOfBox(w, h, box) {
    const counts = [];
    let value = 0;
    let run = 0;
    for (let x = 0; x < w; x++) {
        for (let y = 0; y < h; y++) {
            const inside = x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h;
            if ((inside ? 1 : 0) !== value) {
                counts.push(run);
                value = 1 - value;
                run = 0;
            }
            run++;
        }
    }
    counts.push(run);
    return { size: [h, w], counts };
}

/** Segment Anything needs `label=`: the form's option for it, checked before sending. */
async function segmentAnythingFormFlow(page, dir, tmp, shots) {
    const [name] = makeImages(dir, "sa", 1);
    const id = await createProject(page, "SA masks", "bbox", ["Cat", "Dog"], dir, true);
    const box = { x: 120, y: 60, w: 90, h: 70 };
    const file = path.join(tmp, "sa_1.json");
    writeFileSync(
        file,
        JSON.stringify({
            image: { image_id: 1, file_name: name, width: kW, height: kH },
            annotations: [{ id: 1, segmentation: rleOfBox(kW, kH, box), predicted_iou: 0.8 }],
        }),
    );
    await page.goto(`${new URL(page.url()).origin}/#/projects/${id}`);
    await page.locator("#imp-file").waitFor({ timeout: kTimeoutMs });
    const labelField = page.getByLabel("Label for every mask");
    // COCO is preselected: its option shows, Segment Anything's does not.
    check(await page.getByLabel("Coordinates").isVisible(), "COCO's option is not shown");
    check(!(await labelField.isVisible()), "Segment Anything's option shown for COCO");
    await page.locator("#imp-file").setInputFiles(file);
    await page
        .locator("[data-testid=import-file]", { hasText: "sa_1.json" })
        .waitFor({ timeout: kTimeoutMs });
    const format = await page.locator("#imp-format").inputValue();
    check(format === "segment-anything", `format detected as ${format}`);
    await labelField.waitFor({ timeout: kTimeoutMs });
    check(!(await page.getByLabel("Coordinates").isVisible()), "COCO's option shown for SA");
    await checkA11y(page, "dashboard: import options");

    // Without a label the browser refuses, and nothing reaches the server.
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page
        .getByRole("alert")
        .filter({ hasText: "choose the label they all get" })
        .waitFor({ timeout: kTimeoutMs });
    check((await labelField.getAttribute("aria-invalid")) === "true", "label field not marked");
    await page
        .locator('.card.import[aria-labelledby="dash-import"]')
        .screenshot({ path: path.join(shots, "import-options.png") });
    const jobs = (await api(page, "GET", `/api/v1/projects/${id}`)).body.jobs;
    check(!jobs.some((j) => j.kind === "import"), `an import ran: ${JSON.stringify(jobs)}`);

    await labelField.selectOption("Dog");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    const report = page.locator("[data-testid=import-report]");
    await report.waitFor({ timeout: kTimeoutMs });
    const text = await report.innerText();
    check(text.includes("1 image(s) matched, 0 not matched"), `import report: ${text}`);
    const ids = await itemIds(page, id);
    const a = await annotation(page, id, ids.get(name));
    check(
        a.source === "prelabel" && sameBoxes(a.shapes, [{ label: "Dog", ...box }]),
        `the SA mask arrived as ${JSON.stringify(a)}`,
    );
    console.log(`segment-anything via the form: ${JSON.stringify(a.shapes)}`);
}

async function run(tmp) {
    const shots = path.join(here, "screenshots");
    mkdirSync(shots, { recursive: true });
    await withSignedInPage(tmp, { width: 1400, height: 900 }, async ({ page, errors }) => {
        await bboxFlow(page, path.join(tmp, "boxes"), shots);
        await prelabelGridFlow(page, path.join(tmp, "classes"), shots);
        await finalFlow(page, path.join(tmp, "final"));
        await segmentAnythingFormFlow(page, path.join(tmp, "sa"), tmp, shots);
        check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    });
}

await runInTempDir("tessera-e2e-prelabel-", run);
