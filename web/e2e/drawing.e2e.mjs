// End-to-end test of the drawing tools through the real server binary and headless Chromium:
// bounding boxes (drag and template stamp, move, undo/redo, autosaved draft survives a reload,
// copy from the previous image, submit, COCO export), a polygon (draw, drag a vertex, add a
// vertex) and a semantic mask (brush, eraser, fill).
//
//   TESSERA_BIN=/path/to/tessera node e2e/drawing.e2e.mjs
import { checkA11y } from "./axe.mjs";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { rgbPng, solidPng } from "./png.mjs";
import { answerDialog, check, kTimeoutMs, runInTempDir, withSignedInPage } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const kW = 400;
const kH = 300;

async function api(page, method, url, body) {
    return page.evaluate(
        async ({ method, url, body }) => {
            const s = await (await fetch("/api/v1/session")).json();
            const res = await fetch(url, {
                method,
                headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf_token },
                body: body === undefined ? undefined : JSON.stringify(body),
            });
            const text = await res.text();
            return { status: res.status, body: text === "" ? null : JSON.parse(text) };
        },
        { method, url, body },
    );
}

async function createProject(page, type, dir, labels = ["Cat", "Dog"]) {
    const r = await api(page, "POST", "/api/v1/projects", {
        name: `Drawing ${type} ${labels.join(" ")}`,
        task_type: type,
        labels: labels.map((name) => ({ name })),
        instructions: { text: "", url: "" },
        datasource: { kind: "local", path: dir, pattern: "*.png" },
    });
    check(r.status === 201 || r.status === 200, `create ${type}: ${JSON.stringify(r.body)}`);
    const id = r.body.id;
    for (let i = 0; i < 100; i++) {
        const p = await api(page, "GET", `/api/v1/projects/${id}`);
        if (p.body.jobs.every((j) => j.state === "done") && p.body.progress.total > 0) {
            break;
        }
        await page.waitForTimeout(200);
    }
    const started = await api(page, "POST", `/api/v1/projects/${id}/start`);
    check(started.status === 200, `start ${type}: ${JSON.stringify(started.body)}`);
    return id;
}

/** Image pixel -> page coordinates, from the stage's box and the "fit" rule (contain, centred). */
async function mapper(page) {
    const box = await page.locator(".stage").boundingBox();
    const scale = Math.min(box.width / kW, box.height / kH);
    const ox = box.x + (box.width - kW * scale) / 2;
    const oy = box.y + (box.height - kH * scale) / 2;
    return (x, y) => [ox + x * scale, oy + y * scale];
}

async function drag(page, at, from, to) {
    await page.mouse.move(...at(...from));
    await page.mouse.down();
    await page.mouse.move(...at((from[0] + to[0]) / 2, (from[1] + to[1]) / 2), { steps: 3 });
    await page.mouse.move(...at(...to), { steps: 3 });
    await page.mouse.up();
}

async function click(page, at, p) {
    await page.mouse.click(...at(...p));
}

async function submitImage(page) {
    await page.getByRole("button", { name: "Submit", exact: true }).click();
    await answerDialog(page, "Submit this image?", "Submit");
}

/** The label of each shape in the list, in list order (its label menu's choice). */
async function rowLabels(page) {
    return page
        .locator(".shape-row")
        .evaluateAll((rows) =>
            rows.map((r) => r.querySelector("select")?.value ?? r.innerText.split(" · ")[0].trim()),
        );
}

async function title(page) {
    return page.locator(".toolbar .muted").innerText();
}

async function waitTitleChange(page, from) {
    try {
        await page.waitForFunction(
            (t) => document.querySelector(".toolbar .muted")?.textContent !== t,
            from,
            { timeout: kTimeoutMs },
        );
    } catch (e) {
        const said = await page.locator("[role=status], .error").allInnerTexts();
        const dialogOpen = await page.evaluate(
            () => document.querySelector("dialog[open]") !== null,
        );
        throw new Error(
            `the image stayed ${from} (page says ${JSON.stringify(said)}, a dialog open: ${dialogOpen}): ${e.message}`,
        );
    }
}

async function waitDraftSaved(page) {
    await page
        .locator("[data-testid=draft-status]", { hasText: "Draft saved" })
        .waitFor({ timeout: kTimeoutMs });
}

async function rows(page) {
    return page.locator(".shape-row").count();
}

