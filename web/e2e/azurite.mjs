// Azurite for the e2e specs: its endpoint (TESSERA_TEST_AZURITE_URL, which scripts/azurite.sh
// start prints), the development account's published key, uploads with Microsoft's own client
// (azurite_upload.mjs), and the wizard's refusal of a wrong key next to its input.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { check, kTimeoutMs } from "./server.mjs";

export const kAzurite = process.env.TESSERA_TEST_AZURITE_URL ?? "";
export const kAzuriteKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** False (and says so) when no Azurite is set; fails instead when TESSERA_REQUIRE_AZURITE=1. */
export function haveAzurite() {
    if (kAzurite !== "") {
        return true;
    }
    check(process.env.TESSERA_REQUIRE_AZURITE !== "1", "TESSERA_TEST_AZURITE_URL is not set");
    console.log("skipped: no Azurite (set TESSERA_TEST_AZURITE_URL)");
    return false;
}

/** Uploads every file under `dir` to `container`, named by its relative path; their count. */
export function uploadToAzurite(container, dir) {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "azurite_upload.mjs");
    const out = execFileSync("node", [script, kAzurite, container, dir], { encoding: "utf8" });
    return Number(out.trim());
}

/** The error shown under the wizard's input `id`, once it appears. */
export async function fieldError(page, id) {
    const error = page.locator(`[data-testid=${id}-error]`);
    await error.waitFor({ timeout: kTimeoutMs });
    return error.innerText();
}

/**
 * On the review page with a wrong account key typed in input `keyId`: Create is refused by the
 * server's connection check, shown next to that input on the Data page (without echoing the
 * key); the right key is typed and the wizard walks back to the review page.
 */
export async function refusedKeyThenRightOne(page, keyId) {
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("heading", { name: "Data" }).waitFor({ timeout: kTimeoutMs });
    const refused = await fieldError(page, keyId);
    check(refused.includes("the account key is wrong"), `wrong key: ${refused}`);
    check(!refused.includes(kAzuriteKey.slice(4, 20)), "the key was echoed");
    await page.locator(`#${keyId}`).fill(kAzuriteKey);
    for (let i = 0; i < 3; i++) {
        await page.getByRole("button", { name: "Next" }).click();
    }
}
