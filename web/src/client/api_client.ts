// Typed fetch client for HTTP API v1. Remembers the CSRF token from the session and sends it on
// every unsafe request; turns the API's JSON error bodies (and network failures) into ApiError.
import type {
    AnswerEffort,
    AnnotationView,
    ApiToken,
    CreatedApiToken,
    Dashboard,
    DatasourcePreview,
    DicomMetadata,
    ItemRecord,
    ManifestFormat,
    ManifestPreview,
    Draft,
    FolderListing,
    ImportReport,
    ItemList,
    ItemPage,
    ExportFormat,
    ErrorCodeName,
    Id,
    Job,
    LeasedPage,
    LogoutEverywhereResult,
    MlAssist,
    MlChange,
    MlRound,
    NewProject,
    PageSize,
    Project,
    RefreshChange,
    ProjectPatch,
    Session,
    SubmitResult,
    TileInfo,
    TimeMs,
} from "../schema/api";
import type { ImportRequest } from "../schema/import_options";
import { importQuery } from "../schema/import_options";
import type { ApiShape } from "../schema/shapes";
import type { ApiError, ApiResult } from "./result";
import { fail, ok } from "./result";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

const kCodeByStatus: Record<number, ErrorCodeName> = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "unavailable",
};

function isErrorBody(
    body: unknown,
): body is { error: { code: ErrorCodeName; message: string; field?: string } } {
    if (typeof body !== "object" || body === null || !("error" in body)) {
        return false;
    }
    const e = body.error;
    return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

async function errorFrom(res: Response): Promise<ApiError> {
    let body: unknown = null;
    try {
        body = await res.json();
    } catch {
        // Not JSON (a proxy page, an empty body): fall back to the status line.
    }
    if (isErrorBody(body)) {
        const { code, message, field } = body.error;
        return field === undefined
            ? { status: res.status, code, message }
            : { status: res.status, code, message, field };
    }
    const code = kCodeByStatus[res.status] ?? "internal";
    const text = res.statusText === "" ? "" : ` ${res.statusText}`;
    return { status: res.status, code, message: `Request failed: HTTP ${res.status}${text}` };
}

/** What an import upload is, from its name, for the request's Content-Type. */
export function uploadContentType(fileName: string): string {
    const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? "";
    const types: Record<string, string> = {
        zip: "application/zip",
        json: "application/json",
        jsonl: "application/jsonl",
        ndjson: "application/jsonl",
        xml: "application/xml",
        csv: "text/csv",
        txt: "text/plain",
    };
    return types[ext] ?? "application/octet-stream";
}

export class ApiClient {
    private csrf_ = "";
    private onUnauthenticated_: (() => void) | null = null;

    constructor(
        private readonly fetchImpl: FetchLike,
        private readonly base = "",
    ) {}

    get csrfToken(): string {
        return this.csrf_;
    }

    /** Called when any request comes back 401 (session expired): the app shows the login. */
    onUnauthenticated(fn: () => void): void {
        this.onUnauthenticated_ = fn;
    }

    // Session

    async login(username: string, password: string): Promise<ApiResult<Session>> {
        return this.session(
            await this.request<Session>("POST", "/api/v1/session", { username, password }, false),
        );
    }

    async restoreSession(): Promise<ApiResult<Session>> {
        return this.session(
            await this.request<Session>("GET", "/api/v1/session", undefined, false),
        );
    }

    async logout(): Promise<ApiResult<null>> {
        const r = await this.request<null>("DELETE", "/api/v1/session");
        this.csrf_ = "";
        return r;
    }

    /** Ends every session of the user, this one included; optionally revokes their tokens. */
    async logoutEverywhere(revokeTokens: boolean): Promise<ApiResult<LogoutEverywhereResult>> {
        const query = revokeTokens ? "?revoke_tokens=true" : "";
        const r = await this.request<LogoutEverywhereResult>("DELETE", `/api/v1/sessions${query}`);
        if (r.ok) {
            this.csrf_ = "";
        }
        return r;
    }

    changePassword(currentPassword: string, newPassword: string): Promise<ApiResult<null>> {
        return this.request("PUT", "/api/v1/session/password", {
            current_password: currentPassword,
            new_password: newPassword,
        });
    }

    // API tokens

    listTokens(): Promise<ApiResult<{ tokens: ApiToken[] }>> {
        return this.request("GET", "/api/v1/tokens");
    }
    createToken(name: string, expiresInDays: number): Promise<ApiResult<CreatedApiToken>> {
        return this.request("POST", "/api/v1/tokens", { name, expires_in_days: expiresInDays });
    }
    revokeToken(id: Id): Promise<ApiResult<null>> {
        return this.request("DELETE", `/api/v1/tokens/${id}`);
    }

    // Projects

    listProjects(): Promise<ApiResult<{ projects: Project[] }>> {
        return this.request("GET", "/api/v1/projects");
    }
    getProject(id: Id): Promise<ApiResult<Project>> {
        return this.request("GET", `/api/v1/projects/${id}`);
    }
    createProject(spec: NewProject): Promise<ApiResult<Project>> {
        return this.request("POST", "/api/v1/projects", spec);
    }
    startProject(id: Id): Promise<ApiResult<Project>> {
        return this.request("POST", `/api/v1/projects/${id}/start`);
    }
    pauseProject(id: Id): Promise<ApiResult<Project>> {
        return this.request("POST", `/api/v1/projects/${id}/pause`);
    }
    updateRefresh(id: Id, refresh: RefreshChange): Promise<ApiResult<Project>> {
        return this.request("PATCH", `/api/v1/projects/${id}`, { refresh });
    }
    refreshNow(id: Id): Promise<ApiResult<{ job: Job }>> {
        return this.request("POST", `/api/v1/projects/${id}/refresh`);
    }
    /** ML assist's state: settings, the latest round's stages, threshold, coverage, next round. */
    mlAssist(id: Id): Promise<ApiResult<MlAssist>> {
        return this.request("GET", `/api/v1/projects/${id}/ml`);
    }
    updateMlAssist(id: Id, ml_assist: MlChange): Promise<ApiResult<Project>> {
        return this.request("PATCH", `/api/v1/projects/${id}`, { ml_assist });
    }
    trainNow(id: Id): Promise<ApiResult<{ round: MlRound }>> {
        return this.request("POST", `/api/v1/projects/${id}/ml/train`);
    }
    /** A page of the project's items by a few filters, e.g. `{ state: "missing" }`. */
    listItemsWhere(
        id: Id,
        query: Partial<Record<"state" | "source" | "after" | "limit", string | number>>,
    ): Promise<ApiResult<ItemList>> {
        const params = new URLSearchParams();
        for (const [key, value] of Object.entries(query)) {
            params.set(key, String(value));
        }
        return this.request("GET", `/api/v1/projects/${id}/items?${params.toString()}`);
    }
    patchProject(id: Id, patch: ProjectPatch): Promise<ApiResult<Project>> {
        return this.request("PATCH", `/api/v1/projects/${id}`, patch);
    }
    deleteProject(id: Id): Promise<ApiResult<null>> {
        return this.request("DELETE", `/api/v1/projects/${id}`);
    }
    /** An item with its answers and their earlier versions (owners see every labeler's). */
    itemRecord(id: Id, itemId: Id): Promise<ApiResult<ItemRecord>> {
        return this.request("GET", `/api/v1/projects/${id}/items/${itemId}`);
    }
    /** `query` is built by itemQueryString (schema/item_query). */
    listItems(id: Id, query: string): Promise<ApiResult<ItemPage>> {
        return this.request("GET", `/api/v1/projects/${id}/items?${query}`);
    }
    dashboard(id: Id): Promise<ApiResult<Dashboard>> {
        return this.request("GET", `/api/v1/projects/${id}/dashboard`);
    }
    exportUrl(id: Id, format: ExportFormat): string {
        return `${this.base}/api/v1/projects/${id}/export?format=${format}`;
    }
    eventsUrl(id: Id): string {
        return `${this.base}/api/v1/projects/${id}/events`;
    }

    // Labeling

    next(id: Id, count: PageSize): Promise<ApiResult<LeasedPage>> {
        return this.request("POST", `/api/v1/projects/${id}/next`, { count });
    }
    renew(id: Id, lease: string): Promise<ApiResult<{ lease_expires_at: TimeMs }>> {
        return this.request(
            "POST",
            `/api/v1/projects/${id}/leases/${encodeURIComponent(lease)}/renew`,
        );
    }
    /** `keepalive` lets the request outlive the page (used when the tab closes). */
    release(id: Id, lease: string, keepalive = false): Promise<ApiResult<null>> {
        return this.request(
            "DELETE",
            `/api/v1/projects/${id}/leases/${encodeURIComponent(lease)}`,
            undefined,
            true,
            keepalive,
        );
    }
    /** An empty lease changes the caller's own earlier answer. `effort`: what the UI measured. */
    submit(
        id: Id,
        itemId: Id,
        lease: string,
        labels: readonly string[],
        effort?: AnswerEffort,
    ): Promise<ApiResult<SubmitResult>> {
        const body = { ...(lease === "" ? {} : { lease }), labels, ...(effort && { effort }) };
        return this.request("PUT", `/api/v1/projects/${id}/items/${itemId}/annotation`, body);
    }
    /** Drawing projects: the shapes replace the item's annotation (same lease rules). */
    submitShapes(
        id: Id,
        itemId: Id,
        lease: string,
        shapes: readonly ApiShape[],
        effort?: AnswerEffort,
    ): Promise<ApiResult<unknown>> {
        const body = { ...(lease === "" ? {} : { lease }), shapes, ...(effort && { effort }) };
        return this.request("PUT", `/api/v1/projects/${id}/items/${itemId}/annotation`, body);
    }
    /**
     * The caller's stored answer for an item, else its prelabel (`source: "prelabel"`) for
     * review; `null` when there is neither (the server answers 204: "none yet" is no error).
     */
    annotation(id: Id, itemId: Id): Promise<ApiResult<AnnotationView | null>> {
        return this.request("GET", `/api/v1/projects/${id}/items/${itemId}/annotation`);
    }
    /** Autosaved work in progress; `keepalive` lets it outlive a closing tab. */
    saveDraft(
        id: Id,
        itemId: Id,
        shapes: readonly ApiShape[],
        keepalive = false,
    ): Promise<ApiResult<unknown>> {
        return this.request(
            "PUT",
            `/api/v1/projects/${id}/items/${itemId}/draft`,
            { shapes },
            true,
            keepalive,
        );
    }
    /** The caller's autosaved draft; `null` when there is none (204). */
    draft(id: Id, itemId: Id): Promise<ApiResult<Draft | null>> {
        return this.request("GET", `/api/v1/projects/${id}/items/${itemId}/draft`);
    }
    /** The object inside `box` (image pixels) as a polygon ring; empty when none stands out. */
    outline(
        id: Id,
        itemId: Id,
        box: { x: number; y: number; w: number; h: number },
    ): Promise<ApiResult<{ points: [number, number][] }>> {
        return this.request("POST", `/api/v1/projects/${id}/items/${itemId}/outline`, { box });
    }
    tileInfo(id: Id, itemId: Id): Promise<ApiResult<TileInfo>> {
        return this.request("GET", `/api/v1/projects/${id}/items/${itemId}/tiles/info`);
    }
    dicomMetadata(id: Id, itemId: Id): Promise<ApiResult<DicomMetadata>> {
        return this.request("GET", `/api/v1/projects/${id}/items/${itemId}/dicom`);
    }
    tileUrl(id: Id, itemId: Id, level: number, col: number, row: number): string {
        return `${this.base}/api/v1/projects/${id}/items/${itemId}/tiles/${level}/${col}/${row}`;
    }
    skip(id: Id, itemId: Id, lease: string): Promise<ApiResult<null>> {
        return this.request("POST", `/api/v1/projects/${id}/items/${itemId}/skip`, { lease });
    }
    history(
        id: Id,
        limit: number,
        before?: TimeMs,
    ): Promise<ApiResult<{ items: AnnotationView[] }>> {
        const q = new URLSearchParams({ limit: String(limit) });
        if (before !== undefined) {
            q.set("before", String(before));
        }
        return this.request("GET", `/api/v1/projects/${id}/history?${q.toString()}`);
    }

    // Datasources (owners)

    /** `path` "" lists only the allowed roots. */
    listFolders(path: string): Promise<ApiResult<FolderListing>> {
        const q = path === "" ? "" : `?${new URLSearchParams({ path }).toString()}`;
        return this.request("GET", `/api/v1/datasources/folders${q}`);
    }
    previewManifest(path: string, format: ManifestFormat): Promise<ApiResult<ManifestPreview>> {
        return this.request("POST", "/api/v1/datasources/manifest/preview", { path, format });
    }

    previewDatasource(path: string, pattern: string): Promise<ApiResult<DatasourcePreview>> {
        return this.request("POST", "/api/v1/datasources/preview", { path, pattern });
    }

    // Import (owners)

    /**
     * Uploads an annotation file. A 422 (row errors, nothing applied) is still a report, so it
     * comes back as a value with `applied: false`, not as an error.
     */
    async importFile(id: Id, file: Blob, request: ImportRequest): Promise<ApiResult<ImportReport>> {
        const q = importQuery(request);
        const r = await this.send(`/api/v1/projects/${id}/import?${q.toString()}`, {
            method: "POST",
            headers: {
                Accept: "application/json",
                "Content-Type": uploadContentType(request.fileName),
                "X-CSRF-Token": this.csrf_,
            },
            credentials: "same-origin",
            body: file,
        });
        if (!r.ok) {
            return fail(r.error);
        }
        const res = r.value;
        if (res.ok || res.status === 422) {
            return this.parseJson<ImportReport>(res);
        }
        return this.failed(res, true);
    }

    private session(r: ApiResult<Session>): ApiResult<Session> {
        if (r.ok) {
            this.csrf_ = r.value.csrf_token;
        }
        return r;
    }

    private async request<T>(
        method: Method,
        path: string,
        body?: unknown,
        notify401 = true,
        keepalive = false,
    ): Promise<ApiResult<T>> {
        const headers: Record<string, string> = { Accept: "application/json" };
        // Every unsafe request is a JSON request, body or not: the server may refuse others.
        if (body !== undefined || method !== "GET") {
            headers["Content-Type"] = "application/json";
        }
        if (method !== "GET" && this.csrf_ !== "") {
            headers["X-CSRF-Token"] = this.csrf_;
        }
        const init: RequestInit = { method, headers, credentials: "same-origin", keepalive };
        if (body !== undefined) {
            init.body = JSON.stringify(body);
        }
        const sent = await this.send(path, init);
        if (!sent.ok) {
            return fail(sent.error);
        }
        const res = sent.value;
        if (!res.ok) {
            return this.failed(res, notify401);
        }
        if (res.status === 204) {
            return ok(null as T);
        }
        return this.parseJson<T>(res);
    }

    private async send(path: string, init: RequestInit): Promise<ApiResult<Response>> {
        try {
            return ok(await this.fetchImpl(`${this.base}${path}`, init));
        } catch (e) {
            const detail = e instanceof Error ? e.message : String(e);
            return fail({
                status: 0,
                code: "network",
                message: `Cannot reach the server (${detail}).`,
            });
        }
    }

    private async failed<T>(res: Response, notify401: boolean): Promise<ApiResult<T>> {
        const error = await errorFrom(res);
        if (res.status === 401 && notify401) {
            this.onUnauthenticated_?.();
        }
        return fail(error);
    }

    private async parseJson<T>(res: Response): Promise<ApiResult<T>> {
        try {
            return ok((await res.json()) as T);
        } catch {
            return fail({
                status: res.status,
                code: "network",
                message: "The server sent a malformed response.",
            });
        }
    }
}