async function waitRows(page, n, what) {
    try {
        await page.waitForFunction((n) => document.querySelectorAll(".shape-row").length === n, n, {
            timeout: kTimeoutMs,
        });
    } catch {
        throw new Error(`${what}: expected ${n} shapes, the list shows ${await rows(page)}`);
    }
}

async function openLabeling(page, id) {
    await page.goto(`${new URL(page.url()).origin}/#/projects/${id}/label`);
    await page.locator(".stage").waitFor({ timeout: kTimeoutMs });
    // Let the image load and the first fit happen.
    await page.waitForTimeout(300);
    await checkA11y(page, `drawing page of project ${id}`);
    return page.locator(".toolbar .muted").innerText();
}

async function boxes(page, base, id) {
    const items = await api(page, "GET", `${base}/history?limit=9`);
    check(items.status === 200, `history: ${JSON.stringify(items.body)}`);
    void id;
    return items.body.items;
}

/** The shapes stored for the caller's oldest answer in the project. */
async function storedShapes(page, id) {
    const history = await boxes(page, `/api/v1/projects/${id}`, id);
    check(history.length >= 1, `no history in project ${id}`);
    const item = history[history.length - 1].item.id;
    const r = await api(page, "GET", `/api/v1/projects/${id}/items/${item}/annotation`);
    check(r.status === 200, `annotation: ${JSON.stringify(r.body)}`);
    return r.body.shapes ?? [];
}

async function bboxFlow(page, id, shots) {
    const title = await openLabeling(page, id);
    let at = await mapper(page);
    await page.keyboard.press("r");
    await drag(page, at, [50, 40], [150, 120]);
    await waitRows(page, 1, "box drawn by dragging");
    await page.keyboard.press("t");
    await click(page, at, [300, 200]);
    await waitRows(page, 2, "template stamp");
    // Esc mid-drag leaves nothing.
    await page.keyboard.press("r");
    await page.mouse.move(...at(10, 250));
    await page.mouse.down();
    await page.mouse.move(...at(60, 290), { steps: 3 });
    await page.keyboard.press("Escape");
    await page.mouse.up();
    await waitRows(page, 2, "Esc while drawing");
    // Move the first box by its body with M.
    await page.keyboard.press("m");
    await drag(page, at, [100, 80], [110, 90]);
    await page.keyboard.press("Control+z");
    await page.keyboard.press("Control+z");
    await waitRows(page, 1, "undo");
    await page.keyboard.press("Control+Shift+z");
    await waitRows(page, 2, "redo");
    await page.keyboard.press("Control+Shift+z");
    // Picking a label only sets the label of the next shape.
    await page.keyboard.press("2");
    check(
        JSON.stringify(await rowLabels(page)) === JSON.stringify(["Cat", "Cat"]),
        `key 2 changed a shape: ${JSON.stringify(await rowLabels(page))}`,
    );
    // The move tool selected the first box: its menu beside the label picker retags it.
    await page.getByLabel("Label of the selected shape").selectOption("Dog");
    await page.screenshot({ path: path.join(shots, "drawing-bbox.png") });

    // Autosave, then reload without the local copy: the server draft must bring the shapes back.
    await waitDraftSaved(page);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator(".stage").waitFor({ timeout: kTimeoutMs });
    const again = await page.locator(".toolbar .muted").innerText();
    check(again === title, `after reload got ${again}, expected ${title}`);
    await waitRows(page, 2, "draft restored after reload");

    await submitImage(page);
    await waitTitleChange(page, title);
    await waitRows(page, 0, "next image starts empty");
    await page.getByRole("button", { name: "Copy from previous image" }).click();
    await waitRows(page, 2, "copy from previous");
    await page.keyboard.press("d");
    await waitRows(page, 0, "D deletes all");
    await page.keyboard.press("Control+z");
    await waitRows(page, 2, "undo of delete all");
    at = await mapper(page);
    const second = await page.locator(".toolbar .muted").innerText();
    await submitImage(page);
    await waitTitleChange(page, second);

    const history = await boxes(page, `/api/v1/projects/${id}`, id);
    check(history.length >= 2, `history has ${history.length} items`);
    const stored = await api(
        page,
        "GET",
        `/api/v1/projects/${id}/items/${history[history.length - 1].item.id}/annotation`,
    );
    const shapes = stored.body.shapes ?? [];
    check(shapes.length === 2, `stored ${JSON.stringify(stored.body)}`);
    const moved = shapes.find((s) => s.x < 200);
    check(
        moved !== undefined &&
            Math.abs(moved.x - 60) < 2 &&
            Math.abs(moved.y - 50) < 2 &&
            moved.label === "Dog",
        `moved and retagged box stored as ${JSON.stringify(moved)}`,
    );
    const stamp = shapes.find((s) => s !== moved);
    check(
        Math.abs(stamp.w - 100) < 2 && Math.abs(stamp.h - 80) < 2 && Math.abs(stamp.x - 250) < 2,
        `template box ${JSON.stringify(stamp)} (last box size 100×80 centred on 300,200)`,
    );
    const coco = await page.evaluate(async (id) => {
        const r = await fetch(`/api/v1/projects/${id}/export?format=coco`);
        return {
            status: r.status,
            type: r.headers.get("content-type"),
            size: (await r.blob()).size,
        };
    }, id);
    check(coco.status === 200 && coco.size > 0, `COCO export: ${JSON.stringify(coco)}`);
    console.log(`bbox: stored ${JSON.stringify(shapes)}; COCO export ${coco.size} bytes`);
}

