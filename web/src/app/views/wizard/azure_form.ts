// The wizard's Azure Blob Storage source (docs/design/azure_blob.md): what the user typed, the
// checks made before the server's own connection check, and the datasource object sent. Kept
// apart from the DOM so it can be tested.
import type { ApiError } from "../../../client/result";
import type { Datasource } from "../../../schema/api";

export type AzureCredential = "sas_token" | "account_key";

export interface AzureForm {
    accountUrl: string;
    container: string;
    prefix: string;
    pattern: string;
    credential: AzureCredential;
    sasToken: string;
    accountKey: string;
    /** The storage account, for an account URL on a custom domain; "" otherwise. */
    accountName: string;
}

/** A problem with one input: `field` is the server's name for it ("datasource.container"). */
export interface FieldProblem {
    field: string;
    message: string;
}

/** The input id of each field the server may name, for showing its error next to it. */
export const kAzureInputIds: Record<string, string> = {
    "datasource.account_url": "p-az-url",
    "datasource.container": "p-az-container",
    "datasource.prefix": "p-az-prefix",
    "datasource.pattern": "p-az-pattern",
    "datasource.sas_token": "p-az-sas",
    "datasource.account_key": "p-az-key",
    "datasource.account_name": "p-az-account",
};

export function emptyAzureForm(): AzureForm {
    return {
        accountUrl: "",
        container: "",
        prefix: "",
        pattern: "**/*.*",
        credential: "sas_token",
        sasToken: "",
        accountKey: "",
        accountName: "",
    };
}

// Azure's rule: 3-63 lower-case letters, digits and single hyphens, starting and ending with a
// letter or digit.
const kContainerName = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;

function urlProblem(text: string): string | null {
    if (text === "") {
        return "Enter the storage account's blob URL.";
    }
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return "The account URL must look like https://ACCOUNT.blob.core.windows.net.";
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        return "The account URL must start with https://.";
    }
    if (url.search !== "" || url.hash !== "" || url.username !== "") {
        return "Give the account URL alone; put the SAS token in its own field.";
    }
    return null;
}

function credentialProblem(f: AzureForm): FieldProblem | null {
    if (f.credential === "sas_token") {
        const sas = f.sasToken.trim();
        if (sas === "") {
            return { field: "datasource.sas_token", message: "Enter the SAS token." };
        }
        if (/^https?:\/\//i.test(sas)) {
            return {
                field: "datasource.sas_token",
                message: "Give the SAS token (sv=…&sig=…), not the whole SAS URL.",
            };
        }
        return null;
    }
    const key = f.accountKey.trim();
    if (key === "") {
        return { field: "datasource.account_key", message: "Enter the account key." };
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
        return {
            field: "datasource.account_key",
            message: "The account key is base64, as the Azure portal shows it.",
        };
    }
    return null;
}

/** Problems the browser can see before asking the server; empty when the form may be sent. */
export function azureProblems(f: AzureForm): FieldProblem[] {
    const out: FieldProblem[] = [];
    const url = urlProblem(f.accountUrl.trim());
    if (url !== null) {
        out.push({ field: "datasource.account_url", message: url });
    }
    const container = f.container.trim();
    if (container === "") {
        out.push({ field: "datasource.container", message: "Enter the container's name." });
    } else if (!kContainerName.test(container)) {
        out.push({
            field: "datasource.container",
            message:
                "Container names are 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.",
        });
    }
    if (f.prefix.split("/").includes("..")) {
        out.push({ field: "datasource.prefix", message: "The prefix must not contain '..'." });
    }
    const pattern = f.pattern.trim();
    if (pattern.split("/").includes("..") || pattern.startsWith("/")) {
        out.push({
            field: "datasource.pattern",
            message: "The pattern must be relative and must not contain '..'.",
        });
    }
    const account = f.accountName.trim();
    if (account !== "" && !/^[a-z0-9]{3,24}$/.test(account)) {
        out.push({
            field: "datasource.account_name",
            message: "Account names are 3-24 lower-case letters and digits.",
        });
    }
    const credential = credentialProblem(f);
    if (credential !== null) {
        out.push(credential);
    }
    return out;
}

/** The API's azure_blob datasource: only the chosen credential is sent. */
export function azureDatasource(f: AzureForm): Datasource {
    const out: Datasource = {
        kind: "azure_blob",
        path: "",
        account_url: f.accountUrl.trim(),
        container: f.container.trim(),
        prefix: f.prefix.trim(),
        pattern: f.pattern.trim() === "" ? "**/*.*" : f.pattern.trim(),
    };
    if (f.accountName.trim() !== "") {
        out.account_name = f.accountName.trim();
    }
    if (f.credential === "sas_token") {
        out.sas_token = f.sasToken.trim().replace(/^\?/, "");
    } else {
        out.account_key = f.accountKey.trim();
    }
    return out;
}

/**
 * The input a server error is about: the field it names (one of kAzureInputIds), or the account
 * URL for an account the server could not reach (503, no field).
 */
export function azureFieldError(e: ApiError | null): FieldProblem | null {
    if (e === null) {
        return null;
    }
    if (e.field === undefined && e.code === "unavailable") {
        return { field: "datasource.account_url", message: e.message };
    }
    if (e.field === undefined || !(e.field in kAzureInputIds)) {
        return null;
    }
    return { field: e.field, message: e.message };
}
