import { describe, expect, it } from "vitest";

import type { ApiResult } from "../../../client/result";
import { fail, ok } from "../../../client/result";
import type { AnnotationView, Id, Item, LeasedPage, Progress, TimeMs } from "../../../schema/api";
import type { ApiShape } from "../../../schema/shapes";
import type { DraftStorage } from "./autosave";
import type { DrawingApi, Opened } from "./drawing_session";
import { DrawingSession, draftKey, progressText } from "./drawing_session";

const item = (id: Id): Item => ({
    id,
    name: `i${id}`,
    width: 100,
    height: 100,
    image_url: "",
    thumbnail_url: "",
});
const box = (label: string): ApiShape => ({ type: "box", label, x: 1, y: 1, w: 5, h: 5 });

/** A fake server: a queue of `total` items, the caller's answers kept newest first. */
class FakeApi implements DrawingApi {
    submitted: { itemId: Id; lease: string; shapes: readonly ApiShape[] }[] = [];
    skipped: Id[] = [];
    released: string[] = [];
    deadLeases = new Set<string>();
    drafts = new Map<Id, ApiShape[]>();
    answers: AnnotationView[] = [];
    private nextId = 1;
    private clock = 100;

    constructor(private readonly total: number) {}

    next(): Promise<ApiResult<LeasedPage>> {
        const items = this.nextId <= this.total ? [item(this.nextId++)] : [];
        return Promise.resolve(ok({ lease: `L${this.nextId}`, lease_expires_at: 0, items }));
    }
    renew(_id: Id, lease: string): Promise<ApiResult<{ lease_expires_at: TimeMs }>> {
        return Promise.resolve(
            this.deadLeases.has(lease)
                ? fail({ status: 409, code: "lease_invalid", message: "gone" })
                : ok({ lease_expires_at: 1 }),
        );
    }
    release(_id: Id, lease: string): Promise<ApiResult<null>> {
        this.released.push(lease);
        return Promise.resolve(ok(null));
    }
    submitShapes(
        _id: Id,
        itemId: Id,
        lease: string,
        shapes: readonly ApiShape[],
    ): Promise<ApiResult<unknown>> {
        this.submitted.push({ itemId, lease, shapes });
        this.answers = this.answers.filter((a) => a.item.id !== itemId);
        this.answers.unshift({
            item: item(itemId),
            labels: [],
            updated_at: ++this.clock,
            shapes: [...shapes],
        });
        return Promise.resolve(ok(null));
    }
    skip(_id: Id, itemId: Id): Promise<ApiResult<null>> {
        this.skipped.push(itemId);
        return Promise.resolve(ok(null));
    }
    draft(_id: Id, itemId: Id): Promise<ApiResult<{ shapes?: unknown }>> {
        const d = this.drafts.get(itemId);
        return Promise.resolve(
            d === undefined
                ? fail({ status: 404, code: "not_found", message: "no draft" })
                : ok({ shapes: d }),
        );
    }
    annotation(_id: Id, itemId: Id): Promise<ApiResult<AnnotationView>> {
        const a = this.answers.find((x) => x.item.id === itemId);
        return Promise.resolve(
            a === undefined ? fail({ status: 404, code: "not_found", message: "none" }) : ok(a),
        );
    }
    history(
        _id: Id,
        limit: number,
        before?: TimeMs,
    ): Promise<ApiResult<{ items: AnnotationView[] }>> {
        const older = this.answers.filter((a) => before === undefined || a.updated_at < before);
        return Promise.resolve(ok({ items: older.slice(0, limit) }));
    }
    getProject(): Promise<ApiResult<{ progress: Progress }>> {
        const progress: Progress = {
            unlabeled: 0,
            in_progress: 0,
            labeled: this.submitted.length,
            skipped: this.skipped.length,
            needs_review: 0,
            error: 0,
            missing: 0,
            total: this.total,
        };
        return Promise.resolve(ok({ progress }));
    }
}

function memoryStorage(): DraftStorage & { map: Map<string, string> } {
    const map = new Map<string, string>();
    return {
        map,
        getItem: (k) => map.get(k) ?? null,
        setItem: (k, v) => map.set(k, v),
        removeItem: (k) => map.delete(k),
    };
}