/** The stored label of each box of an item, left to right. */
async function storedLabels(page, id, itemId) {
    const r = await api(page, "GET", `/api/v1/projects/${id}/items/${itemId}/annotation`);
    check(r.status === 200, `annotation: ${JSON.stringify(r.body)}`);
    return (r.body.shapes ?? []).sort((a, b) => a.x - b.x).map((s) => s.label);
}

/**
 * A labeler's round: help with ?, three boxes with a label picked before each, the draft-saved
 * status and n-of-N progress, Submit and Skip asking first, and back to the previous image (the
 * button, then the "," key) and to the current one.
 */
async function labelEachBoxFlow(page, id, shots) {
    const first = await openLabeling(page, id);
    const at = await mapper(page);
    const progress = page.locator("[data-testid=progress]");
    const drawn = [
        ["1", [20, 40], [100, 120]],
        ["2", [150, 40], [230, 120]],
        ["3", [280, 40], [360, 120]],
    ];
    await page.keyboard.press("r");
    for (const [key, from, to] of drawn) {
        await page.keyboard.press(key);
        await drag(page, at, from, to);
    }
    await waitRows(page, 3, "three boxes");
    const listed = await rowLabels(page);
    check(
        JSON.stringify(listed) === JSON.stringify(["RBC", "WBC", "Platelets"]),
        `boxes drawn after picking RBC, WBC, Platelets are listed as ${JSON.stringify(listed)}`,
    );
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor({ timeout: kTimeoutMs });
    check((await help.innerText()).includes("Ctrl+Enter"), "help does not list Ctrl+Enter");
    check((await help.innerText()).includes("Previous image"), "help does not list the , key");
    await checkA11y(page, "drawing: shortcuts dialog");
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden", timeout: kTimeoutMs });
    await waitDraftSaved(page);
    check(
        (await progress.innerText()).includes("1 of 3"),
        `progress: ${await progress.innerText()}`,
    );
    await page.screenshot({ path: path.join(shots, "drawing-labels.png") });

    // Submit asks first: Cancel keeps the image, Ctrl+Enter then Enter submits.
    await page.getByRole("button", { name: "Submit", exact: true }).click();
    await page.getByRole("dialog", { name: "Submit this image?" }).waitFor({ timeout: kTimeoutMs });
    await checkA11y(page, "drawing: submit dialog");
    await answerDialog(page, "Submit this image?", "Cancel");
    check((await title(page)) === first, "Cancel did not keep the image");
    await waitRows(page, 3, "after Cancel");
    await page.keyboard.press("Control+Enter");
    await page.getByRole("dialog", { name: "Submit this image?" }).waitFor({ timeout: kTimeoutMs });
    // Cancel and Ctrl+Enter in one task: the first question's close event comes after the second
    // question opened, and must not answer it (a fast user once found Enter doing nothing here).
    const reopened = await page.evaluate(async () => {
        const dialog = document.querySelector("dialog.ask");
        const closed = new Promise((resolve) =>
            dialog.addEventListener("close", resolve, { once: true }),
        );
        [...dialog.querySelectorAll("button")].find((b) => b.textContent === "Cancel").click();
        window.dispatchEvent(
            new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true }),
        );
        await closed;
        return dialog.open;
    });
    check(reopened, "Ctrl+Enter right after Cancel did not ask again");
    await page.getByRole("dialog", { name: "Submit this image?" }).waitFor({ timeout: kTimeoutMs });
    await page.keyboard.press("Enter");
    await waitTitleChange(page, first);
    await waitRows(page, 0, "the next image after submit");
    const [answer] = (await api(page, "GET", `/api/v1/projects/${id}/history?limit=1`)).body.items;
    const firstId = answer.item.id;
    const stored = await storedLabels(page, id, firstId);
    check(
        JSON.stringify(stored) === JSON.stringify(["RBC", "WBC", "Platelets"]),
        `stored labels ${JSON.stringify(stored)}`,
    );
    check(
        (await progress.innerText()).includes("2 of 3"),
        `progress: ${await progress.innerText()}`,
    );

    // Skip asks too.
    const second = await title(page);
    await page.getByRole("button", { name: "Skip", exact: true }).click();
    await answerDialog(page, "Skip this image?", "Cancel");
    check((await title(page)) === second, "Cancel did not keep the image");
    await page.getByRole("button", { name: "Skip", exact: true }).click();
    await answerDialog(page, "Skip this image?", "Skip");
    await waitTitleChange(page, second);
    const third = await title(page);

    // Back to the previous image (the first one's answer), change it, save, and return.
    await page.getByRole("button", { name: "Previous image", exact: true }).click();
    await waitTitleChange(page, third);
    check((await title(page)) === first, `previous image is ${await title(page)}, not ${first}`);
    await waitRows(page, 3, "the previous image's boxes");
    await page.locator(".shape-row select").last().selectOption("RBC");
    await page.getByRole("button", { name: "Save changes" }).click();
    await waitTitleChange(page, first);
    check((await title(page)) === third, `after saving, the page shows ${await title(page)}`);
    const changed = await storedLabels(page, id, firstId);
    check(
        JSON.stringify(changed) === JSON.stringify(["RBC", "WBC", "RBC"]),
        `labels after changing the previous image: ${JSON.stringify(changed)}`,
    );
    // The "," key goes back too; "Back to the current image" returns to the leased one.
    await page.keyboard.press(",");
    await waitTitleChange(page, third);
    check((await title(page)) === first, `, opened ${await title(page)}, not ${first}`);
    await waitRows(page, 3, "the previous image's boxes again");
    await checkA11y(page, "drawing: an earlier answer");
    await page.getByRole("button", { name: "Back to the current image" }).click();
    await waitTitleChange(page, first);
    check((await title(page)) === third, `back to current shows ${await title(page)}`);
}

