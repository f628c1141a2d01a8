import { describe, expect, it } from "vitest";

import type { ApiResult } from "../../../client/result";
import { fail, ok } from "../../../client/result";
import type {
    AnnotationView,
    AnswerEffort,
    Id,
    Item,
    LeasedPage,
    PageSize,
    SubmitResult,
    TimeMs,
} from "../../../schema/api";
import { flattenLabels } from "../../../schema/labels";
import { LabelingStore } from "../../../store/labeling_store";
import type { LabelingApi } from "./labeling_session";
import { LabelingSession } from "./labeling_session";

/** A fake server with a queue of `total` items, leased in order. */
class FakeApi implements LabelingApi {
    nextCalls: number[] = [];
    renewed: string[] = [];
    released: string[] = [];
    submitted: {
        itemId: Id;
        lease: string;
        labels: readonly string[];
        effort?: AnswerEffort | undefined;
    }[] = [];
    skipped: Id[] = [];
    failSubmit = new Map<Id, "lease_invalid" | "internal">();
    deadLeases = new Set<string>();
    private nextId = 1;
    private leaseNo = 0;

    constructor(private readonly total: number) {}

    next(_id: Id, count: PageSize): Promise<ApiResult<LeasedPage>> {
        this.nextCalls.push(count);
        const items: Item[] = [];
        while (items.length < count && this.nextId <= this.total) {
            const id = this.nextId++;
            items.push({
                id,
                name: `i${id}`,
                width: 1,
                height: 1,
                image_url: "",
                thumbnail_url: "",
            });
        }
        const lease = items.length === 0 ? "" : `L${++this.leaseNo}`;
        return Promise.resolve(ok({ lease, lease_expires_at: 0, items }));
    }
    renew(_id: Id, lease: string): Promise<ApiResult<{ lease_expires_at: TimeMs }>> {
        this.renewed.push(lease);
        if (this.deadLeases.has(lease)) {
            return Promise.resolve(fail({ status: 409, code: "lease_invalid", message: "gone" }));
        }
        return Promise.resolve(ok({ lease_expires_at: 1 }));
    }
    release(_id: Id, lease: string): Promise<ApiResult<null>> {
        this.released.push(lease);
        return Promise.resolve(ok(null));
    }
    submit(
        _id: Id,
        itemId: Id,
        lease: string,
        labels: readonly string[],
        effort?: AnswerEffort,
    ): Promise<ApiResult<SubmitResult>> {
        const failure = this.failSubmit.get(itemId);
        if (failure !== undefined) {
            return Promise.resolve(
                fail({
                    status: failure === "internal" ? 500 : 409,
                    code: failure,
                    message: failure,
                }),
            );
        }
        this.submitted.push({ itemId, lease, labels, effort });
        return Promise.resolve(
            ok({ outcome: "stored" as const, item_id: itemId, labels: [...labels] }),
        );
    }
    skip(_id: Id, itemId: Id): Promise<ApiResult<null>> {
        this.skipped.push(itemId);
        return Promise.resolve(ok(null));
    }
}

const labels = flattenLabels([{ name: "Red" }, { name: "Green" }]);

function setup(total: number, layout: PageSize) {
    const api = new FakeApi(total);
    const store = new LabelingStore({ taskType: "multiclass", labels, layout });
    return { api, store, session: new LabelingSession(api, 1, store) };
}

/** A server that also answers GET annotation: prelabels for some items, none yet for the rest. */
class PrelabelApi extends FakeApi {
    prelabels = new Map<Id, string[]>();
    annotation(_id: Id, itemId: Id): Promise<ApiResult<AnnotationView | null>> {
        const tags = this.prelabels.get(itemId);
        if (tags === undefined) {
            return Promise.resolve(ok(null));
        }
        const item = {
            id: itemId,
            name: "",
            width: 1,
            height: 1,
            image_url: "",
            thumbnail_url: "",
        };
        return Promise.resolve(
            ok({ item, labels: tags, updated_at: 0, source: "prelabel" as const, confidence: 0.5 }),
        );
    }
}

describe("LabelingSession prelabels", () => {
    it("pre-fills leased items with their prelabels for review and submits them as usual", async () => {
        const api = new PrelabelApi(4);
        api.prelabels.set(2, ["Green", "Red"]);
        const store = new LabelingStore({ taskType: "multilabel", labels, layout: 4 });
        const session = new LabelingSession(api, 1, store);
        await session.fill(4);
        const tagged = store.pool.find((p) => p.item.id === 2);
        expect(tagged?.tags).toEqual(["Red", "Green"]);
        expect(tagged?.prelabel).toBe(true);
        expect(store.pool.filter((p) => p.prelabel === true)).toHaveLength(1);
        expect(store.pool.find((p) => p.item.id === 1)?.tags).toEqual([]);
        // The labeler's own tags are never overwritten by a late prelabel.
        store.prefill(2, ["Green"]);
        expect(store.pool.find((p) => p.item.id === 2)?.tags).toEqual(["Red", "Green"]);
        for (const id of [1, 3, 4]) {
            store.prefill(id, ["Red"]);
        }
        const out = await session.submitPage();
        expect(out.done).toHaveLength(4);
        expect(api.submitted.find((s) => s.itemId === 2)?.labels).toEqual(["Red", "Green"]);
    });
});

/** A server whose `next` carries the model's prelabels inline, as Tessera's does. */
class InlinePrelabelApi extends FakeApi {
    override next(id: Id, count: PageSize): Promise<ApiResult<LeasedPage>> {
        return super.next(id, count).then((r) => {
            if (!r.ok) {
                return r;
            }
            const items = r.value.items.map((item) =>
                item.id % 2 === 0
                    ? {
                          ...item,
                          prelabel: {
                              labels: ["Green"],
                              confidence: 0.98,
                              source: "model" as const,
                              round: 1,
                          },
                      }
                    : item,
            );
            return ok({ ...r.value, items, kind: "prelabeled" as const });
        });
    }
}

