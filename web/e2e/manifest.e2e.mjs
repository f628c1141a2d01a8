// End-to-end test of a manifest project through the real server binary and headless Chromium:
// the wizard's Data page reads a CSV's columns (semicolon-separated, headers the server does not
// guess), the column mapping is chosen by hand, the labels are imported as prelabels, and the
// labeler's grid shows them pre-applied with the review badge. The row naming a missing file is
// reported in the import history, the rest kept. With Azurite, a second project reads its rows'
// azureml:// and AmlDatastore:// references from a container the wizard's datastore form names
// (a wrong account key comes back next to the datastore's key field, then the right one).
//
//   TESSERA_BIN=/path/to/tessera [TESSERA_TEST_AZURITE_URL=...] node e2e/manifest.e2e.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { checkA11y } from "./axe.mjs";
import {
    fieldError,
    haveAzurite,
    kAzurite,
    kAzuriteKey,
    refusedKeyThenRightOne,
    uploadToAzurite,
} from "./azurite.mjs";
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

/** Opens the wizard's Data page for `manifest` and reads its columns (`columns`: "3 columns"). */
async function openManifestPage(page, name, manifest, columns) {
    await page.getByRole("link", { name: "New project" }).click();
    await page.locator("#p-name").fill(name);
    await page.getByLabel("Image classification (multi-class)").check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Data" }).waitFor({ timeout: kTimeoutMs });
    await page
        .getByLabel("A manifest (CSV, JSONL or Azure MLTable) listing images and labels")
        .check();
    await page.locator("#p-path").fill(manifest);
    await page.getByRole("button", { name: "Read columns" }).click();
    await page
        .locator("[data-testid=preview]", { hasText: columns })
        .waitFor({ timeout: kTimeoutMs });
    await page.locator("[data-testid=manifest-mapping]").waitFor({ timeout: kTimeoutMs });
}

/** From the Data page: the label classes, then the review page. */
async function toReview(page) {
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Label classes" }).waitFor({ timeout: kTimeoutMs });
    for (const label of kClasses) {
        await page.locator("#new-label").fill(label);
        await page.locator("#new-label").press("Enter");
    }
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
}

/** Creates the project from the review page; its id. */
async function create(page) {
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/#\/projects\/\d+$/, { timeout: kTimeoutMs });
    return Number(/projects\/(\d+)/.exec(page.url())[1]);
}

async function createThroughWizard(page, manifest) {
    await openManifestPage(page, "Manifest e2e", manifest, "3 columns");
    await checkA11y(page, "wizard: manifest mapping");
    await page.locator("#p-map-image").selectOption("Picture");
    await page.locator("#p-map-category").selectOption("Kind");
    await page.locator("#p-map-confidence").selectOption("Certainty");
    await page.getByLabel("Prelabels: labelers confirm or fix them").check();
    await toReview(page);
    return create(page);
}

const kBlobs = 3;

/**
 * export/pets/b_0.png ... uploaded to `container`, and a CSV in `dir` naming them through the
 * datastore "wsblobs" in each reference form Azure ML writes (plus one blob that is not there).
 */
function writeDatastoreManifest(dir, container) {
    const blobs = path.join(dir, "blobs");
    mkdirSync(path.join(blobs, "export", "pets"), { recursive: true });
    for (let i = 0; i < kBlobs; i++) {
        writeFileSync(
            path.join(blobs, "export", "pets", `b_${i}.png`),
            solidPng(40 + i, 30, [200, 40 * i, 90]),
        );
    }
    const uploaded = uploadToAzurite(container, blobs);
    check(uploaded === kBlobs, `uploaded ${uploaded}`);
    const rows = [
        "image_url,label",
        "azureml://subscriptions/s/resourcegroups/r/workspaces/w/datastores/wsblobs/paths/pets/b_0.png,Cat",
        "AmlDatastore://wsblobs/pets/b_1.png,Dog",
        "azureml://datastores/wsblobs/paths/pets/b_2.png,Cat",
        "AmlDatastore://wsblobs/pets/gone.png,Dog",
    ];
    mkdirSync(path.join(dir, "aml"), { recursive: true });
    const file = path.join(dir, "aml", "rows.csv");
    writeFileSync(file, rows.join("\n") + "\n");
    return file;
}

