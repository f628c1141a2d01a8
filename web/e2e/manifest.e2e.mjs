// End-to-end test of a manifest project through the real server binary and headless Chromium:
// the wizard's Data page reads a CSV's columns (semicolon-separated, headers the server does not
// guess), the column mapping is chosen by hand, the labels are imported as prelabels, and the
// labeler's grid shows them pre-applied with the review badge. The row naming a missing file is
// reported in the import history, the rest kept.
//
//   TESSERA_BIN=/path/to/tessera node e2e/manifest.e2e.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { checkA11y } from "./axe.mjs";
import { solidPng } from "./png.mjs";
import { api, check, kTimeoutMs, runInTempDir, withSignedInPage } from "./server.mjs";

const kClasses = ["Cat", "Dog"];
const kImages = 4;

function classOf(i) {
    return kClasses[i % kClasses.length];
}

/** pics/p_0.png ... and labels.csv naming them (plus one missing file) with class and score. */
function writeManifest(dir) {
    mkdirSync(path.join(dir, "pics"), { recursive: true });
    const rows = ["Picture;Kind;Certainty"];
    for (let i = 0; i < kImages; i++) {
        writeFileSync(
            path.join(dir, "pics", `p_${i}.png`),
            solidPng(64, 48, [40 + i * 50, 90, 120]),
        );
        rows.push(`pics/p_${i}.png;${classOf(i)};0.${i + 5}`);
    }
    rows.push("pics/missing.png;Dog;0.5");
    const file = path.join(dir, "labels.csv");
    writeFileSync(file, rows.join("\n") + "\n");
    return file;
}

async function createThroughWizard(page, manifest) {
    await page.getByRole("link", { name: "New project" }).click();
    await page.locator("#p-name").fill("Manifest e2e");
    await page.getByLabel("Image classification (multi-class)").check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Data" }).waitFor({ timeout: kTimeoutMs });
    await page
        .getByLabel("A manifest (CSV, JSONL or Azure MLTable) listing images and labels")
        .check();
    await page.locator("#p-path").fill(manifest);
    await page.getByRole("button", { name: "Read columns" }).click();
    await page
        .locator("[data-testid=preview]", { hasText: "3 columns" })
        .waitFor({ timeout: kTimeoutMs });
    await page.locator("[data-testid=manifest-mapping]").waitFor({ timeout: kTimeoutMs });
    await checkA11y(page, "wizard: manifest mapping");
    await page.locator("#p-map-image").selectOption("Picture");
    await page.locator("#p-map-category").selectOption("Kind");
    await page.locator("#p-map-confidence").selectOption("Certainty");
    await page.getByLabel("Prelabels: labelers confirm or fix them").check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Label classes" }).waitFor({ timeout: kTimeoutMs });
    for (const label of kClasses) {
        await page.locator("#new-label").fill(label);
        await page.locator("#new-label").press("Enter");
    }
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/#\/projects\/\d+$/, { timeout: kTimeoutMs });
    return Number(/projects\/(\d+)/.exec(page.url())[1]);
}

/** Waits for the manifest_ingest job; the project's import history entry. */
async function waitForManifest(page, id) {
    for (let i = 0; ; i++) {
        const p = await api(page, "GET", `/api/v1/projects/${id}`);
        const job = p.body.jobs.find((j) => j.kind === "manifest_ingest");
        check(job?.state !== "failed", `manifest_ingest failed: ${JSON.stringify(job)}`);
        if (job?.state === "done") {
            return p.body.jobs.find((j) => j.kind === "import")?.import;
        }
        check(i < 150, `manifest ingest did not finish: ${JSON.stringify(p.body.jobs)}`);
        await page.waitForTimeout(200);
    }
}

async function run(tmp) {
    const manifest = writeManifest(path.join(tmp, "export"));
    await withSignedInPage(tmp, { width: 1400, height: 900 }, async ({ page, base, errors }) => {
        const id = await createThroughWizard(page, manifest);
        const report = await waitForManifest(page, id);
        check(
            report?.mode === "prelabel" &&
                report.manifest.items === kImages &&
                report.manifest.labeled === kImages &&
                report.manifest.missing === 1 &&
                report.manifest.missing_examples[0] === "labels.csv:6: pics/missing.png",
            `import report: ${JSON.stringify(report)}`,
        );
        const started = await api(page, "POST", `/api/v1/projects/${id}/start`);
        check(started.status === 200, `start: ${JSON.stringify(started.body)}`);

        await page.goto(`${base}/#/projects/${id}/label`);
        await page.locator(".grid .tile").first().waitFor({ timeout: kTimeoutMs });
        await page.getByRole("button", { name: `Show ${kImages} images per page` }).click();
        await page.waitForFunction(
            (n) => document.querySelectorAll(".grid .tile .badge.prelabel").length === n,
            kImages,
            { timeout: kTimeoutMs },
        );
        await checkA11y(page, "labeling grid with manifest prelabels");
        const tiles = await page
            .locator(".grid .tile")
            .evaluateAll((ts) => ts.map((t) => t.dataset.name));
        check(tiles.length === kImages, `grid shows ${tiles.length} tiles`);
        for (const name of tiles) {
            const i = Number(/p_(\d+)\.png$/.exec(name)?.[1]);
            const chips = await page.locator(`.tile[data-name="${name}"] .chip`).allInnerTexts();
            check(
                chips.length === 1 && chips[0].includes(classOf(i)),
                `${name} shows ${chips}, want ${classOf(i)}`,
            );
        }
        check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    });
}

await runInTempDir("tessera-e2e-manifest-", run);
