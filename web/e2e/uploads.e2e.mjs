// End-to-end test of the dashboard's "Upload images" panel with the real server binary and
// headless Chromium: a folder of four PNGs is picked (webkitdirectory), the first PATCHes are
// cut off as a dropped connection would be, the uploads resume from the server's offset and
// finish; the same folder sent again is skipped as already there; then one uploaded item is
// labeled and its image served.
//
// Until uploaded files get their own datasource (issue 9), the project's folder is the upload
// folder itself, <data dir>/uploads/<project id>, so the image routes find them.
//
//   TESSERA_BIN=/path/to/tessera node e2e/uploads.e2e.mjs
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

const kNames = ["a.png", "b.png", "c.png", "sub/d.png"];
const kDropped = 2; // PATCH requests cut off before the uploads may go through

async function run(tmp) {
    const shots = path.join(tmp, "shots");
    mkdirSync(path.join(shots, "sub"), { recursive: true });
    kNames.forEach((name, i) => {
        writeFileSync(path.join(shots, name), solidPng(64 + i, 48, [40 * i, 90, 200]));
    });
    writeFileSync(path.join(shots, "notes.txt"), "not an image");
    // Project 1's upload folder is its datasource (see the note above).
    const uploads = path.join(tmp, "data", "uploads", "1");
    mkdirSync(uploads, { recursive: true });
    await withSignedInPage(tmp, { width: 1280, height: 900 }, async ({ page, base, errors }) => {
        const created = await api(page, "POST", "/api/v1/projects", {
            name: "Uploads",
            task_type: "multiclass",
            labels: [{ name: "Cat" }, { name: "Dog" }],
            instructions: { text: "", url: "" },
            datasource: { kind: "local", path: uploads, pattern: "**/*.*" },
        });
        check(created.status === 201, `create: ${JSON.stringify(created.body)}`);
        const id = created.body.id;
        check(id === 1, `project id ${id}`);
        await waitForIngest(page, id);

        await page.goto(`${base}/#/projects/${id}`);
        const panel = page.getByRole("region", { name: "Upload images" });
        await panel.waitFor({ timeout: kTimeoutMs });
        await checkA11y(page, "dashboard with the upload panel");

        let dropped = 0;
        await page.route("**/api/v1/projects/*/uploads/*", async (route) => {
            if (route.request().method() === "PATCH" && dropped < kDropped) {
                dropped++;
                await route.abort("connectionreset");
                return;
            }
            await route.continue();
        });
        await page.setInputFiles("#up-folder", shots);
        const summary = page.locator("[data-testid=upload-summary]");
        await summary
            .getByText("Uploaded 4, skipped 0 already in the project, failed 0.")
            .waitFor({ timeout: 60_000 });
        check(dropped === kDropped, `only ${dropped} PATCHes were cut off`);
        await checkA11y(page, "upload summary");

        const items = await api(page, "GET", `/api/v1/projects/${id}/items?limit=10`);
        const paths = items.body.items.map((i) => i.path).sort();
        check(
            JSON.stringify(paths) === JSON.stringify(kNames.map((n) => `shots/${n}`)),
            `items ${JSON.stringify(paths)}`,
        );
        const stored = await page.evaluate(() =>
            Object.keys(localStorage).filter((k) => k.startsWith("tessera.upload.")),
        );
        check(stored.length === 0, `upload URLs left in localStorage: ${stored.join()}`);

        // Finished files are not sent again.
        await page.unroute("**/api/v1/projects/*/uploads/*");
        await page.setInputFiles("#up-folder", shots);
        await summary
            .getByText("Uploaded 0, skipped 4 already in the project, failed 0.")
            .waitFor({ timeout: kTimeoutMs });

        // Label one uploaded item; its image is served.
        const started = await api(page, "POST", `/api/v1/projects/${id}/start`);
        check(started.status === 200, `start: ${JSON.stringify(started.body)}`);
        const leased = await api(page, "POST", `/api/v1/projects/${id}/next`, { count: 1 });
        check(leased.status === 200 && leased.body.items.length === 1, JSON.stringify(leased.body));
        const item = leased.body.items[0];
        const image = await page.evaluate(async (url) => (await fetch(url)).status, item.image_url);
        check(image === 200, `image of ${item.name}: ${image}`);
        const saved = await api(page, "PUT", `/api/v1/projects/${id}/items/${item.id}/annotation`, {
            lease: leased.body.lease,
            labels: ["Cat"],
        });
        check(saved.status === 200, `label: ${saved.status} ${JSON.stringify(saved.body)}`);
        check(errors.length === 0, `page errors: ${errors.join("\n")}`);
        console.log(
            `uploaded ${kNames.length} files through ${dropped} dropped PATCHes; labeled ${item.name}`,
        );
    });
}

await runInTempDir("tessera-uploads-e2e-", run);
