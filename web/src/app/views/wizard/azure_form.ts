// The wizard's Azure Blob Storage source (docs/design/azure_blob.md): what the user typed, the
// checks made before the server's own connection check, and the datasource object sent. Kept
// apart from the DOM so it can be tested.
import type { ApiError } from "../../../client/result";
import type { AzureBlobDatastore, Datasource } from "../../../schema/api";

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

/** The fields of an Azure connection, as the server names them after their scope. */
export type AzureField =
    | "account_url"
    | "container"
    | "prefix"
    | "pattern"
    | "sas_token"
    | "account_key"
    | "account_name";

const kIdSuffixes: Record<AzureField, string> = {
    account_url: "url",
    container: "container",
    prefix: "prefix",
    pattern: "pattern",
    sas_token: "sas",
    account_key: "key",
    account_name: "account",
};

/**
 * Where a form's fields live: `at` is the server's name for the form ("datasource", or
 * "datasource.datastores.NAME" for a manifest's datastore), `idPrefix` its inputs' ids ("p-az").
 */
export interface AzureScope {
    readonly at: string;
    readonly idPrefix: string;
}

/** The project's own Azure source. */
export const kAzureSource: AzureScope = { at: "datasource", idPrefix: "p-az" };

/** The scope of a manifest's datastore: row `index` of the Data page, named `name`. */
export function datastoreScope(index: number, name: string): AzureScope {
    return { at: `datasource.datastores.${name.trim()}`, idPrefix: `p-ds-${index}-az` };
}

/** The input id of `name` in `scope`, for showing its error next to it. */
export function azureInputId(scope: AzureScope, name: AzureField): string {
    return `${scope.idPrefix}-${kIdSuffixes[name]}`;
}

/** The server's name of `name` in `scope` ("datasource.container"). */
export function azureFieldName(scope: AzureScope, name: AzureField): string {
    return `${scope.at}.${name}`;
}

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

function credentialProblem(f: AzureForm): [AzureField, string] | null {
    if (f.credential === "sas_token") {
        const sas = f.sasToken.trim();
        if (sas === "") {
            return ["sas_token", "Enter the SAS token."];
        }
        if (/^https?:\/\//i.test(sas)) {
            return ["sas_token", "Give the SAS token (sv=…&sig=…), not the whole SAS URL."];
        }
        return null;
    }
    const key = f.accountKey.trim();
    if (key === "") {
        return ["account_key", "Enter the account key."];
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
        return ["account_key", "The account key is base64, as the Azure portal shows it."];
    }
    return null;
}

/**
 * Problems the browser can see before asking the server, each named in `scope`; empty when the
 * form may be sent.
 */
export function azureProblems(f: AzureForm, scope: AzureScope = kAzureSource): FieldProblem[] {
    const out: [AzureField, string][] = [];
    const url = urlProblem(f.accountUrl.trim());
    if (url !== null) {
        out.push(["account_url", url]);
    }
    const container = f.container.trim();
    if (container === "") {
        out.push(["container", "Enter the container's name."]);
    } else if (!kContainerName.test(container)) {
        out.push([
            "container",
            "Container names are 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.",
        ]);
    }
    if (f.prefix.split("/").includes("..")) {
        out.push(["prefix", "The prefix must not contain '..'."]);
    }
    const pattern = f.pattern.trim();
    if (pattern.split("/").includes("..") || pattern.startsWith("/")) {
        out.push(["pattern", "The pattern must be relative and must not contain '..'."]);
    }
    const account = f.accountName.trim();
    if (account !== "" && !/^[a-z0-9]{3,24}$/.test(account)) {
        out.push(["account_name", "Account names are 3-24 lower-case letters and digits."]);
    }
    const credential = credentialProblem(f);
    if (credential !== null) {
        out.push(credential);
    }
    return out.map(([name, message]) => ({ field: azureFieldName(scope, name), message }));
}

/** A manifest's Azure datastore: the container, without a pattern (rows name their blobs). */
export function azureDatastore(f: AzureForm): AzureBlobDatastore {
    const out: AzureBlobDatastore = {
        kind: "azure_blob",
        account_url: f.accountUrl.trim(),
        container: f.container.trim(),
        prefix: f.prefix.trim(),
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

/** The API's azure_blob datasource: only the chosen credential is sent. */
export function azureDatasource(f: AzureForm): Datasource {
    return {
        ...azureDatastore(f),
        path: "",
        pattern: f.pattern.trim() === "" ? "**/*.*" : f.pattern.trim(),
    };
}

const kServerFields = new Set<string>(Object.keys(kIdSuffixes));

/**
 * The input a server error is about: an Azure field of the source or of a manifest's datastore
 * ("datasource.datastores.NAME.sas_token"), or the source's account URL for an account the
 * server could not reach (503, no field).
 */
export function azureFieldError(e: ApiError | null): FieldProblem | null {
    if (e === null) {
        return null;
    }
    if (e.field === undefined && e.code === "unavailable") {
        return { field: azureFieldName(kAzureSource, "account_url"), message: e.message };
    }
    const match = /^datasource(?:\.datastores\..+)?\.([a-z_]+)$/.exec(e.field ?? "");
    if (match === null || !kServerFields.has(match[1] ?? "")) {
        return null;
    }
    return { field: e.field ?? "", message: e.message };
}
