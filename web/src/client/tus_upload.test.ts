import { describe, expect, it } from "vitest";

import type { FetchLike } from "./api_client";
import { TusUploader, base64Utf8, fileFingerprint } from "./tus_upload";
import type { UploadRequest } from "./tus_upload";

interface Call {
    url: string;
    method: string;
    headers: Record<string, string>;
    bodySize: number;
}

/** A fake tus server: keeps one upload's bytes; `dropPatch` makes the next PATCHes fail. */
function fakeServer(options: { exists?: boolean; dropPatches?: number } = {}) {
    const calls: Call[] = [];
    let stored = 0;
    let length = 0;
    let alive = false;
    let drops = options.dropPatches ?? 0;
    const fetch: FetchLike = (url, init) =>
        Promise.resolve().then(() => {
            const method = init?.method ?? "GET";
            const headers = (init?.headers ?? {}) as Record<string, string>;
            const body = init?.body instanceof Blob ? init.body : null;
            calls.push({ url, method, headers, bodySize: body?.size ?? 0 });
            if (method === "POST") {
                if (
                    options.exists === true &&
                    headers["Upload-Metadata"]?.includes("overwrite") !== true
                ) {
                    return new Response(
                        JSON.stringify({
                            error: { code: "conflict", message: "'a.jpg' already exists" },
                        }),
                        {
                            status: 409,
                        },
                    );
                }
                length = Number(headers["Upload-Length"]);
                alive = true;
                stored = 0;
                return new Response(null, { status: 201, headers: { Location: "/up/1" } });
            }
            if (method === "HEAD") {
                return alive
                    ? new Response(null, {
                          status: 200,
                          headers: { "Upload-Offset": String(stored) },
                      })
                    : new Response(null, { status: 404 });
            }
            if (method === "PATCH") {
                if (drops > 0) {
                    drops--;
                    // Half the chunk arrived before the connection dropped; the server keeps none.
                    throw new TypeError("Failed to fetch");
                }
                if (Number(headers["Upload-Offset"]) !== stored) {
                    return new Response(
                        JSON.stringify({ error: { code: "conflict", message: "wrong offset" } }),
                        {
                            status: 409,
                        },
                    );
                }
                stored += body?.size ?? 0;
                const done = stored === length;
                if (done) {
                    alive = false;
                }
                const h: Record<string, string> = { "Upload-Offset": String(stored) };
                if (done) {
                    h["Tessera-Upload-Complete"] = "created";
                }
                return new Response(null, { status: 204, headers: h });
            }
            throw new Error(`unexpected ${method}`);
        });
    return {
        fetch,
        calls,
        stored: () => stored,
        heal: () => {
            drops = 0;
        },
    };
}

function memoryStorage() {
    const items = new Map<string, string>();
    return {
        items,
        getItem: (k: string) => items.get(k) ?? null,
        setItem: (k: string, v: string) => void items.set(k, v),
        removeItem: (k: string) => void items.delete(k),
    };
}

function request(size: number, extra: Partial<UploadRequest> = {}): UploadRequest {
    return {
        endpoint: "/api/v1/projects/3/uploads/",
        file: new Blob([new Uint8Array(size)]),
        relativePath: "trip/a.jpg",
        fingerprint: fileFingerprint(3, "trip/a.jpg", size, 7),
        overwrite: false,
        chunkBytes: 10,
        headers: () => ({ "X-CSRF-Token": "tok" }),
        ...extra,
    };
}

const noWait = (): Promise<void> => Promise.resolve();

describe("TusUploader", () => {
    it("creates, sends chunks and reports progress", async () => {
        const server = fakeServer();
        const progress: number[] = [];
        const tus = new TusUploader({
            fetch: server.fetch,
            storage: null,
            wait: noWait,
            maxRetries: 3,
        });
        const outcome = await tus.upload(
            request(25, { onProgress: (sent) => progress.push(sent) }),
        );
        expect(outcome).toEqual({ kind: "uploaded", replaced: false });
        expect(server.calls.map((c) => c.method)).toEqual(["POST", "PATCH", "PATCH", "PATCH"]);
        expect(server.calls.map((c) => c.bodySize)).toEqual([0, 10, 10, 5]);
        expect(progress).toEqual([0, 10, 20, 25]);
        const post = server.calls[0];
        expect(post?.headers["Tus-Resumable"]).toBe("1.0.0");
        expect(post?.headers["X-CSRF-Token"]).toBe("tok");
        expect(post?.headers["Upload-Metadata"]).toBe(
            `relativePath ${base64Utf8("trip/a.jpg")},filename ${base64Utf8("a.jpg")}`,
        );
    });

    it("resumes from the server's offset after a dropped connection", async () => {
        const server = fakeServer({ dropPatches: 2 });
        const tus = new TusUploader({
            fetch: server.fetch,
            storage: null,
            wait: noWait,
            maxRetries: 3,
        });
        const outcome = await tus.upload(request(25));
        expect(outcome.kind).toBe("uploaded");
        expect(server.stored()).toBe(25);
        expect(server.calls.map((c) => c.method)).toEqual([
            "POST",
            "PATCH",
            "HEAD",
            "PATCH",
            "HEAD",
            "PATCH",
            "PATCH",
            "PATCH",
        ]);
    });

    it("gives up with a message after too many failures", async () => {
        const server = fakeServer({ dropPatches: 10 });
        const tus = new TusUploader({
            fetch: server.fetch,
            storage: null,
            wait: noWait,
            maxRetries: 2,
        });
        expect(await tus.upload(request(25))).toEqual({
            kind: "failed",
            message: "the connection dropped",
        });
    });

    it("resumes across a reload through the stored upload URL", async () => {
        const storage = memoryStorage();
        const first = fakeServer({ dropPatches: 10 });
        const broken = new TusUploader({
            fetch: first.fetch,
            storage,
            wait: noWait,
            maxRetries: 0,
        });
        const controller = new AbortController();
        controller.abort();
        const failed = await broken.upload(request(25, { signal: controller.signal }));
        expect(failed.kind).toBe("failed");
        expect(storage.items.size).toBe(1); // kept for the next page

        // The same server, reachable again: HEAD finds the upload, no second POST.
        const again = new TusUploader({ fetch: first.fetch, storage, wait: noWait, maxRetries: 3 });
        first.heal();
        first.calls.length = 0;
        const done = await again.upload(request(25));
        expect(done.kind).toBe("uploaded");
        expect(first.calls[0]?.method).toBe("HEAD");
        expect(first.calls.some((c) => c.method === "POST")).toBe(false);
        expect(storage.items.size).toBe(0);
    });

    it("skips a file that already exists unless asked to overwrite", async () => {
        const server = fakeServer({ exists: true });
        const tus = new TusUploader({
            fetch: server.fetch,
            storage: null,
            wait: noWait,
            maxRetries: 3,
        });
        expect(await tus.upload(request(5))).toEqual({
            kind: "skipped",
            message: "'a.jpg' already exists",
        });
        expect((await tus.upload(request(5, { overwrite: true }))).kind).toBe("uploaded");
    });
});
