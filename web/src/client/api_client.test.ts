import { describe, expect, it } from "vitest";

import { kDefaultImportOptions } from "../schema/import_options";
import { ApiClient, uploadContentType } from "./api_client";
import type { FetchLike } from "./api_client";

interface Call {
    url: string;
    method: string;
    headers: Record<string, string>;
    body: unknown;
}

function json(status: number, body: unknown): Response {
    return new Response(body === null ? null : JSON.stringify(body), {
        status,
        headers: { "Content-Type": "application/json" },
    });
}

/** A fetch that records calls and answers from a queue. */
function scripted(...answers: (Response | Error)[]): { fetch: FetchLike; calls: Call[] } {
    const calls: Call[] = [];
    const fetch: FetchLike = (url, init) => {
        calls.push({
            url,
            method: init?.method ?? "GET",
            headers: (init?.headers ?? {}) as Record<string, string>,
            body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
        });
        const next = answers.shift();
        if (next === undefined) {
            return Promise.reject(new Error("unexpected call"));
        }
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    };
    return { fetch, calls };
}

const session = { csrf_token: "tok123", user: { id: 1, username: "admin", role: "owner" } };

describe("ApiClient", () => {
    it("patches refresh settings, queues a refresh and lists missing items", async () => {
        const { fetch, calls } = scripted(
            json(200, session),
            json(200, { id: 4 }),
            json(202, { job: { id: 9, kind: "refresh" } }),
            json(200, { items: [], next_after: null }),
        );
        const client = new ApiClient(fetch);
        await client.login("admin", "pw");
        await client.updateRefresh(4, { enabled: true, interval_s: 600 });
        expect(calls[1]?.method).toBe("PATCH");
        expect(calls[1]?.url).toBe("/api/v1/projects/4");
        expect(calls[1]?.body).toEqual({ refresh: { enabled: true, interval_s: 600 } });
        expect(calls[1]?.headers["X-CSRF-Token"]).toBe("tok123");
        const queued = await client.refreshNow(4);
        expect(calls[2]?.url).toBe("/api/v1/projects/4/refresh");
        expect(queued.ok && queued.value.job.id).toBe(9);
        await client.listItemsWhere(4, { state: "missing", limit: 20 });
        expect(calls[3]?.url).toBe("/api/v1/projects/4/items?state=missing&limit=20");
    });

    it("sends the CSRF token from login on unsafe requests only", async () => {
        const { fetch, calls } = scripted(
            json(200, session),
            json(200, { projects: [] }),
            json(200, { lease: "", lease_expires_at: 0, items: [] }),
        );
        const client = new ApiClient(fetch);
        const login = await client.login("admin", "pw");
        expect(login.ok).toBe(true);
        expect(calls[0]?.body).toEqual({ username: "admin", password: "pw" });
        expect(calls[0]?.headers["X-CSRF-Token"]).toBeUndefined();

        await client.listProjects();
        expect(calls[1]?.headers["X-CSRF-Token"]).toBeUndefined();

        await client.next(3, 6);
        expect(calls[2]?.url).toBe("/api/v1/projects/3/next");
        expect(calls[2]?.method).toBe("POST");
        expect(calls[2]?.headers["X-CSRF-Token"]).toBe("tok123");
        expect(calls[2]?.body).toEqual({ count: 6 });
    });

    it("restores the token from GET /session", async () => {
        const { fetch, calls } = scripted(json(200, session), new Response(null, { status: 204 }));
        const client = new ApiClient(fetch);
        await client.restoreSession();
        expect(client.csrfToken).toBe("tok123");
        const out = await client.release(2, "ab");
        expect(out).toEqual({ ok: true, value: null });
        expect(calls[1]?.method).toBe("DELETE");
        expect(calls[1]?.headers["X-CSRF-Token"]).toBe("tok123");
    });

    it("turns the API error body into an ApiError with its field", async () => {
        const body = { error: { code: "conflict", message: "name taken", field: "name" } };
        const { fetch } = scripted(json(409, body));
        const r = await new ApiClient(fetch).createProject({
            name: "x",
            task_type: "multiclass",
            labels: [{ name: "A" }],
            instructions: { text: "", url: "" },
            datasource: { kind: "local", path: "/d", pattern: "**/*.*" },
        });
        expect(r).toEqual({
            ok: false,
            error: { status: 409, code: "conflict", message: "name taken", field: "name" },
        });
    });

    it("maps a non-JSON error by status", async () => {
        const { fetch } = scripted(
            new Response("<html>bad gateway</html>", {
                status: 503,
                statusText: "Service Unavailable",
            }),
        );
        const r = await new ApiClient(fetch).listProjects();
        expect(r.ok).toBe(false);
        if (!r.ok) {
            expect(r.error.code).toBe("unavailable");
            expect(r.error.message).toContain("503");
        }
    });

    it("reports network failures as values", async () => {
        const { fetch } = scripted(new TypeError("Failed to fetch"));
        const r = await new ApiClient(fetch).getProject(1);
        expect(r).toEqual({
            ok: false,
            error: {
                status: 0,
                code: "network",
                message: "Cannot reach the server (Failed to fetch).",
            },
        });
    });

    it("notifies on 401 except for the session calls themselves", async () => {
        const unauth = { error: { code: "unauthenticated", message: "log in" } };
        const { fetch } = scripted(json(401, unauth), json(401, unauth));
        const client = new ApiClient(fetch);
        let told = 0;
        client.onUnauthenticated(() => {
            told++;
        });
        await client.restoreSession();
        expect(told).toBe(0);
        await client.dashboard(1);
        expect(told).toBe(1);
    });

    it("omits the lease when changing an earlier answer", async () => {
        const stored = { outcome: "updated", item_id: 9, labels: ["Red"] };
        const { fetch, calls } = scripted(json(200, stored), json(200, stored), json(200, stored));
        const client = new ApiClient(fetch);
        await client.submit(1, 9, "", ["Red"]);
        await client.submit(1, 9, "abc", ["Red"]);
        await client.submit(1, 9, "abc", ["Red"], { active_ms: 1500, edits: 2 });
        expect(calls[0]?.method).toBe("PUT");
        expect(calls[0]?.url).toBe("/api/v1/projects/1/items/9/annotation");
        expect(calls[0]?.body).toEqual({ labels: ["Red"] });
        expect(calls[1]?.body).toEqual({ lease: "abc", labels: ["Red"] });
        expect(calls[2]?.body).toEqual({
            lease: "abc",
            labels: ["Red"],
            effort: { active_ms: 1500, edits: 2 },
        });
    });

    it("builds history queries and export links", async () => {
        const { fetch, calls } = scripted(json(200, { items: [] }));
        const client = new ApiClient(fetch);
        await client.history(4, 6, 1700000000000);
        expect(calls[0]?.url).toBe("/api/v1/projects/4/history?limit=6&before=1700000000000");
        expect(client.exportUrl(4, "jsonl")).toBe("/api/v1/projects/4/export?format=jsonl");
    });

    it("clears the token on logout", async () => {
        const { fetch } = scripted(json(200, session), new Response(null, { status: 204 }));
        const client = new ApiClient(fetch);
        await client.login("a", "b");
        await client.logout();
        expect(client.csrfToken).toBe("");
    });

    it("reads 204 from annotation and draft as none yet, not as an error", async () => {
        const { fetch } = scripted(
            new Response(null, { status: 204 }),
            new Response(null, { status: 204 }),
            json(404, { error: { code: "not_found", message: "no item 9" } }),
        );
        const client = new ApiClient(fetch);
        expect(await client.annotation(3, 7)).toEqual({ ok: true, value: null });
        expect(await client.draft(3, 7)).toEqual({ ok: true, value: null });
        const missing = await client.annotation(3, 9);
        expect(missing.ok).toBe(false);
    });

    it("sends Content-Type: application/json on every unsafe request", async () => {
        const { fetch, calls } = scripted(json(200, session), json(200, { id: 3 }));
        const client = new ApiClient(fetch);
        await client.login("admin", "pw");
        await client.startProject(3);
        expect(calls[0]?.headers["Content-Type"]).toBe("application/json");
        expect(calls[1]?.headers["Content-Type"]).toBe("application/json");
        expect(calls[1]?.headers["X-CSRF-Token"]).toBe("tok123");
    });

    it("asks for folders and previews with the path encoded", async () => {
        const listing = { roots: ["/data"], path: "", parent: null, folders: [], truncated: false };
        const { fetch, calls } = scripted(
            json(200, listing),
            json(200, listing),
            json(200, { path: "/data", count: 2, capped: false, examples: [] }),
        );
        const client = new ApiClient(fetch);
        await client.listFolders("");
        await client.listFolders("/data/a b&c");
        const preview = await client.previewDatasource("/data", "*.png");
        expect(calls[0]?.url).toBe("/api/v1/datasources/folders");
        expect(calls[1]?.url).toBe("/api/v1/datasources/folders?path=%2Fdata%2Fa+b%26c");
        expect(calls[2]?.body).toEqual({ path: "/data", pattern: "*.png" });
        expect(preview.ok && preview.value.count).toBe(2);
    });

    it("returns an import's 422 report as a value and other failures as errors", async () => {
        const report = {
            matched: 1,
            unmatched: [],
            errors: [{ row: 2, message: "b.jpg: shapes[0]: empty box" }],
            applied: false,
        };
        const { fetch, calls } = scripted(
            json(200, session),
            json(422, report),
            json(400, {
                error: { code: "invalid_argument", message: "upload.json: invalid JSON" },
            }),
        );
        const client = new ApiClient(fetch);
        await client.login("admin", "pw");
        const file = new Blob(["{}"]);
        const r = await client.importFile(3, file, {
            format: "coco",
            mode: "final",
            fileName: "boxes.json",
        });
        expect(r).toEqual({ ok: true, value: report });
        expect(calls[1]?.url).toBe(
            "/api/v1/projects/3/import?format=coco&mode=final&filename=boxes.json",
        );
        expect(calls[1]?.headers["X-CSRF-Token"]).toBe("tok123");
        expect(calls[1]?.headers["Content-Type"]).toBe("application/json");
        const bad = await client.importFile(3, file, {
            format: "segment-anything",
            mode: "final",
            fileName: "",
            options: { ...kDefaultImportOptions, label: "Cat", coordinates: "pixel" },
        });
        expect(calls[2]?.url).toBe(
            "/api/v1/projects/3/import?format=segment-anything&mode=final&label=Cat",
        );
        expect(bad.ok ? "" : bad.error.message).toBe("upload.json: invalid JSON");
    });

    it("names an upload's content type from its extension", () => {
        expect(uploadContentType("a.ZIP")).toBe("application/zip");
        expect(uploadContentType("lines.jsonl")).toBe("application/jsonl");
        expect(uploadContentType("noext")).toBe("application/octet-stream");
    });

    it("manages tokens, the password and all sessions", async () => {
        const token = { id: 5, name: "ci", created_at: 1, expires_at: 2, token: "tsr_x" };
        const { fetch, calls } = scripted(
            json(200, session),
            json(201, token),
            json(200, { tokens: [] }),
            new Response(null, { status: 204 }),
            new Response(null, { status: 204 }),
            json(200, { sessions_ended: 2, tokens_revoked: 1 }),
        );
        const client = new ApiClient(fetch);
        await client.login("admin", "pw");
        const created = await client.createToken("ci", 30);
        expect(created).toEqual({ ok: true, value: token });
        expect(calls[1]?.body).toEqual({ name: "ci", expires_in_days: 30 });
        expect(calls[1]?.headers["Content-Type"]).toBe("application/json");
        await client.listTokens();
        expect(calls[2]?.url).toBe("/api/v1/tokens");
        await client.revokeToken(5);
        expect(calls[3]?.method).toBe("DELETE");
        expect(calls[3]?.url).toBe("/api/v1/tokens/5");
        await client.changePassword("old-password", "new-password");
        expect(calls[4]?.method).toBe("PUT");
        expect(calls[4]?.body).toEqual({
            current_password: "old-password",
            new_password: "new-password",
        });
        expect(calls[4]?.headers["X-CSRF-Token"]).toBe("tok123");
        const ended = await client.logoutEverywhere(true);
        expect(ended.ok && ended.value.tokens_revoked).toBe(1);
        expect(calls[5]?.url).toBe("/api/v1/sessions?revoke_tokens=true");
        expect(client.csrfToken).toBe("");
    });

    it("maps 415 without a body to unsupported_media_type", async () => {
        const { fetch } = scripted(new Response("nope", { status: 415 }));
        const client = new ApiClient(fetch);
        const r = await client.createProject({} as never);
        expect(r.ok ? "" : r.error.code).toBe("unsupported_media_type");
    });
});
