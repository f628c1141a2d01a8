// Azurite for the e2e specs: its endpoint (TESSERA_TEST_AZURITE_URL, which scripts/azurite.sh
// start prints), the development account's published key, and uploads with Microsoft's own
// client (azurite_upload.mjs).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { check } from "./server.mjs";

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
