import { describe, expect, it } from "vitest";

import type { AzureForm } from "./azure_form";
import {
    azureDatasource,
    azureDatastore,
    azureFieldError,
    azureInputId,
    azureProblems,
    datastoreScope,
    emptyAzureForm,
    kAzureSource,
} from "./azure_form";
import type { WizardState } from "./wizard_state";
import { emptyWizard, toNewProject, validateStep } from "./wizard_state";

const kKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

function filled(extra: Partial<AzureForm> = {}): AzureForm {
    return {
        ...emptyAzureForm(),
        accountUrl: " https://acct1.blob.core.windows.net ",
        container: "photos",
        prefix: "2024/cats",
        pattern: "**/*.jpg",
        sasToken: "?sv=2021-08-06&sp=rl&sig=abc",
        ...extra,
    };
}

/** A wizard whose Data page is a filled Azure form, ready to create. */
function azureWizard(extra: Partial<WizardState> = {}): WizardState {
    return {
        ...emptyWizard(),
        name: "Blobs",
        source: "azure",
        azure: filled(),
        labels: [{ name: "Cat" }],
        ...extra,
    };
}

describe("azureProblems", () => {
    it("names the field of each problem", () => {
        const fields = azureProblems(emptyAzureForm()).map((p) => p.field);
        expect(fields).toEqual([
            "datasource.account_url",
            "datasource.container",
            "datasource.sas_token",
        ]);
        expect(azureProblems(filled())).toEqual([]);
    });

    it("checks the URL, container name, prefix and pattern", () => {
        const problems = (f: Partial<AzureForm>): string[] =>
            azureProblems(filled(f)).map((p) => p.field);
        expect(problems({ accountUrl: "acct1.blob.core.windows.net" })).toEqual([
            "datasource.account_url",
        ]);
        expect(problems({ accountUrl: "ftp://acct1.example.com" })).toEqual([
            "datasource.account_url",
        ]);
        expect(problems({ accountUrl: "https://acct1.blob.core.windows.net/?sv=1&sig=x" })).toEqual(
            ["datasource.account_url"],
        );
        for (const bad of ["Photos", "ab", "a--b", "-ab", "ab-", "a_b", "x".repeat(64)]) {
            expect(problems({ container: bad })).toEqual(["datasource.container"]);
        }
        expect(problems({ container: "a-b-3" })).toEqual([]);
        expect(problems({ prefix: "a/../b" })).toEqual(["datasource.prefix"]);
        expect(problems({ accountName: "Acct_1" })).toEqual(["datasource.account_name"]);
        expect(problems({ accountName: "acct1" })).toEqual([]);
        expect(problems({ pattern: "/abs/*.jpg" })).toEqual(["datasource.pattern"]);
        expect(problems({ pattern: "../*.jpg" })).toEqual(["datasource.pattern"]);
    });

    it("checks only the chosen credential", () => {
        expect(
            azureProblems(filled({ sasToken: "https://a.blob.core.windows.net/c?sig=x" })),
        ).toHaveLength(1);
        const key = filled({ credential: "account_key", sasToken: "" });
        expect(azureProblems(key)).toEqual([
            { field: "datasource.account_key", message: "Enter the account key." },
        ]);
        expect(azureProblems({ ...key, accountKey: "not base64!" })[0]?.field).toBe(
            "datasource.account_key",
        );
        expect(azureProblems({ ...key, accountKey: kKey })).toEqual([]);
    });
});

