// Talks to the server for the labeling page: leases items to fill the page (and the next one in
// advance), renews and releases leases, submits and skips. The store holds the state.
import type { ApiResult } from "../../../client/result";
import type { ApiError } from "../../../client/result";
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
import type { LabelingStore, PoolItem } from "../../../store/labeling_store";
import { leaseCounts } from "../../../store/page_layout";

/** The part of ApiClient this needs; tests pass a fake. */
export interface LabelingApi {
    next(id: Id, count: PageSize): Promise<ApiResult<LeasedPage>>;
    renew(id: Id, lease: string): Promise<ApiResult<{ lease_expires_at: TimeMs }>>;
    release(id: Id, lease: string, keepalive?: boolean): Promise<ApiResult<null>>;
    submit(
        id: Id,
        itemId: Id,
        lease: string,
        labels: readonly string[],
        effort?: AnswerEffort,
    ): Promise<ApiResult<SubmitResult>>;
    skip(id: Id, itemId: Id, lease: string): Promise<ApiResult<null>>;
    /** The caller's answer or the item's prelabel (null when neither); optional for fakes. */
    annotation?(id: Id, itemId: Id): Promise<ApiResult<AnnotationView | null>>;
}

export interface ItemFailure {
    readonly itemId: Id;
    readonly error: ApiError;
}

export interface BatchOutcome {
    readonly done: Id[];
    /** Items whose lease ran out: they went back to the queue and left the page. */
    readonly lost: Id[];
    readonly failed: ItemFailure[];
}

export class LabelingSession {
    private exhausted_ = false;
    private chain_: Promise<ApiError | null> = Promise.resolve(null);

    constructor(
        private readonly api: LabelingApi,
        private readonly projectId: Id,
        private readonly store: LabelingStore,
    ) {}

    /** True once the server said nothing is left to lease. */
    get exhausted(): boolean {
        return this.exhausted_;
    }

    /** Lets the next fill ask the server again (items may have come back to the queue). */
    retryQueue(): void {
        this.exhausted_ = false;
    }

    /**
     * Leases until the pool holds `target` items or the queue is empty. Calls are serialised so
     * a prefetch and a layout switch never lease the same shortfall twice.
     */
    fill(target: number): Promise<ApiError | null> {
        this.chain_ = this.chain_.then(() => this.fillNow(target));
        return this.chain_;
    }

    private async fillNow(target: number): Promise<ApiError | null> {
        for (;;) {
            // Lease at most a page at a time so a prefetch takes one page, not a rounded-up lot.
            const need = Math.min(this.store.shortfall(target), this.store.layout);
            const count = leaseCounts(need)[0];
            if (count === undefined || this.exhausted_) {
                return null;
            }
            const r = await this.api.next(this.projectId, count);
            if (!r.ok) {
                return r.error;
            }
            if (r.value.items.length === 0) {
                this.exhausted_ = true;
                return null;
            }
            this.store.add(r.value.items, r.value.lease, undefined, r.value.kind === "clustered");
            await this.prefill(r.value.items);
            if (r.value.items.length < count) {
                // The server had fewer than asked for: the queue is drained for now.
                this.exhausted_ = true;
                return null;
            }
        }
    }

    /** Tags freshly leased items with their prelabels (the model's or an import's), shown for
     * review. `next` carries them; an item without one is asked for its annotation, which older
     * servers and the tests' fakes answer instead. */
    private async prefill(items: readonly Item[]): Promise<void> {
        const waiting: Item[] = [];
        for (const item of items) {
            if (item.prelabel?.labels !== undefined) {
                this.store.prefill(item.id, item.prelabel.labels);
            } else {
                waiting.push(item);
            }
        }
        const get = this.api.annotation?.bind(this.api);
        if (get === undefined) {
            return;
        }
        await Promise.all(
            waiting.map(async (item) => {
                const r = await get(this.projectId, item.id);
                if (r.ok && r.value !== null && r.value.source === "prelabel") {
                    this.store.prefill(item.id, r.value.labels);
                }
            }),
        );
    }

    /** Renews every lease the page holds; items of leases that are gone leave the page. */
    async renewAll(): Promise<Id[]> {
        const lost: Id[] = [];
        await Promise.all(
            this.store.leases().map(async (lease) => {
                const r = await this.api.renew(this.projectId, lease);
                if (!r.ok && r.error.code === "lease_invalid") {
                    lost.push(
                        ...this.store.pool.filter((p) => p.lease === lease).map((p) => p.item.id),
                    );
                }
            }),
        );
        if (lost.length > 0) {
            this.store.remove(lost);
        }
        return lost;
    }

    /** Returns every unsubmitted item to the queue. */
    releaseAll(keepalive = false): void {
        for (const lease of this.store.leases()) {
            void this.api.release(this.projectId, lease, keepalive);
        }
    }

    /**
     * One PUT per image on screen, in parallel. Stored items leave the page; failures stay with
     * their tags so a retry only resends those (PUT is idempotent anyway). `activeMs`, the time
     * the page was in use, is shared equally among the items sent, each with its own edits.
     */
    async submitPage(onlyChanged = false, activeMs?: number): Promise<BatchOutcome> {
        const sent = this.store.submissions(onlyChanged);
        const share = activeMs === undefined ? undefined : Math.round(activeMs / sent.length);
        const work = sent.map(async (s) => ({
            itemId: s.itemId,
            r: await this.api.submit(
                this.projectId,
                s.itemId,
                s.lease,
                s.labels,
                share === undefined ? undefined : { active_ms: share, edits: s.edits },
            ),
        }));
        return this.settle(await Promise.all(work));
    }

    async skip(items: readonly PoolItem[]): Promise<BatchOutcome> {
        const work = items.map(async (p) => ({
            itemId: p.item.id,
            r: await this.api.skip(this.projectId, p.item.id, p.lease),
        }));
        return this.settle(await Promise.all(work));
    }

    private settle(results: { itemId: Id; r: ApiResult<unknown> }[]): BatchOutcome {
        const done: Id[] = [];
        const lost: Id[] = [];
        const failed: ItemFailure[] = [];
        for (const { itemId, r } of results) {
            if (r.ok) {
                done.push(itemId);
            } else if (r.error.code === "lease_invalid") {
                lost.push(itemId);
            } else {
                failed.push({ itemId, error: r.error });
            }
        }
        this.store.remove([...done, ...lost]);
        return { done, lost, failed };
    }
}
