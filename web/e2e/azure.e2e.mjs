// End-to-end test of an Azure Blob datasource through the real server binary and headless
// Chromium: PNGs uploaded to Azurite with Microsoft's own client, a project created with the
// wizard's Azure form (a wrong account key comes back next to the key field, then the right
// one), and its items shown on the Data tab with their thumbnails served from the blob cache.
// Needs Azurite: TESSERA_TEST_AZURITE_URL (scripts/azurite.sh start DIR prints it); skipped
// without it unless TESSERA_REQUIRE_AZURITE=1.
//
//   TESSERA_BIN=/path/to/tessera TESSERA_TEST_AZURITE_URL=... node e2e/azure.e2e.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { checkA11y } from "./axe.mjs";
import {
    fieldError,
    haveAzurite,
    kAzurite,
    kAzuriteKey as kKey,
    refusedKeyThenRightOne,
    uploadToAzurite,
} from "./azurite.mjs";
import { solidPng } from "./png.mjs";
import {
    api,
    check,
    kTimeoutMs,
    runInTempDir,
    waitForIngest,
    withSignedInPage,
} from "./server.mjs";

const kNames = ["red.png", "green.png", "blue.png"];

function uploadBlobs(tmp, container) {
    const dir = path.join(tmp, "blobs");
    mkdirSync(path.join(dir, "shots"), { recursive: true });
    kNames.forEach((name, i) => {
        writeFileSync(path.join(dir, "shots", name), solidPng(48, 32, [200 * (i === 0), 90, 40]));
    });
    writeFileSync(path.join(dir, "elsewhere.png"), solidPng(8, 8, [0, 0, 0])); // not the prefix
    const uploaded = uploadToAzurite(container, dir);
    check(uploaded === kNames.length + 1, `uploaded ${uploaded}`);
}

async function throughTheWizard(page, container) {
    await page.getByRole("link", { name: "New project" }).click();
    await page.locator("#p-name").fill("Blobs e2e");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Data" }).waitFor({ timeout: kTimeoutMs });
    await page.getByLabel("Every image in an Azure Blob Storage container").check();
    // What the browser can check is refused next to the field, before the server is asked.
    await page.locator("#p-az-url").fill(kAzurite);
    await page.locator("#p-az-container").fill("Not_A_Container");
    await page.getByRole("button", { name: "Next" }).click();
    const name = await fieldError(page, "p-az-container");
    check(name.includes("lower-case"), `container name: ${name}`);
    check(
        (await page.locator("#p-az-container").getAttribute("aria-invalid")) === "true",
        "the container input is not marked invalid",
    );
    await page.locator("#p-az-container").fill(container);
    await page.locator("#p-az-prefix").fill("shots");
    await page.locator("#p-az-pattern").fill("*.png");
    await page.getByLabel("Account key").check();
    const key = page.locator("#p-az-key");
    check((await key.getAttribute("type")) === "password", "the key is not a password input");
    await key.fill(`AAAA${kKey.slice(4)}`); // base64, but not the account's key
    await checkA11y(page, "wizard: azure data");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Label classes" }).waitFor({ timeout: kTimeoutMs });
    await page.locator("#new-label").fill("Red");
    await page.locator("#new-label").press("Enter");
    await page.locator("#new-label").fill("Other");
    await page.locator("#new-label").press("Enter");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    check(
        (await page.locator(".review").innerText()).includes(container),
        "review does not name the container",
    );
    await refusedKeyThenRightOne(page, "p-az-key");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/#\/projects\/\d+$/, { timeout: kTimeoutMs });
    return Number(/projects\/(\d+)/.exec(page.url())[1]);
}

async function run(tmp) {
    if (!haveAzurite()) {
        return;
    }
    const container = `e2e-${process.pid}`;
    uploadBlobs(tmp, container);
    await withSignedInPage(tmp, { width: 1300, height: 900 }, async ({ page, base, errors }) => {
        const id = await throughTheWizard(page, container);
        const project = await waitForIngest(page, id);
        check(project.progress.total === kNames.length, `total ${project.progress.total}`);
        check(project.datasource.credential === "account_key", JSON.stringify(project.datasource));
        check(!JSON.stringify(project).includes(kKey.slice(0, 16)), "the key was sent back");

        await page.goto(`${base}/#/projects/${id}/data`);
        await page.waitForFunction(
            (n) => document.querySelectorAll(".data-item").length === n,
            kNames.length,
            { timeout: kTimeoutMs },
        );
        const shown = (await page.locator(".data-item .data-name").allInnerTexts()).sort();
        check(
            JSON.stringify(shown) === JSON.stringify([...kNames].sort()),
            `items shown: ${shown}`,
        );
        const thumb = await page.locator(".data-item img").first().getAttribute("src");
        const status = await page.evaluate(async (url) => (await fetch(url)).status, thumb);
        check(status === 200, `thumbnail ${thumb}: ${status}`);
        const items = await api(page, "GET", `/api/v1/projects/${id}/items?limit=10`);
        check(
            items.body.items.every((i) => i.width === 48),
            JSON.stringify(items.body.items),
        );
        check(errors.length === 0, `page errors: ${errors.join("; ")}`);
        console.log(`created an Azure project through the wizard; ${kNames.length} items shown`);
    });
}

await runInTempDir("tessera-azure-e2e-", run);