describe("azureDatasource", () => {
    it("sends the SAS token without its '?' and no key", () => {
        expect(azureDatasource(filled({ accountKey: kKey }))).toEqual({
            kind: "azure_blob",
            path: "",
            account_url: "https://acct1.blob.core.windows.net",
            container: "photos",
            prefix: "2024/cats",
            pattern: "**/*.jpg",
            sas_token: "sv=2021-08-06&sp=rl&sig=abc",
        });
    });

    it("sends the key alone when the key is chosen, and the default pattern", () => {
        const ds = azureDatasource(
            filled({ credential: "account_key", accountKey: ` ${kKey} `, pattern: " " }),
        );
        expect(ds.account_key).toBe(kKey);
        expect(ds.sas_token).toBeUndefined();
        expect(ds.pattern).toBe("**/*.*");
        expect(ds.account_name).toBeUndefined();
        const custom = azureDatasource(
            filled({ accountUrl: "https://images.example.com", accountName: " acct1 " }),
        );
        expect(custom.account_name).toBe("acct1");
    });

    it("is what the wizard creates for an Azure source", () => {
        const s = azureWizard({ itemLimit: "1000" });
        expect(validateStep("review", s)).toEqual([]);
        const created = toNewProject(s);
        expect(created.datasource.kind).toBe("azure_blob");
        expect(created.datasource.container).toBe("photos");
        expect(created.item_limit).toBe(1000);
        expect(validateStep("data", { ...s, itemLimit: "x" })).toEqual([
            "The item limit must be a positive whole number.",
        ]);
        expect(validateStep("data", { ...s, azure: emptyAzureForm() })).toHaveLength(3);
    });

    it("takes refresh settings, since a container is refreshed like a folder", () => {
        const s = azureWizard();
        expect(toNewProject(s).refresh).toBeUndefined();
        const on = { ...s, refreshEnabled: true, refreshMinutes: "30" };
        expect(toNewProject(on).refresh).toEqual({ enabled: true, interval_s: 1800 });
        expect(validateStep("data", { ...on, refreshMinutes: "0" })).toEqual([
            "The interval must be at least 1 minute.",
        ]);
    });
});

describe("azure scopes", () => {
    it("names a datastore's fields and inputs apart from the source's", () => {
        const scope = datastoreScope(2, " wsblobs ");
        expect(azureInputId(kAzureSource, "account_key")).toBe("p-az-key");
        expect(azureInputId(scope, "account_key")).toBe("p-ds-2-az-key");
        expect(azureProblems(emptyAzureForm(), scope).map((p) => p.field)).toEqual([
            "datasource.datastores.wsblobs.account_url",
            "datasource.datastores.wsblobs.container",
            "datasource.datastores.wsblobs.sas_token",
        ]);
    });

    it("sends a datastore as the azure_blob object without path or pattern", () => {
        expect(azureDatastore(filled({ accountName: "acct1" }))).toEqual({
            kind: "azure_blob",
            account_url: "https://acct1.blob.core.windows.net",
            container: "photos",
            prefix: "2024/cats",
            account_name: "acct1",
            sas_token: "sv=2021-08-06&sp=rl&sig=abc",
        });
    });
});

describe("azureFieldError", () => {
    it("places the server's refusal next to the input it names", () => {
        expect(
            azureFieldError({
                status: 400,
                code: "invalid_argument",
                message: "the SAS token does not allow listing (needs l permission)",
                field: "datasource.sas_token",
            }),
        ).toEqual({
            field: "datasource.sas_token",
            message: "the SAS token does not allow listing (needs l permission)",
        });
        expect(
            azureFieldError({ status: 503, code: "unavailable", message: "cannot reach" })?.field,
        ).toBe("datasource.account_url");
        expect(
            azureFieldError({ status: 409, code: "conflict", message: "taken", field: "name" }),
        ).toBeNull();
        // A manifest's datastore, named the way the server names it (a name may hold dots).
        const datastore = {
            status: 400,
            code: "invalid_argument" as const,
            message: 'datastore "ws.1": the account key is wrong',
            field: "datasource.datastores.ws.1.account_key",
        };
        expect(azureFieldError(datastore)?.field).toBe("datasource.datastores.ws.1.account_key");
        expect(
            azureFieldError({ ...datastore, field: "datasource.datastores.ws.1.format" }),
        ).toBeNull();
        expect(azureFieldError(null)).toBeNull();
    });
});
