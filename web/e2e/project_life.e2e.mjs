// End-to-end test of project life through the real server binary and headless Chromium:
// the details page edits the instructions and adds a class with "continue" (labels already
// given stay), and the Data tab filters items by class and opens an item's answers with every
// earlier version. The pages pass the axe check.
//
//   TESSERA_BIN=/path/to/tessera node e2e/project_life.e2e.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { checkA11y } from "./axe.mjs";
import { solidPng } from "./png.mjs";
import {
    api,
    check,
    kTimeoutMs,
    runInTempDir,
    waitForIngest,
    withSignedInPage,
} from "./server.mjs";

async function createLabeledProject(page, dir) {
    mkdirSync(dir);
    for (let i = 0; i < 4; i++) {
        writeFileSync(path.join(dir, `img_${i}.png`), solidPng(64, 48, [40 + i * 40, 90, 120]));
    }
    const created = await api(page, "POST", "/api/v1/projects", {
        name: "Life",
        task_type: "multiclass",
        labels: [{ name: "Cat" }, { name: "Dog" }],
        instructions: { text: "", url: "" },
        datasource: { kind: "local", path: dir, pattern: "*.png" },
    });
    check(created.status === 201, `create: ${JSON.stringify(created.body)}`);
    const id = created.body.id;
    await waitForIngest(page, id);
    check((await api(page, "POST", `/api/v1/projects/${id}/start`)).status === 200, "start");
    const next = await api(page, "POST", `/api/v1/projects/${id}/next`, { count: 4 });
    check(
        next.status === 200 && next.body.items.length === 4,
        `next: ${JSON.stringify(next.body)}`,
    );
    const answers = ["Cat", "Dog"];
    for (const [i, item] of next.body.items.slice(0, answers.length).entries()) {
        const r = await api(page, "PUT", `/api/v1/projects/${id}/items/${item.id}/annotation`, {
            lease: next.body.lease,
            labels: [answers[i]],
        });
        check(r.status === 200, `submit: ${JSON.stringify(r.body)}`);
    }
    // The cat was a dog for a while: two edits, two earlier versions.
    const cat = next.body.items[0];
    for (const labels of [["Dog"], ["Cat"]]) {
        const r = await api(page, "PUT", `/api/v1/projects/${id}/items/${cat.id}/annotation`, {
            lease: "",
            labels,
        });
        check(r.status === 200 && r.body.outcome === "updated", `edit: ${JSON.stringify(r.body)}`);
    }
    return { id, cat: cat.name };
}

async function detailsFlow(page, base, id) {
    await page.goto(`${base}/#/projects/${id}/details`);
    await page.getByRole("heading", { name: "Data sources" }).waitFor({ timeout: kTimeoutMs });
    check(await page.locator("[data-testid=refresh-status]").isVisible(), "no refresh status");
    await checkA11y(page, "project details");

    await page.getByText("Edit instructions").click();
    await page.locator("#edit-instructions-text").fill("Tag **every** animal.");
    await page.getByRole("button", { name: "Save instructions" }).click();
    await page
        .locator("[data-testid=instructions] strong", { hasText: "every" })
        .waitFor({ timeout: kTimeoutMs });

    await page.locator("#add-classes").fill("Other");
    const keep = page.getByRole("radio", { name: /Continue, and keep all existing labels/ });
    check(await keep.isChecked(), "continue is not the default choice");
    await page.getByRole("button", { name: "Save classes" }).click();
    await page.locator("input[data-path=Other]").waitFor({ timeout: kTimeoutMs });
    const p = await api(page, "GET", `/api/v1/projects/${id}`);
    check(
        p.body.instructions.text === "Tag **every** animal." &&
            p.body.label_list.map((l) => l.path).join() === "Cat,Dog,Other" &&
            p.body.progress.labeled === 2,
        `after the edits: ${JSON.stringify(p.body)}`,
    );
}

async function dataTabFlow(page, base, id, catName) {
    await page.goto(`${base}/#/projects/${id}/data`);
    await page.getByRole("search", { name: "Filter items" }).waitFor({ timeout: kTimeoutMs });
    await page.waitForFunction(() => document.querySelectorAll(".data-item").length === 4, null, {
        timeout: kTimeoutMs,
    });
    await checkA11y(page, "data tab");
    await page.locator("#filter-label").selectOption("Cat");
    await page.waitForFunction(() => document.querySelectorAll(".data-item").length === 1, null, {
        timeout: kTimeoutMs,
    });
    const shown = await page.locator(".data-item .data-name").innerText();
    check(shown === catName, `label=Cat shows ${shown}, expected ${catName}`);
    check(
        (await page.locator(".data-item img").getAttribute("src")).endsWith("/thumbnail"),
        "no thumbnail",
    );

    await page.getByRole("button", { name: `Answers and history of ${catName}` }).click();
    const dialog = page.getByRole("dialog", { name: catName });
    await dialog.getByTestId("record-history").locator("li").nth(1).waitFor({
        timeout: kTimeoutMs,
    });
    const answers = await dialog.getByTestId("record-answers").innerText();
    check(/^admin: Cat \(.* UTC\); counts for the item$/.test(answers), `answers: ${answers}`);
    const history = await dialog.getByTestId("record-history").locator("li").allInnerTexts();
    check(
        history.length === 2 &&
            /^admin: Cat .*; changed by admin, .* UTC$/.test(history[0]) &&
            /^admin: Dog .*; changed by admin, .* UTC$/.test(history[1]),
        `history: ${JSON.stringify(history)}`,
    );
    await checkA11y(page, "an item's answers and history");
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "detached", timeout: kTimeoutMs });
}

async function run(tmp) {
    await withSignedInPage(tmp, { width: 1300, height: 900 }, async ({ page, base, errors }) => {
        const { id, cat } = await createLabeledProject(page, path.join(tmp, "images"));
        await detailsFlow(page, base, id);
        await dataTabFlow(page, base, id, cat);
        check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    });
}

await runInTempDir("tessera-e2e-life-", run);