describe("LabelingSession inline prelabels", () => {
    it("pre-fills from the page itself, without asking for each item's annotation", async () => {
        const api = new InlinePrelabelApi(4);
        const store = new LabelingStore({ taskType: "multiclass", labels, layout: 4 });
        const session = new LabelingSession(api, 1, store);
        await session.fill(4);
        expect(store.pool.filter((p) => p.prelabel === true).map((p) => p.item.id)).toEqual([2, 4]);
        expect(store.pool.find((p) => p.item.id === 2)?.tags).toEqual(["Green"]);
        expect(store.pool.find((p) => p.item.id === 1)?.tags).toEqual([]);
    });
});

describe("LabelingSession.fill", () => {
    it("leases exactly the page, then the next page in advance", async () => {
        const { api, store, session } = setup(100, 6);
        await session.fill(6);
        expect(api.nextCalls).toEqual([6]);
        await session.fill(12);
        expect(api.nextCalls).toEqual([6, 6]);
        expect(store.pool).toHaveLength(12);
        expect(store.visible()).toHaveLength(6);
    });

    it("serialises concurrent fills so nothing is leased twice", async () => {
        const { api, store, session } = setup(100, 4);
        await Promise.all([session.fill(4), session.fill(4), session.fill(6)]);
        // The third fill needs 2 more; the smallest page that covers that is 4.
        expect(api.nextCalls).toEqual([4, 4]);
        expect(store.pool).toHaveLength(8);
    });

    it("rounds the shortfall up to an allowed page size", async () => {
        const { api, store, session } = setup(100, 4);
        await session.fill(4);
        store.setLayout(6);
        await session.fill(6);
        expect(api.nextCalls).toEqual([4, 4]);
        expect(store.pool).toHaveLength(8);
    });

    it("stops when the queue runs dry", async () => {
        const { api, store, session } = setup(5, 4);
        await session.fill(8);
        expect(api.nextCalls).toEqual([4, 4]);
        expect(store.pool).toHaveLength(5);
        expect(session.exhausted).toBe(true);
        await session.fill(9);
        expect(api.nextCalls).toEqual([4, 4]);
        session.retryQueue();
        await session.fill(9);
        expect(api.nextCalls).toEqual([4, 4, 4]);
    });
});

describe("LabelingSession.submitPage", () => {
    it("sends one PUT per visible item with its lease and moves the next page up", async () => {
        const { api, store, session } = setup(100, 4);
        await session.fill(8);
        store.selectAll();
        store.applyKey(2);
        const out = await session.submitPage();
        expect(out).toEqual({ done: [1, 2, 3, 4], lost: [], failed: [] });
        expect(api.submitted.map((s) => [s.itemId, s.lease, s.labels])).toEqual([
            [1, "L1", ["Green"]],
            [2, "L1", ["Green"]],
            [3, "L1", ["Green"]],
            [4, "L1", ["Green"]],
        ]);
        expect(store.visible().map((p) => p.item.id)).toEqual([5, 6, 7, 8]);
        expect(api.submitted.every((s) => s.effort === undefined)).toBe(true);
    });

    it("shares the page's active time among the items sent, each with its own edits", async () => {
        const { api, store, session } = setup(100, 4);
        await session.fill(4);
        store.selectAll();
        store.applyKey(2);
        store.select(3, "replace");
        store.applyKey(1);
        await session.submitPage(false, 10_000);
        expect(api.submitted.map((s) => [s.itemId, s.effort])).toEqual([
            [1, { active_ms: 2500, edits: 1 }],
            [2, { active_ms: 2500, edits: 1 }],
            [3, { active_ms: 2500, edits: 2 }],
            [4, { active_ms: 2500, edits: 1 }],
        ]);
    });

    it("keeps failed items for a retry and drops items whose lease is gone", async () => {
        const { api, store, session } = setup(100, 4);
        await session.fill(4);
        store.selectAll();
        store.applyKey(1);
        api.failSubmit.set(2, "internal");
        api.failSubmit.set(3, "lease_invalid");
        const out = await session.submitPage();
        expect(out.done).toEqual([1, 4]);
        expect(out.lost).toEqual([3]);
        expect(out.failed.map((f) => f.itemId)).toEqual([2]);
        expect(store.pool.map((p) => [p.item.id, p.tags])).toEqual([[2, ["Red"]]]);
        api.failSubmit.clear();
        const retry = await session.submitPage();
        expect(retry.done).toEqual([2]);
        expect(store.pool).toHaveLength(0);
    });
});

describe("leases", () => {
    it("renews every lease held and drops items of dead ones", async () => {
        const { api, store, session } = setup(100, 4);
        await session.fill(8);
        api.deadLeases.add("L1");
        const lost = await session.renewAll();
        expect(api.renewed.sort()).toEqual(["L1", "L2"]);
        expect(lost).toEqual([1, 2, 3, 4]);
        expect(store.visible().map((p) => p.item.id)).toEqual([5, 6, 7, 8]);
    });

    it("releases all leases and skips the given items", async () => {
        const { api, store, session } = setup(100, 4);
        await session.fill(8);
        store.select(2, "replace");
        await session.skip(store.skipTargets());
        expect(api.skipped).toEqual([2]);
        expect(store.pool.map((p) => p.item.id)).not.toContain(2);
        session.releaseAll();
        expect(api.released).toEqual(["L1", "L2"]);
    });
});
