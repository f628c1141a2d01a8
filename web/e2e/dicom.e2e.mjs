// End-to-end test of DICOM items on the drawing page, through the real server binary and headless
// Chromium: the DICOM panel shows the file's window and metadata, the window/level tool's drag
// re-renders the image (its pixels change) without drawing a shape or moving the one drawn, Shift+W
// resets, and PageDown shows the next frame. The DICOM file is written here (16-bit MONOCHROME2,
// explicit VR little endian, two frames); no DICOM file is committed.
//
//   TESSERA_BIN=/path/to/tessera node e2e/dicom.e2e.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { checkA11y } from "./axe.mjs";
import {
    api,
    check,
    kTimeoutMs,
    runInTempDir,
    waitForIngest,
    withSignedInPage,
} from "./server.mjs";

const kW = 200;
const kH = 150;

function element(group, elem, vr, value) {
    let v = Buffer.from(value);
    if (v.length % 2 === 1) {
        v = Buffer.concat([v, Buffer.from(vr === "UI" || vr === "OB" || vr === "OW" ? [0] : [32])]);
    }
    const long = ["OB", "OW", "SQ", "UN", "UT"].includes(vr);
    const head = Buffer.alloc(long ? 12 : 8);
    head.writeUInt16LE(group, 0);
    head.writeUInt16LE(elem, 2);
    head.write(vr, 4, "latin1");
    if (long) {
        head.writeUInt32LE(v.length, 8);
    } else {
        head.writeUInt16LE(v.length, 6);
    }
    return Buffer.concat([head, v]);
}

function us(value) {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(value, 0);
    return b;
}

