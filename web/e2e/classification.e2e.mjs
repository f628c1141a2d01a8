// End-to-end acceptance test of the classification workflow, through the real server binary
// and a headless Chromium: log in, create a multi-class project with the wizard, ingest 20
// images, label them all with the keyboard on the 6-image grid, check the dashboard shows 100%
// and that the JSONL export holds exactly what was tagged.
//
//   TESSERA_BIN=/path/to/tessera npm run e2e
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { checkA11y } from "./axe.mjs";
import { solidPng } from "./png.mjs";
import {
    check,
    launchChromium,
    kPassword,
    kTimeoutMs,
    runInTempDir,
    startServer,
} from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const kLabels = ["Red", "Green", "Blue"];

/** 20 solid colours: index % 3 picks the family, so each image's right label is known. */
function makeImages(dir) {
    const expected = new Map();
    for (let i = 0; i < 20; i++) {
        const family = i % 3;
        const shade = 90 + i * 8;
        const rgb = [0, 0, 0].map((_, c) => (c === family ? shade : (i * 5) % 60));
        const name = `img_${String(i).padStart(2, "0")}.png`;
        writeFileSync(path.join(dir, name), solidPng(64, 48, rgb));
        expected.set(name, kLabels[family]);
    }
    return expected;
}

/** At the small size the findings were checked at too (1024 × 700): no sideways scrolling. */
async function checkNarrow(page, name) {
    const before = page.viewportSize();
    await page.setViewportSize({ width: 1024, height: 700 });
    const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    check(overflow <= 0, `${name} at 1024 × 700 scrolls sideways by ${overflow}px`);
    await checkA11y(page, `${name} at 1024 × 700`);
    await page.setViewportSize(before);
}

/**
 * Waits for the wizard's alert to say `expected`. It waits for that text, not for any alert: the
 * page checks a folder on the server, and an earlier answer may still be up when this starts.
 */
async function expectWizardError(page, expected, what) {
    const alert = page.locator(".wizard-form [role=alert]");
    try {
        await alert.filter({ hasText: expected }).waitFor({ timeout: kTimeoutMs });
    } catch {
        const shown = (await alert.count()) > 0 ? await alert.innerText() : "(no alert)";
        throw new Error(`${what}: expected "${expected}", the page shows: ${shown}`);
    }
}

