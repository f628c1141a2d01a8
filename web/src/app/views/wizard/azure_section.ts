// The Data page for an Azure Blob container: account URL, container, prefix and pattern, and the
// credential (a SAS token or the account key, chosen by a radio; the key is a password input).
// A problem with an input, found by the wizard or by the server's connection check at creation,
// is shown next to that input.
import { h } from "../../dom";
import type { AzureCredential, AzureForm } from "./azure_form";
import { azureFieldError, kAzureInputIds } from "./azure_form";
import { field, input, itemLimitField, refreshFields, switchedFieldset } from "./form_fields";
import type { WizardState } from "./wizard_state";

const kFieldLabels = {
    "datasource.account_url": "Storage account URL",
    "datasource.container": "Container",
    "datasource.prefix": "Folder in the container (optional)",
    "datasource.pattern": "File pattern (glob)",
    "datasource.account_name": "Account name (custom domains only)",
};

/** The message for `name` ("datasource.container"): the server's, else the browser's. */
function errorFor(s: WizardState, name: string): string | undefined {
    const server = azureFieldError(s.serverError);
    if (server !== null && server.field === name) {
        return server.message;
    }
    return s.fieldProblems.find((p) => p.field === name)?.message;
}

function textField(
    s: WizardState,
    name: keyof typeof kFieldLabels,
    key: "accountUrl" | "container" | "prefix" | "pattern" | "accountName",
    extra: Record<string, string>,
    hint: string,
): HTMLElement {
    const id = kAzureInputIds[name] ?? name;
    const control = input(id, s.azure[key], (v) => (s.azure[key] = v), {
        "aria-describedby": `${id}-hint`,
        ...extra,
    });
    return field(id, kFieldLabels[name], control, hint, errorFor(s, name));
}

function credentialFields(s: WizardState, f: AzureForm): HTMLElement {
    const sas = (): HTMLElement => {
        const id = kAzureInputIds["datasource.sas_token"] ?? "p-az-sas";
        return field(
            id,
            "SAS token",
            input(id, f.sasToken, (v) => (f.sasToken = v), {
                spellcheck: "false",
                placeholder: "sv=…&sp=rl&sig=…",
                "aria-describedby": `${id}-hint`,
            }),
            "A container SAS with read (r) and list (l) permissions.",
            errorFor(s, "datasource.sas_token"),
        );
    };
    const key = (): HTMLElement => {
        const id = kAzureInputIds["datasource.account_key"] ?? "p-az-key";
        return field(
            id,
            "Account key",
            input(id, f.accountKey, (v) => (f.accountKey = v), {
                type: "password",
                spellcheck: "false",
                "aria-describedby": `${id}-hint`,
            }),
            "Key 1 or key 2 of the storage account (Access keys in the Azure portal).",
            errorFor(s, "datasource.account_key"),
        );
    };
    return switchedFieldset<AzureCredential>(
        "Credential (stored encrypted, never shown again)",
        "p-az-credential",
        [
            ["sas_token", "SAS token"],
            ["account_key", "Account key"],
        ],
        () => f.credential,
        (value) => (f.credential = value),
        (value) => (value === "sas_token" ? sas() : key()),
    );
}

export function azureSection(s: WizardState): HTMLElement {
    return h(
        "div",
        { "data-testid": "azure-source" },
        textField(
            s,
            "datasource.account_url",
            "accountUrl",
            {
                type: "url",
                spellcheck: "false",
                placeholder: "https://ACCOUNT.blob.core.windows.net",
            },
            "The blob endpoint of the storage account.",
        ),
        textField(
            s,
            "datasource.account_name",
            "accountName",
            { spellcheck: "false" },
            "Only when the URL is a custom domain that does not start with the account's name.",
        ),
        textField(
            s,
            "datasource.container",
            "container",
            { spellcheck: "false", placeholder: "photos" },
            "Lower-case letters, digits and hyphens.",
        ),
        textField(
            s,
            "datasource.prefix",
            "prefix",
            { spellcheck: "false", placeholder: "2024/cats" },
            "Only blobs under this folder; item names are taken below it.",
        ),
        textField(
            s,
            "datasource.pattern",
            "pattern",
            { spellcheck: "false" },
            "** matches any number of folders, * any name part.",
        ),
        credentialFields(s, s.azure),
        itemLimitField(s.itemLimit, (v) => (s.itemLimit = v)),
        refreshFields(s),
    );
}