async function opened(p: Promise<ApiResult<unknown>>): Promise<unknown> {
    const r = await p;
    if (!r.ok) {
        throw new Error(r.error.message);
    }
    return r.value;
}

function openedNow(s: DrawingSession): Opened {
    if (s.current === null) {
        throw new Error("nothing open");
    }
    return s.current;
}

describe("DrawingSession", () => {
    it("leases one image at a time, submits with the lease and drops the local draft", async () => {
        const api = new FakeApi(2);
        const storage = memoryStorage();
        const s = new DrawingSession(api, 7, storage);
        await opened(s.next());
        expect(s.current?.item.id).toBe(1);
        storage.setItem(draftKey(7, 1), JSON.stringify([box("A")]));
        expect((await s.restore(openedNow(s))).shapes.map((x) => x.label)).toEqual(["A"]);
        await opened(s.submit([box("A")]));
        expect(api.submitted[0]).toMatchObject({ itemId: 1, lease: "L2" });
        expect(storage.map.size).toBe(0);
        expect(await s.progress()).toBe("Image 2 of 2");
        await opened(s.next());
        await opened(s.skip());
        expect(api.skipped).toEqual([2]);
        expect(await opened(s.next())).toBeNull();
        expect(s.exhausted).toBe(true);
        expect(await s.progress()).toBe("2 of 2 done");
    });

    it("restores the server draft, else the answer, else a prelabel without scores", async () => {
        const api = new FakeApi(3);
        const s = new DrawingSession(api, 7, null);
        await opened(s.next());
        api.drafts.set(1, [box("D")]);
        expect(await s.restore(openedNow(s))).toMatchObject({ draft: true, prelabel: false });
        api.drafts.clear();
        api.answers.push({
            item: item(1),
            labels: [],
            updated_at: 1,
            source: "prelabel",
            shapes: [{ ...box("P"), confidence: 0.9 }],
        });
        const r = await s.restore(openedNow(s));
        expect(r).toMatchObject({ draft: false, prelabel: true });
        expect(r.shapes[0]).not.toHaveProperty("confidence");
    });

    it("goes back through earlier answers while holding the leased image, then resumes it", async () => {
        const api = new FakeApi(5);
        const s = new DrawingSession(api, 7, null);
        expect(await opened(s.previous())).toBeNull();
        for (const label of ["first", "second"]) {
            await opened(s.next());
            await opened(s.submit([box(label)]));
        }
        await opened(s.next());
        const leased = s.current;
        expect(s.lease).toBe("L4");
        await opened(s.previous());
        expect(s.reviewing).toBe(true);
        expect(s.current?.item.id).toBe(2);
        expect(s.lease).toBe("L4"); // the held image's lease is still renewed and released
        await opened(s.previous());
        expect(s.current?.item.id).toBe(1);
        expect((await s.restore(openedNow(s))).shapes.map((x) => x.label)).toEqual(["first"]);
        expect(await opened(s.previous())).toBeNull();
        expect(s.current?.item.id).toBe(1);
        // Saving a reviewed answer sends no lease and keeps the held image.
        await opened(s.submit([box("changed")]));
        expect(api.submitted.at(-1)).toEqual({ itemId: 1, lease: "", shapes: [box("changed")] });
        expect(s.resume()).toBe(leased);
        expect(s.reviewing).toBe(false);
        s.release(true);
        expect(api.released).toEqual(["L4"]);
    });

    it("drops an image whose lease ran out", async () => {
        const api = new FakeApi(2);
        const s = new DrawingSession(api, 7, null);
        await opened(s.next());
        expect(await s.renew()).toBe(true);
        api.deadLeases.add("L2");
        expect(await s.renew()).toBe(false);
        expect(s.current).toBeNull();
        expect(s.lease).toBeNull();
    });
});

describe("progressText", () => {
    it("counts labeled and skipped as done", () => {
        const p: Progress = {
            unlabeled: 5,
            in_progress: 1,
            labeled: 3,
            skipped: 1,
            needs_review: 0,
            error: 0,
            missing: 0,
            total: 10,
        };
        expect(progressText(p)).toBe("Image 5 of 10");
    });
});