/** The wizard's datastore form: row 1 is an Azure container (Azurite), first with a bad key. */
async function createWithAzureDatastore(page, manifest, container) {
    await openManifestPage(page, "Datastore e2e", manifest, "2 columns");
    await page.locator("#p-map-image").selectOption("image_url");
    await page.locator("#p-map-category").selectOption("label");
    await page.getByRole("button", { name: "Add datastore" }).click();
    await page.locator("#p-ds-name-0").fill("wsblobs");
    await page.getByLabel("An Azure Blob Storage container", { exact: true }).check();
    await page.locator("#p-ds-0-az-url").fill(kAzurite);
    await page.locator("#p-ds-0-az-container").fill("Not_A_Container");
    await page.locator("#p-ds-0-az-prefix").fill("export");
    check((await page.locator("#p-ds-0-az-pattern").count()) === 0, "a datastore has no pattern");
    await page.locator("input[name=p-ds-0-az-credential][value=account_key]").check();
    const key = page.locator("#p-ds-0-az-key");
    check((await key.getAttribute("type")) === "password", "the key is not a password input");
    await key.fill(`AAAA${kAzuriteKey.slice(4)}`); // base64, but not the account's key
    // What the browser can check is refused next to the datastore's field.
    await page.getByRole("button", { name: "Next" }).click();
    const name = await fieldError(page, "p-ds-0-az-container");
    check(name.includes("lower-case"), `container name: ${name}`);
    await page.locator("#p-ds-0-az-container").fill(container);
    await checkA11y(page, "wizard: manifest with an Azure datastore");
    await toReview(page);
    const review = await page.locator(".review").innerText();
    check(review.includes(`wsblobs → ${kAzurite} / ${container}/export`), `review: ${review}`);
    await refusedKeyThenRightOne(page, "p-ds-0-az-key");
    return create(page);
}

async function checkAzureDatastoreProject(page, base, tmp) {
    const container = `e2e-manifest-${process.pid}`;
    const manifest = writeDatastoreManifest(path.join(tmp, "azure"), container);
    const id = await createWithAzureDatastore(page, manifest, container);
    const report = await waitForManifest(page, id);
    check(
        report?.manifest.items === kBlobs &&
            report.manifest.labeled === kBlobs &&
            report.manifest.missing === 1,
        `import report: ${JSON.stringify(report)}`,
    );
    const project = await api(page, "GET", `/api/v1/projects/${id}`);
    check(
        !JSON.stringify(project.body).includes(kAzuriteKey.slice(0, 16)),
        "the key was sent back",
    );
    await page.goto(`${base}/#/projects/${id}/data`);
    await page.waitForFunction(
        (n) => document.querySelectorAll(".data-item").length === n,
        kBlobs,
        { timeout: kTimeoutMs },
    );
    const shown = (await page.locator(".data-item .data-name").allInnerTexts()).sort();
    const want = Array.from({ length: kBlobs }, (_, i) => `b_${i}.png`);
    check(JSON.stringify(shown) === JSON.stringify(want), `items shown: ${shown}`);
    const items = await api(page, "GET", `/api/v1/projects/${id}/items?limit=10`);
    const named = items.body.items.map((i) => `${i.path}:${i.width}`).sort();
    check(
        JSON.stringify(named) === '["pets/b_0.png:40","pets/b_1.png:41","pets/b_2.png:42"]',
        JSON.stringify(items.body.items),
    );
    const thumb = await page.locator(".data-item img").first().getAttribute("src");
    const status = await page.evaluate(async (url) => (await fetch(url)).status, thumb);
    check(status === 200, `thumbnail ${thumb}: ${status}`);
    console.log(`created a manifest project over an Azure datastore; ${kBlobs} items shown`);
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
        if (haveAzurite()) {
            await page.goto(`${base}/#/projects`);
            await checkAzureDatastoreProject(page, base, tmp);
        }
        check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    });
}

await runInTempDir("tessera-e2e-manifest-", run);