/** A 16-bit CT-like gradient (0-4095 left to right), frame 2 inverted, window 2048/4096. */
function dicomFile() {
    const metaBody = Buffer.concat([
        element(0x0002, 0x0001, "OB", Buffer.from([0, 1])),
        element(0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1"),
    ]);
    const groupLength = Buffer.alloc(4);
    groupLength.writeUInt32LE(metaBody.length, 0);
    const pixels = Buffer.alloc(kW * kH * 2 * 2);
    for (let f = 0; f < 2; f++) {
        for (let y = 0; y < kH; y++) {
            for (let x = 0; x < kW; x++) {
                const v = Math.round((4095 * x) / (kW - 1));
                pixels.writeUInt16LE(f === 0 ? v : 4095 - v, ((f * kH + y) * kW + x) * 2);
            }
        }
    }
    const data = Buffer.concat([
        element(0x0008, 0x0060, "CS", "CT"),
        element(0x0008, 0x1030, "LO", "E2E study"),
        element(0x0010, 0x0010, "PN", "Doe^Jane"),
        element(0x0028, 0x0002, "US", us(1)),
        element(0x0028, 0x0004, "CS", "MONOCHROME2"),
        element(0x0028, 0x0008, "IS", "2"),
        element(0x0028, 0x0010, "US", us(kH)),
        element(0x0028, 0x0011, "US", us(kW)),
        element(0x0028, 0x0100, "US", us(16)),
        element(0x0028, 0x0101, "US", us(12)),
        element(0x0028, 0x0102, "US", us(11)),
        element(0x0028, 0x0103, "US", us(0)),
        element(0x0028, 0x1050, "DS", "2048"),
        element(0x0028, 0x1051, "DS", "4096"),
        element(0x7fe0, 0x0010, "OW", pixels),
    ]);
    return Buffer.concat([
        Buffer.alloc(128),
        Buffer.from("DICM"),
        element(0x0002, 0x0000, "UL", groupLength),
        metaBody,
        data,
    ]);
}

/** Grey level of the image layer at image pixel (x, y), read from the stage's canvases. */
async function greyAt(page, x, y) {
    return page.evaluate(
        ({ x, y, w, h }) => {
            const stage = document.querySelector(".stage");
            const canvas = stage.querySelector("canvas");
            const r = canvas.getBoundingClientRect();
            const scale = Math.min(r.width / w, r.height / h);
            const px = (r.width - w * scale) / 2 + (x + 0.5) * scale;
            const py = (r.height - h * scale) / 2 + (y + 0.5) * scale;
            const k = canvas.width / r.width;
            const d = canvas
                .getContext("2d")
                .getImageData(Math.floor(px * k), Math.floor(py * k), 1, 1);
            return d.data[0];
        },
        { x, y, w: kW, h: kH },
    );
}

async function waitGreyChange(page, x, y, from, what) {
    for (let i = 0; i < 100; i++) {
        const g = await greyAt(page, x, y);
        if (Math.abs(g - from) > 20) {
            return g;
        }
        await page.waitForTimeout(100);
    }
    throw new Error(`${what}: the image did not change at (${x}, ${y}) from ${from}`);
}

async function run(tmp) {
    const dir = path.join(tmp, "scans");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "ct.dcm"), dicomFile());
    await withSignedInPage(tmp, { width: 1400, height: 900 }, async ({ page, base, errors }) => {
        const r = await api(page, "POST", "/api/v1/projects", {
            name: "DICOM boxes",
            task_type: "bbox",
            labels: [{ name: "Nodule" }],
            instructions: { text: "", url: "" },
            datasource: { kind: "local", path: dir, pattern: "*.dcm" },
        });
        check(r.status === 201, `create: ${JSON.stringify(r.body)}`);
        const id = r.body.id;
        const project = await waitForIngest(page, id);
        check(
            project.progress.unlabeled === 1,
            `DICOM item not ingested: ${JSON.stringify(project.progress)}`,
        );
        check((await api(page, "POST", `/api/v1/projects/${id}/start`)).status === 200, "start");

        await page.goto(`${base}/#/projects/${id}/label`);
        await page.locator(".stage").waitFor({ timeout: kTimeoutMs });
        const panel = page.locator(".dicom-panel");
        await panel.waitFor({ state: "visible", timeout: kTimeoutMs });
        const windowLine = page.locator(".dicom-window");
        check(
            (await windowLine.innerText()).includes("C 2048 / W 4096"),
            `window: ${await windowLine.innerText()}`,
        );
        const metaText = await page.locator(".dicom-meta").innerText();
        check(metaText.includes("CT") && metaText.includes("E2E study"), `metadata: ${metaText}`);
        check(!metaText.includes("Doe"), "the patient's name is shown");
        await page.waitForTimeout(300);
        await checkA11y(page, "drawing page of a DICOM item");

        const stage = await page.locator(".stage").boundingBox();
        const at = (x, y) => {
            const scale = Math.min(stage.width / kW, stage.height / kH);
            return [
                stage.x + (stage.width - kW * scale) / 2 + x * scale,
                stage.y + (stage.height - kH * scale) / 2 + y * scale,
            ];
        };
        // A box first: the window never moves it.
        await page.keyboard.press("r");
        await page.mouse.move(...at(20, 20));
        await page.mouse.down();
        await page.mouse.move(...at(60, 60), { steps: 4 });
        await page.mouse.up();
        await page.locator(".shape-row").first().waitFor({ timeout: kTimeoutMs });
        const boxBefore = await page.locator(".shape-row").first().innerText();

        // Middle of the gradient: grey about 128 under the file's window.
        const before = await greyAt(page, 100, 75);
        check(Math.abs(before - 128) < 20, `default window: grey ${before} at the centre`);
        await page.keyboard.press("w");
        check(
            (await page
                .getByRole("button", { name: "Window/level" })
                .getAttribute("aria-pressed")) === "true",
            "tool on",
        );
        const rendered = page.waitForResponse(
            (res) => res.url().includes("ww=") && res.status() === 200,
            {
                timeout: kTimeoutMs,
            },
        );
        // Narrow the window (drag left) and lower the centre (drag up): the centre gets brighter.
        await page.mouse.move(...at(150, 120));
        await page.mouse.down();
        await page.mouse.move(...at(60, 60), { steps: 6 });
        await page.mouse.up();
        await rendered;
        const after = await waitGreyChange(page, 100, 75, before, "window/level drag");
        check(
            after > before,
            `narrower, lower window should brighten the centre: ${before} -> ${after}`,
        );
        check((await page.locator(".shape-row").count()) === 1, "the drag drew a shape");
        check(
            (await page.locator(".shape-row").first().innerText()) === boxBefore,
            "the box changed",
        );
        check(
            !(await windowLine.innerText()).includes("from the file"),
            "window text did not change",
        );

        await page.keyboard.press("Shift+W");
        await waitGreyChange(page, 100, 75, after, "Shift+W reset");
        check((await windowLine.innerText()).includes("C 2048 / W 4096"), "reset window text");

        // Frame 2 is the gradient mirrored: the left edge turns from dark to bright.
        const left = await greyAt(page, 5, 75);
        await page.keyboard.press("PageDown");
        await waitGreyChange(page, 5, 75, left, "next frame");
        check((await page.locator(".dicom-frame").innerText()).includes("2 of 2"), "frame label");
        check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    });
}

await runInTempDir("tessera-e2e-dicom-", run);