async function createProject(page, imagesDir) {
    await page.getByRole("link", { name: "New project" }).click();
    await checkA11y(page, "wizard: details");
    await page.locator("#p-name").fill("Colours e2e");
    await page.getByLabel("Image classification (multi-class)").check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Data" }).waitFor({ timeout: kTimeoutMs });
    // The Data page names the allowed root and checks the folder before going on: a relative
    // path and a folder outside the root are both refused here, not after Create.
    const root = path.dirname(imagesDir);
    await page.locator("#p-roots code", { hasText: root }).waitFor({ timeout: kTimeoutMs });
    await page.locator("#p-path").fill("images");
    await page.getByRole("button", { name: "Next" }).click();
    await expectWizardError(page, "starting with /", "relative path");
    await page.locator("#p-path").fill(path.dirname(root));
    await page.getByRole("button", { name: "Use pattern *.png" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await expectWizardError(page, "outside the allowed roots", "outside the root");
    check(await page.getByRole("heading", { name: "Data" }).isVisible(), "left the Data page");
    // Pick the folder in the browser instead of typing it.
    await page.getByRole("button", { name: "Browse…" }).click();
    await page.getByRole("button", { name: root, exact: true }).click();
    await page.getByRole("button", { name: "images", exact: true }).click();
    await page
        .locator(".browser-path code", { hasText: imagesDir })
        .waitFor({ timeout: kTimeoutMs });
    await checkA11y(page, "wizard: data, folder browser open");
    await checkNarrow(page, "wizard: data, folder browser open");
    await page.getByRole("button", { name: "Use this folder" }).click();
    check(
        (await page.locator("#p-path").inputValue()) === imagesDir,
        "browser did not fill the path",
    );
    await page
        .locator("[data-testid=preview]", { hasText: `20 images in ${imagesDir} match *.png.` })
        .waitFor({ timeout: kTimeoutMs });
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Label classes" }).waitFor({ timeout: kTimeoutMs });
    for (const label of kLabels) {
        await page.locator("#new-label").fill(label);
        await page.locator("#new-label").press("Enter");
    }
    check(
        (await page.locator(".label-tree .key").allInnerTexts()).join() === "1,2,3",
        "labels do not show keys 1-3",
    );
    await checkA11y(page, "wizard: labels");
    await page.getByRole("button", { name: "Next" }).click();
    await page
        .locator("#p-instructions")
        .fill("# Colours\n\nTag each image with its **main colour**.");
    check(
        (await page.locator(".preview strong").innerText()) === "main colour",
        "instructions preview is not rendered",
    );
    await checkA11y(page, "wizard: instructions");
    await page.getByRole("button", { name: "Next" }).click();
    // Review shows the instructions themselves and the image count.
    check(
        (await page.locator("[data-testid=review-instructions] strong").innerText()) ===
            "main colour",
        "review does not show the instructions",
    );
    check(
        (await page.locator(".review").innerText()).includes("20 images"),
        "review does not show the image count",
    );
    check((await page.title()) === "New project: Review & create · Tessera", await page.title());
    await checkA11y(page, "wizard: review");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/#\/projects\/\d+$/, { timeout: kTimeoutMs });
    return Number(/projects\/(\d+)/.exec(page.url())[1]);
}

async function startWhenIngested(page) {
    await page.locator(".job.done").first().waitFor({ timeout: kTimeoutMs });
    // A draft has no queue: the dashboard says to start it instead of offering "Label data".
    check(
        (await page.getByRole("link", { name: "Label data" }).count()) === 0,
        "Label data is offered for a draft",
    );
    await page.locator("[data-testid=label-hint]").waitFor({ timeout: kTimeoutMs });
    await checkA11y(page, "dashboard (draft)");
    await page.getByRole("button", { name: "Start" }).click();
    await page
        .locator("[data-testid=status]", { hasText: "running" })
        .waitFor({ timeout: kTimeoutMs });
}

/** Name -> label pressed, for one page. Uses three different ways of selecting. */
async function labelPage(page, expected, pageNo, tagged, screenshotDir) {
    const tiles = page.locator(".grid .tile");
    const count = await tiles.count();
    const names = [];
    for (let i = 0; i < count; i++) {
        names.push(await tiles.nth(i).getAttribute("data-name"));
    }
    const keyOf = (name) => String(kLabels.indexOf(expected.get(name)) + 1);
    if (pageNo % 3 === 0) {
        // Click each image, press its key.
        for (const [i, name] of names.entries()) {
            await page.locator(`.tile[data-name="${name}"]`).click();
            if (pageNo === 0 && i === 3) {
                // Mid-page: three tagged, one selected, Submit disabled with its reason.
                check(
                    await page.getByRole("button", { name: "Submit" }).isDisabled(),
                    "Submit enabled on a partly tagged page",
                );
                await page.screenshot({
                    path: path.join(screenshotDir, "labeling.png"),
                    fullPage: true,
                });
            }
            await page.keyboard.press(keyOf(name));
            tagged.set(name, expected.get(name));
        }
    } else if (pageNo % 3 === 1) {
        // Keyboard only: an arrow selects the image under the cursor, the digit tags it and the
        // cursor moves on to the next untagged image.
        for (let i = 0; i < count; i++) {
            await page.keyboard.press("ArrowRight");
            const name = await page
                .locator('.tile[aria-selected="true"]')
                .getAttribute("data-name");
            await page.keyboard.press(keyOf(name));
            tagged.set(name, expected.get(name));
        }
    } else {
        // Multi-select: Ctrl+click every image of one colour, then one key press.
        for (const label of kLabels) {
            const group = names.filter((n) => expected.get(n) === label);
            if (group.length === 0) {
                continue;
            }
            for (const name of group) {
                await page.locator(`.tile[data-name="${name}"]`).click({ modifiers: ["Control"] });
            }
            await page.keyboard.press(String(kLabels.indexOf(label) + 1));
            for (const name of group) {
                tagged.set(name, label);
            }
        }
    }
    for (const name of names) {
        const chip = await page.locator(`.tile[data-name="${name}"] .chip`).innerText();
        check(
            chip.includes(expected.get(name)),
            `${name} shows "${chip}", expected ${expected.get(name)}`,
        );
    }
    check(
        await page.getByRole("button", { name: "Submit" }).isEnabled(),
        "Submit stays disabled on a fully tagged page",
    );
    const first = names[0];
    await page.keyboard.press("Enter");
    await page.waitForFunction(
        (n) => document.querySelector(`.tile[data-name="${n}"]`) === null,
        first,
        { timeout: kTimeoutMs },
    );
    return names.length;
}

/**
 * Every tile of the 4, 6 and 9 grids, and the whole picture of the 1-up view, must be on screen
 * without scrolling at a laptop and a small window size (as in Azure ML's grid).
 */
async function checkGridFits(page, screenshotDir) {
    const sizes = [
        { width: 1440, height: 900 },
        { width: 1024, height: 700 },
    ];
    for (const size of sizes) {
        await page.setViewportSize(size);
        for (const n of [4, 6, 9, 1]) {
            await page
                .getByRole("button", { name: `Show ${n} image${n === 1 ? "" : "s"} per page` })
                .click();
            await page.waitForFunction(
                (n) => document.querySelectorAll(".grid .tile").length === n,
                n,
                { timeout: kTimeoutMs },
            );
            // The 1-up view waits for its full-size picture, so the check sees its real box.
            await page.waitForFunction(
                () => [...document.querySelectorAll(".grid img")].every((i) => i.complete),
                null,
                { timeout: kTimeoutMs },
            );
            const outside = await page.evaluate(() => {
                const vw = document.documentElement.clientWidth;
                const vh = document.documentElement.clientHeight;
                const inView = (r) =>
                    r.left >= 0 && r.top >= 0 && r.right <= vw + 0.5 && r.bottom <= vh + 0.5;
                const bad = [];
                for (const tile of document.querySelectorAll(".grid .tile")) {
                    const r = tile.getBoundingClientRect();
                    if (!inView(r)) {
                        bad.push(`tile ${tile.dataset.name} at ${JSON.stringify(r)}`);
                    }
                    // The picture as drawn (object-fit: contain) must lie inside its frame.
                    const img = tile.querySelector("img");
                    const f = img.getBoundingClientRect();
                    const scale = Math.min(
                        f.width / img.naturalWidth,
                        f.height / img.naturalHeight,
                    );
                    const w = img.naturalWidth * scale;
                    const h = img.naturalHeight * scale;
                    const drawn = {
                        left: f.left + (f.width - w) / 2,
                        top: f.top + (f.height - h) / 2,
                        right: f.left + (f.width + w) / 2,
                        bottom: f.top + (f.height + h) / 2,
                    };
                    if (!(w > 0 && h > 0 && inView(drawn))) {
                        bad.push(`picture of ${tile.dataset.name} at ${JSON.stringify(drawn)}`);
                    }
                }
                const scroll = document.scrollingElement;
                if (scroll.scrollHeight > scroll.clientHeight + 1) {
                    bad.push(`the page scrolls (${scroll.scrollHeight} > ${scroll.clientHeight})`);
                }
                return bad;
            });
            check(
                outside.length === 0,
                `${n}-image layout at ${size.width}×${size.height}: ${outside.join("; ")}`,
            );
            if (n === 9 || n === 1) {
                await page.screenshot({
                    path: path.join(screenshotDir, `grid-${n}-${size.width}x${size.height}.png`),
                });
            }
        }
    }
    await page.setViewportSize({ width: 1400, height: 900 });
}

/**
 * "Back": change the newest earlier answer to another label (opened with the button), then
 * restore it (opened with the "," key).
 */
async function changeEarlierAnswer(page, tagged) {
    const tile = page.locator(".grid .tile").first();
    const flip = async (to, open) => {
        await open();
        await tile.waitFor({ timeout: kTimeoutMs });
        const name = await tile.getAttribute("data-name");
        const before = await tile.locator(".chip").innerText();
        await checkA11y(page, "labeling grid: history (Back)");
        await tile.click();
        await page.keyboard.press(String(kLabels.indexOf(to(name)) + 1));
        await page.keyboard.press("Enter");
        await page.getByText("Saved 1 change(s).").waitFor({ timeout: kTimeoutMs });
        return { name, before };
    };
    const first = await flip(
        (name) => kLabels.find((l) => l !== tagged.get(name)),
        () => page.getByRole("button", { name: "Back: review your earlier answers" }).click(),
    );
    check(
        first.before.includes(tagged.get(first.name)),
        `history shows ${first.before} for ${first.name}`,
    );
    // The changed answer is now the newest, so it leads the history again.
    const second = await flip(
        (name) => tagged.get(name),
        () => page.keyboard.press(","),
    );
    check(
        second.name === first.name,
        `history did not lead with the changed item (${second.name})`,
    );
    check(!second.before.includes(tagged.get(first.name)), "the changed answer was not saved");
    await page.getByRole("heading", { name: "All done" }).waitFor({ timeout: kTimeoutMs });
}

/** The binary embeds web/dist at build time; testing a stale UI would mislead. */
async function checkEmbeddedUi(base) {
    const local = path.join(here, "..", "dist", "index.html");
    if (!existsSync(local)) {
        return;
    }
    const served = await (await fetch(`${base}/`)).text();
    check(
        served === readFileSync(local, "utf8"),
        "the server embeds a different UI build than web/dist: run `npm run build`, then rebuild " +
            "the server binary",
    );
}

/** The dashboard's import form: a JSONL file with one known and one unknown image. */
async function importThroughTheUi(page, tmp) {
    const file = path.join(tmp, "colours.jsonl");
    writeFileSync(
        file,
        `${JSON.stringify({ image_url: "img_00.png", label: "Red" })}\n` +
            `${JSON.stringify({ image_url: "missing.png", label: "Blue" })}\n`,
    );
    await page.locator("#imp-file").setInputFiles(file);
    await page
        .locator("[data-testid=import-file]", { hasText: "colours.jsonl" })
        .waitFor({ timeout: kTimeoutMs });
    check((await page.locator("#imp-format").inputValue()) === "jsonl", "format not detected");
    await page.getByLabel("Prelabels").check();
    await checkA11y(page, "dashboard: import form");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    const report = page.locator("[data-testid=import-report]");
    await report.waitFor({ timeout: kTimeoutMs });
    const text = await report.innerText();
    check(text.includes("1 image(s) matched, 1 not matched"), `import report: ${text}`);
    check(text.includes("missing.png"), `the unmatched row is not listed: ${text}`);
    // The import joins the project's history (the job list, live through the feed).
    const entry = page.locator(".job[data-kind=import]", {
        hasText: "Import of colours.jsonl (jsonl, prelabel) by admin",
    });
    await entry.waitFor({ timeout: kTimeoutMs });
    await checkA11y(page, "dashboard: import report");
    await checkNarrow(page, "dashboard: import report");

    // A Label Studio export (choices) is offered to a classification project and detected.
    const studio = path.join(tmp, "project-1-at-2025.json");
    const task = {
        id: 1,
        data: { image: "/data/upload/1/0a1b2c3d-img_01.png" },
        annotations: [
            {
                id: 5,
                result: [
                    {
                        type: "choices",
                        from_name: "colour",
                        to_name: "image",
                        value: { choices: ["Blue"] },
                    },
                ],
            },
        ],
    };
    writeFileSync(studio, JSON.stringify([task]));
    await page.locator("#imp-file").setInputFiles(studio);
    await page
        .locator("[data-testid=import-file]", { hasText: "project-1-at-2025.json" })
        .waitFor({ timeout: kTimeoutMs });
    const detected = await page.locator("#imp-format").inputValue();
    check(detected === "label-studio", `Label Studio file detected as ${detected}`);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page
        .locator("[data-testid=import-report]", { hasText: "1 image(s) matched, 0 not matched" })
        .waitFor({ timeout: kTimeoutMs });
    return `UI import: ${await entry.innerText()}`;
}

async function run(tmp) {
    const imagesDir = path.join(tmp, "images");
    mkdirSync(imagesDir);
    const expected = makeImages(imagesDir);
    const screenshotDir = path.join(here, "screenshots");
    mkdirSync(screenshotDir, { recursive: true });

    const server = startServer(tmp);
    let browser = null;
    try {
        const port = await server.port;
        const base = `http://127.0.0.1:${port}`;
        await checkEmbeddedUi(base);
        browser = await launchChromium([
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ]);
        const context = await browser.newContext({
            acceptDownloads: true,
            viewport: { width: 1400, height: 900 },
        });
        const page = await context.newPage();
        const consoleErrors = [];
        page.on("pageerror", (e) => consoleErrors.push(String(e)));
        // From labeling on, the console must stay clean: no failed requests ("none yet" is no
        // error), no favicon 404. The wizard's refusals before that are meant to fail.
        let watchConsole = false;
        page.on("console", (m) => {
            if (watchConsole && m.type() === "error") {
                consoleErrors.push(`console: ${m.text()}`);
            }
        });

        await page.goto(`${base}/`);
        await page.locator("#login-user").waitFor({ timeout: kTimeoutMs });
        check((await page.title()) === "Log in · Tessera", `login title: ${await page.title()}`);
        await checkA11y(page, "login");
        await page.locator("#login-user").fill("admin");
        await page.locator("#login-pass").fill("wrong password");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("alert").waitFor({ timeout: kTimeoutMs });
        await page.locator("#login-pass").fill(kPassword);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("heading", { name: "Projects" }).waitFor({ timeout: kTimeoutMs });
        await checkA11y(page, "projects");

        // The account page (password, API tokens, log out everywhere), reached from the header.
        await page.getByRole("link", { name: /^admin \(owner\)$/ }).click();
        await page
            .getByRole("heading", { name: "Account: admin" })
            .waitFor({ timeout: kTimeoutMs });
        check((await page.title()) === "Account · Tessera", `account title: ${await page.title()}`);
        await checkA11y(page, "account");
        await page.goto(`${base}/#/projects`);
        await page.getByRole("heading", { name: "Projects" }).waitFor({ timeout: kTimeoutMs });

        const id = await createProject(page, imagesDir);
        await startWhenIngested(page);
        check(
            (await page.title()) === "Colours e2e · Dashboard · Tessera",
            `dashboard title: ${await page.title()}`,
        );
        await checkA11y(page, "dashboard");

        watchConsole = true;
        await page.getByRole("link", { name: "Label data" }).click();
        await page.locator(".grid .tile").first().waitFor({ timeout: kTimeoutMs });
        await checkA11y(page, "labeling grid");
        // The grid shows where keyboard focus is.
        await page.locator(".grid").focus();
        // Read in one page task: the grid re-renders its tiles, so an element handle taken
        // first may be detached by the time a second call reads its style.
        const outline = await page.evaluate(() => {
            const tile = document.querySelector(".grid .tile.cursor");
            return tile === null ? "no cursor tile" : getComputedStyle(tile).outlineStyle;
        });
        check(outline === "solid", `focused grid: the cursor tile has outline ${outline}`);
        await checkGridFits(page, screenshotDir);
        await page.getByRole("button", { name: "Show 6 images per page" }).click();
        await page.waitForFunction(
            () => document.querySelectorAll(".grid .tile").length === 6,
            null,
            { timeout: kTimeoutMs },
        );

        const tagged = new Map();
        let pageNo = 0;
        while (!(await page.getByRole("heading", { name: "All done" }).isVisible())) {
            check(pageNo < 10, "labeling did not finish within 10 pages");
            await page.locator(".grid .tile").first().waitFor({ timeout: kTimeoutMs });
            const shown = await labelPage(page, expected, pageNo, tagged, screenshotDir);
            check(pageNo === 3 || shown === 6, `page ${pageNo} showed ${shown} images, expected 6`);
            pageNo++;
            await page.locator(".grid .tile, .all-done").first().waitFor({ timeout: kTimeoutMs });
        }
        check(tagged.size === 20, `tagged ${tagged.size} images, expected 20`);
        await changeEarlierAnswer(page, tagged);
        await checkA11y(page, "labeling: all done");
        await page.getByRole("button", { name: "Instructions" }).click();
        check(
            (await page.locator("#instructions-panel strong").innerText()) === "main colour",
            "instructions panel is empty",
        );
        await checkA11y(page, "labeling: instructions open");
        await page.keyboard.press("?");
        await page
            .getByRole("heading", { name: "Keyboard shortcuts" })
            .waitFor({ timeout: kTimeoutMs });
        await checkA11y(page, "labeling: shortcuts dialog");
        await page.keyboard.press("Escape");

        await page.getByRole("link", { name: "Go to the dashboard" }).click();
        await page
            .locator("[data-testid=percent]", { hasText: "100%" })
            .waitFor({ timeout: kTimeoutMs });
        await page.screenshot({ path: path.join(screenshotDir, "dashboard.png"), fullPage: true });
        // Informational: "● Live" means SSE works; polling is the designed fallback, not a failure.
        const feed = await page.locator("[data-testid=feed-mode]").innerText();

        const [download] = await Promise.all([
            page.waitForEvent("download", { timeout: kTimeoutMs }),
            page.getByRole("link", { name: "Export JSONL" }).click(),
        ]);
        const file = await download.path();
        const lines = readFileSync(file, "utf8")
            .split("\n")
            .filter((l) => l.trim() !== "");
        check(lines.length === 20, `export has ${lines.length} lines, expected 20`);
        const exported = new Map(
            lines.map((l) => {
                const row = JSON.parse(l);
                return [path.basename(row.image_url), row.label];
            }),
        );
        for (const [name, label] of tagged) {
            check(
                exported.get(name) === label,
                `export says ${name} -> ${JSON.stringify(exported.get(name))}, tagged ${label}`,
            );
            check(
                path.isAbsolute(
                    lines.map((l) => JSON.parse(l).image_url).find((u) => u.endsWith(name)) ?? "",
                ),
                `${name}: image_url is not an absolute path`,
            );
        }
        await checkA11y(page, "dashboard (done)");
        const imported = await importThroughTheUi(page, tmp);
        // The projects list with a project in it (the first check saw it empty).
        await page.goto(`${base}/#/projects`);
        await page
            .getByRole("link", { name: "Colours e2e" })
            .first()
            .waitFor({ timeout: kTimeoutMs });
        await checkA11y(page, "projects (one finished)");
        check(consoleErrors.length === 0, `page errors: ${consoleErrors.join("; ")}`);
        console.log(
            `project ${id}: labeled ${tagged.size} images on ${pageNo} pages; export matches; ` +
                `dashboard feed: ${feed}; ${imported}`,
        );
    } finally {
        await browser?.close();
        await server.stop();
    }
}

await runInTempDir("tessera-e2e-", run);