async function polygonFlow(page, id, shots) {
    await openLabeling(page, id);
    const at = await mapper(page);
    await page.keyboard.press("p");
    for (const p of [
        [50, 50],
        [200, 50],
        [200, 200],
    ]) {
        await click(page, at, p);
    }
    await page.keyboard.press("Escape");
    await waitRows(page, 0, "Esc discards a polygon");
    for (const p of [
        [50, 50],
        [200, 50],
        [200, 200],
        [50, 200],
    ]) {
        await click(page, at, p);
    }
    await page.keyboard.press("Enter");
    await waitRows(page, 1, "polygon closed with Enter");
    await page.keyboard.press("m");
    await drag(page, at, [200, 200], [250, 250]);
    await page.keyboard.press("u");
    await click(page, at, [125, 50]);
    await page.screenshot({ path: path.join(shots, "drawing-polygon.png") });
    const text = await page.locator(".shape-row").first().innerText();
    check(text.includes("5 points"), `polygon after edits: ${text}`);
    await submitImage(page);
    await waitRows(page, 0, "next image after the polygon");
    const [poly] = await storedShapes(page, id);
    const pts = (poly?.points ?? poly?.rings?.[0] ?? []).map(([x, y]) => [
        Math.round(x),
        Math.round(y),
    ]);
    check(
        JSON.stringify(pts) === "[[50,50],[125,50],[200,50],[250,250],[50,200]]",
        `polygon stored as ${JSON.stringify(poly)}`,
    );
}

// A field with a red disc of radius 50 at (300, 150): an object for the outline tool.
function discPng([r, g, b]) {
    const pixels = new Uint8Array(kW * kH * 3);
    for (let y = 0; y < kH; y++) {
        for (let x = 0; x < kW; x++) {
            const disc = (x - 300) ** 2 + (y - 150) ** 2 <= 50 * 50;
            pixels.set(disc ? [210, 30, 40] : [r, g, b], 3 * (y * kW + x));
        }
    }
    return rgbPng(kW, kH, pixels);
}

