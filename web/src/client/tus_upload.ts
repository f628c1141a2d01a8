// A small tus 1.0.0 client (docs/api.md "Uploads") for the upload panel: creation, PATCH in
// chunks, resume with HEAD after a dropped connection, and across page reloads through upload
// URLs kept in a Storage (localStorage) keyed by the file's name, size and lastModified.
// Written here rather than taking tus-js-client: what we need is ~200 lines, and errors come
// back as values in our own shape (the server's JSON message), which the panel shows as is.
import type { FetchLike } from "./api_client";

export interface UploadSource {
    readonly size: number;
    slice(start: number, end: number): Blob;
}

export interface UploadRequest {
    /** e.g. "/api/v1/projects/3/uploads/" */
    readonly endpoint: string;
    readonly file: UploadSource;
    /** The name inside the project: "folder/sub/a.jpg". */
    readonly relativePath: string;
    /** The storage key that finds this file's upload again after a reload. */
    readonly fingerprint: string;
    readonly overwrite: boolean;
    readonly chunkBytes: number;
    /** Extra headers on every request (X-CSRF-Token). */
    readonly headers: () => Record<string, string>;
    readonly onProgress?: (sent: number, total: number) => void;
    readonly signal?: AbortSignal;
}

export type UploadOutcome =
    | { readonly kind: "uploaded"; readonly replaced: boolean }
    | { readonly kind: "skipped"; readonly message: string }
    | { readonly kind: "failed"; readonly message: string };

export interface TusDeps {
    readonly fetch: FetchLike;
    /** Remembered upload URLs; null: none kept. */
    readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null;
    /** Waits before retry number `attempt` (1, 2, ...). */
    readonly wait: (attempt: number) => Promise<void>;
    readonly maxRetries: number;
}

const kStoragePrefix = "tessera.upload.";

export function fileFingerprint(
    projectId: number,
    path: string,
    size: number,
    modified: number,
): string {
    return `${kStoragePrefix}${projectId}:${path}:${size}:${modified}`;
}

/** Base64 of the UTF-8 bytes, as Upload-Metadata wants its values. */
export function base64Utf8(text: string): string {
    const bytes = new TextEncoder().encode(text);
    let binary = "";
    for (const b of bytes) {
        binary += String.fromCharCode(b);
    }
    return btoa(binary);
}

async function messageOf(res: Response): Promise<string> {
    try {
        const body = (await res.json()) as { error?: { message?: string } };
        if (typeof body.error?.message === "string") {
            return body.error.message;
        }
    } catch {
        // not JSON: say the status
    }
    return `HTTP ${res.status}`;
}

function offsetOf(res: Response): number | null {
    const value = res.headers.get("Upload-Offset");
    if (value === null || !/^\d+$/.test(value)) {
        return null;
    }
    return Number(value);
}

/** Whether to ask where the server is and try again rather than give up. */
function retriable(status: number): boolean {
    return status === 0 || status === 409 || status === 423 || status >= 500;
}

export class TusUploader {
    constructor(private readonly deps: TusDeps) {}

    async upload(req: UploadRequest): Promise<UploadOutcome> {
        let url = this.deps.storage?.getItem(req.fingerprint) ?? null;
        let offset: number | null = null;
        if (url !== null) {
            offset = await this.head(req, url);
            if (offset === null) {
                this.forget(req);
                url = null;
            }
        }
        if (url === null || offset === null) {
            const created = await this.create(req);
            if (created.kind !== "created") {
                return created.outcome;
            }
            url = created.url;
            offset = 0;
            this.deps.storage?.setItem(req.fingerprint, url);
        }
        const outcome = await this.sendChunks(req, url, offset);
        if (outcome.kind !== "failed" || req.signal?.aborted !== true) {
            this.forget(req);
        }
        return outcome;
    }

    private forget(req: UploadRequest): void {
        this.deps.storage?.removeItem(req.fingerprint);
    }

