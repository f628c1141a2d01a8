// The Data page for an Azure Blob container: account URL, container, prefix and pattern, and the
// credential (a SAS token or the account key, chosen by a radio; the key is a password input).
// A manifest's Azure datastores take the same fields, less the pattern. A problem with an input,
// found by the wizard or by the server's connection check at creation, is shown next to that
// input.
import { h } from "../../dom";
import type { AzureCredential, AzureField, AzureForm, AzureScope } from "./azure_form";
import { azureFieldError, azureFieldName, azureInputId, kAzureSource } from "./azure_form";
import { field, input, itemLimitField, refreshFields, switchedFieldset } from "./form_fields";
import type { WizardState } from "./wizard_state";

type TextKey = "accountUrl" | "container" | "prefix" | "pattern" | "accountName";

/** Each text input: the form's key, its label, extra attributes and its hint. */
const kTextFields: Record<
    Exclude<AzureField, "sas_token" | "account_key">,
    readonly [TextKey, string, Record<string, string>, string]
> = {
    account_url: [
        "accountUrl",
        "Storage account URL",
        { type: "url", spellcheck: "false", placeholder: "https://ACCOUNT.blob.core.windows.net" },
        "The blob endpoint of the storage account.",
    ],
    account_name: [
        "accountName",
        "Account name (custom domains only)",
        { spellcheck: "false" },
        "Only when the URL is a custom domain that does not start with the account's name.",
    ],
    container: [
        "container",
        "Container",
        { spellcheck: "false", placeholder: "photos" },
        "Lower-case letters, digits and hyphens.",
    ],
    prefix: [
        "prefix",
        "Folder in the container (optional)",
        { spellcheck: "false", placeholder: "2024/cats" },
        "Only blobs under this folder; item names are taken below it.",
    ],
    pattern: [
        "pattern",
        "File pattern (glob)",
        { spellcheck: "false" },
        "** matches any number of folders, * any name part.",
    ],
};

/** The message for `name` in `scope`: the server's, else the browser's. */
function errorFor(s: WizardState, scope: AzureScope, name: AzureField): string | undefined {
    const full = azureFieldName(scope, name);
    const server = azureFieldError(s.serverError);
    if (server !== null && server.field === full) {
        return server.message;
    }
    return s.fieldProblems.find((p) => p.field === full)?.message;
}

function textField(
    s: WizardState,
    f: AzureForm,
    scope: AzureScope,
    name: keyof typeof kTextFields,
): HTMLElement {
    const [key, label, extra, hint] = kTextFields[name];
    const id = azureInputId(scope, name);
    const control = input(id, f[key], (v) => (f[key] = v), {
        "aria-describedby": `${id}-hint`,
        ...extra,
    });
    return field(id, label, control, hint, errorFor(s, scope, name));
}

function credentialFields(s: WizardState, f: AzureForm, scope: AzureScope): HTMLElement {
    const sas = (): HTMLElement => {
        const id = azureInputId(scope, "sas_token");
        return field(
            id,
            "SAS token",
            input(id, f.sasToken, (v) => (f.sasToken = v), {
                spellcheck: "false",
                placeholder: "sv=…&sp=rl&sig=…",
                "aria-describedby": `${id}-hint`,
            }),
            "A container SAS with read (r) and list (l) permissions.",
            errorFor(s, scope, "sas_token"),
        );
    };
    const key = (): HTMLElement => {
        const id = azureInputId(scope, "account_key");
        return field(
            id,
            "Account key",
            input(id, f.accountKey, (v) => (f.accountKey = v), {
                type: "password",
                spellcheck: "false",
                "aria-describedby": `${id}-hint`,
            }),
            "Key 1 or key 2 of the storage account (Access keys in the Azure portal).",
            errorFor(s, scope, "account_key"),
        );
    };
    return switchedFieldset<AzureCredential>(
        "Credential (stored encrypted, never shown again)",
        `${scope.idPrefix}-credential`,
        [
            ["sas_token", "SAS token"],
            ["account_key", "Account key"],
        ],
        () => f.credential,
        (value) => (f.credential = value),
        (value) => (value === "sas_token" ? sas() : key()),
    );
}

/**
 * The inputs of one Azure connection `f`, named in `scope`: the project's source (with its
 * pattern) or a manifest's datastore (without: its rows name their blobs).
 */
export function azureFields(
    s: WizardState,
    f: AzureForm,
    scope: AzureScope,
    withPattern: boolean,
): HTMLElement[] {
    const names: (keyof typeof kTextFields)[] = [
        "account_url",
        "account_name",
        "container",
        "prefix",
    ];
    if (withPattern) {
        names.push("pattern");
    }
    return [...names.map((name) => textField(s, f, scope, name)), credentialFields(s, f, scope)];
}

export function azureSection(s: WizardState): HTMLElement {
    return h(
        "div",
        { "data-testid": "azure-source" },
        azureFields(s, s.azure, kAzureSource, true),
        itemLimitField(s.itemLimit, (v) => (s.itemLimit = v)),
        refreshFields(s),
    );
}