// O: a box dragged around the disc comes back as a polygon hugging it, which is submitted.
async function outlineFlow(page, id, shots) {
    const at = await mapper(page);
    await page.keyboard.press("o");
    await drag(page, at, [235, 85], [365, 215]);
    await waitRows(page, 1, "the outline tool's polygon");
    await page.screenshot({ path: path.join(shots, "drawing-outline.png") });
    await submitImage(page);
    await waitRows(page, 0, "next image after the outline");
    // The newest answer (history is newest first).
    const [newest] = await boxes(page, `/api/v1/projects/${id}`, id);
    const shapes = newest?.shapes ?? [];
    const outline = shapes.find((s) => s.type === "polygon" && s.points?.length >= 8);
    const far = (outline?.points ?? []).filter(
        ([x, y]) => Math.abs(Math.hypot(x - 300, y - 150) - 50) > 5,
    );
    check(
        outline !== undefined && far.length === 0,
        `outline stored as ${JSON.stringify(outline ?? shapes).slice(0, 300)}`,
    );
}

async function semanticFlow(page, id, shots) {
    await openLabeling(page, id);
    const at = await mapper(page);
    await page.keyboard.press("b");
    await drag(page, at, [20, 20], [150, 20]);
    await waitRows(page, 1, "brush stroke makes a Cat mask");
    await page.keyboard.press("2");
    await page.keyboard.press("f");
    await click(page, at, [300, 250]);
    await waitRows(page, 2, "fill makes a Dog mask");
    await page.keyboard.press("e");
    await drag(page, at, [80, 20], [100, 20]);
    await page.keyboard.press("Control+z");
    await page.keyboard.press("Control+Shift+z");
    await page.screenshot({ path: path.join(shots, "drawing-semantic.png") });
    await submitImage(page);
    await waitRows(page, 0, "next image after the masks");
    const masks = await storedShapes(page, id);
    const count = (s) => (s?.rle ?? []).reduce((n, v, i) => (i % 2 === 1 ? n + v : n), 0);
    const cat = masks.find((s) => s.label === "Cat");
    const dog = masks.find((s) => s.label === "Dog");
    check(
        cat?.type === "mask" && dog?.type === "mask" && count(cat) > 500,
        `masks stored as ${JSON.stringify(masks).slice(0, 300)}`,
    );
    // The eraser's gap stays unlabeled.
    check(count(cat) + count(dog) < kW * kH, "eraser left no gap in the stored masks");
    console.log(`semantic: Cat ${count(cat)} px, Dog ${count(dog)} px`);
}

async function run(tmp) {
    const shots = path.join(here, "screenshots");
    mkdirSync(shots, { recursive: true });
    const dirs = {};
    for (const type of ["cells", "bbox", "polygon", "semantic"]) {
        dirs[type] = path.join(tmp, type);
        mkdirSync(dirs[type]);
        for (let i = 0; i < 3; i++) {
            const name = `img_${i}.png`;
            const colour = [40 + i * 60, 90, 120];
            const png = type === "polygon" ? discPng(colour) : solidPng(kW, kH, colour);
            writeFileSync(path.join(dirs[type], name), png);
        }
    }
    await withSignedInPage(tmp, { width: 1400, height: 900 }, async ({ page, errors }) => {
        // After signing in (the first GET /session is a 401 by design), the console stays clean:
        // a fresh item has no answer or draft yet, which is a 204, never a failed request.
        page.on("console", (m) => {
            if (m.type() === "error") {
                errors.push(`console: ${m.text()}`);
            }
        });

        const cells = ["RBC", "WBC", "Platelets"];
        await labelEachBoxFlow(page, await createProject(page, "bbox", dirs.cells, cells), shots);
        await bboxFlow(page, await createProject(page, "bbox", dirs.bbox), shots);
        const polygons = await createProject(page, "polygon", dirs.polygon);
        await polygonFlow(page, polygons, shots);
        await outlineFlow(page, polygons, shots);
        await semanticFlow(page, await createProject(page, "semantic", dirs.semantic), shots);
        check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    });
}

await runInTempDir("tessera-e2e-draw-", run);