    private headersFor(req: UploadRequest, extra: Record<string, string>): Record<string, string> {
        return { ...req.headers(), "Tus-Resumable": "1.0.0", ...extra };
    }

    private async send(url: string, init: RequestInit): Promise<Response | null> {
        try {
            return await this.deps.fetch(url, { credentials: "same-origin", ...init });
        } catch {
            return null; // offline, connection dropped, aborted
        }
    }

    /** The server's offset, or null when the upload is gone or unreachable. */
    private async head(req: UploadRequest, url: string): Promise<number | null> {
        const res = await this.send(url, {
            method: "HEAD",
            headers: this.headersFor(req, {}),
            cache: "no-store",
            signal: req.signal ?? null,
        });
        return res !== null && res.status === 200 ? offsetOf(res) : null;
    }

    private async create(
        req: UploadRequest,
    ): Promise<{ kind: "created"; url: string } | { kind: "done"; outcome: UploadOutcome }> {
        const name = req.relativePath.split("/").pop() ?? req.relativePath;
        let metadata = `relativePath ${base64Utf8(req.relativePath)},filename ${base64Utf8(name)}`;
        if (req.overwrite) {
            metadata += `,overwrite ${base64Utf8("true")}`;
        }
        for (let attempt = 0; ; attempt++) {
            const res = await this.send(req.endpoint, {
                method: "POST",
                headers: this.headersFor(req, {
                    "Upload-Length": String(req.file.size),
                    "Upload-Metadata": metadata,
                }),
                signal: req.signal ?? null,
            });
            if (res !== null && res.status === 201) {
                const location = res.headers.get("Location");
                if (location === null) {
                    return {
                        kind: "done",
                        outcome: { kind: "failed", message: "the server gave no Location" },
                    };
                }
                return { kind: "created", url: location };
            }
            if (res !== null && res.status === 409) {
                return {
                    kind: "done",
                    outcome: { kind: "skipped", message: await messageOf(res) },
                };
            }
            if (
                (res !== null && res.status < 500) ||
                attempt >= this.deps.maxRetries ||
                req.signal?.aborted === true
            ) {
                const message =
                    res === null ? "the server cannot be reached" : await messageOf(res);
                return { kind: "done", outcome: { kind: "failed", message } };
            }
            await this.deps.wait(attempt + 1);
        }
    }

    private async sendChunks(
        req: UploadRequest,
        url: string,
        start: number,
    ): Promise<UploadOutcome> {
        let offset = start;
        let failures = 0;
        req.onProgress?.(offset, req.file.size);
        for (;;) {
            const end = Math.min(offset + req.chunkBytes, req.file.size);
            const res = await this.send(url, {
                method: "PATCH",
                headers: this.headersFor(req, {
                    "Upload-Offset": String(offset),
                    "Content-Type": "application/offset+octet-stream",
                }),
                body: req.file.slice(offset, end),
                signal: req.signal ?? null,
            });
            if (res !== null && res.status === 204) {
                failures = 0;
                offset = offsetOf(res) ?? end;
                req.onProgress?.(offset, req.file.size);
                const complete = res.headers.get("Tessera-Upload-Complete");
                if (complete !== null || offset >= req.file.size) {
                    return { kind: "uploaded", replaced: complete === "replaced" };
                }
                continue;
            }
            const status = res === null ? 0 : res.status;
            const last = end >= req.file.size;
            // A 409 on the last chunk may be "finished by another upload": not worth a retry.
            const again = retriable(status) && !(status === 409 && last && failures > 0);
            if (!again || failures >= this.deps.maxRetries || req.signal?.aborted === true) {
                const message = res === null ? "the connection dropped" : await messageOf(res);
                return { kind: "failed", message };
            }
            failures++;
            await this.deps.wait(failures);
            const resumed = await this.head(req, url);
            if (resumed === null) {
                if (res !== null) {
                    return { kind: "failed", message: await messageOf(res) };
                }
                continue; // still offline: the next PATCH (at the old offset) finds out
            }
            offset = resumed;
        }
    }
}
