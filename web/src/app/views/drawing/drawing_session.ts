// Talks to the server for the drawing page: one leased image at a time (POST /next {"count": 1}),
// submit, skip, lease renewal and release, where the shapes to start from come from (local copy,
// server draft, the caller's answer, a prelabel), and "previous image": the caller's earlier
// answers, newest first, opened without a lease and saved with a lease-less PUT, while the
// leased image waits (its lease renewed) to be reopened from its draft.
import type { ApiResult } from "../../../client/result";
import { ok } from "../../../client/result";
import type {
    AnnotationView,
    AnswerEffort,
    Id,
    Item,
    LeasedPage,
    Progress,
    TimeMs,
} from "../../../schema/api";
import type { ApiShape, Shape } from "../../../schema/shapes";
import { shapesFromApi } from "../../../schema/shapes";
import type { DraftStorage } from "./autosave";
import { Autosaver } from "./autosave";

/** The part of ApiClient this needs; tests pass a fake. */
export interface DrawingApi {
    next(id: Id, count: 1): Promise<ApiResult<LeasedPage>>;
    renew(id: Id, lease: string): Promise<ApiResult<{ lease_expires_at: TimeMs }>>;
    release(id: Id, lease: string, keepalive?: boolean): Promise<ApiResult<null>>;
    submitShapes(
        id: Id,
        itemId: Id,
        lease: string,
        shapes: readonly ApiShape[],
        effort?: AnswerEffort,
    ): Promise<ApiResult<unknown>>;
    skip(id: Id, itemId: Id, lease: string): Promise<ApiResult<null>>;
    /** `null`: no draft yet (204), which is not an error. */
    draft(id: Id, itemId: Id): Promise<ApiResult<{ shapes?: unknown } | null>>;
    /** `null`: no answer or prelabel yet (204). */
    annotation(id: Id, itemId: Id): Promise<ApiResult<AnnotationView | null>>;
    history(
        id: Id,
        limit: number,
        before?: TimeMs,
    ): Promise<ApiResult<{ items: AnnotationView[] }>>;
    getProject(id: Id): Promise<ApiResult<{ progress: Progress }>>;
}

/** The image on screen: leased for labeling, or an earlier answer opened for review. */
export type Opened =
    | { readonly kind: "leased"; readonly item: Item; readonly lease: string }
    | {
          readonly kind: "review";
          readonly item: Item;
          readonly updatedAt: TimeMs;
          readonly shapes: unknown;
      };

export interface Restored {
    readonly shapes: Shape[];
    /** The shapes are a prelabel (ML assist's or an import's), shown for review with a badge. */
    readonly prelabel: boolean;
    /** They came from a draft (local or on the server). */
    readonly draft: boolean;
}

/** "Image 3 of 20": the one on screen counts as the next after those labeled or skipped. */
export function progressText(p: Progress): string {
    const done = p.labeled + p.skipped;
    return done >= p.total ? `${p.total} of ${p.total} done` : `Image ${done + 1} of ${p.total}`;
}

export function draftKey(projectId: Id, itemId: Id): string {
    return `tessera.draft.${projectId}.${itemId}`;
}

function withoutConfidence(s: Shape): Shape {
    return { id: s.id, label: s.label, geometry: s.geometry };
}

export class DrawingSession {
    private current_: Opened | null = null;
    /** The leased image waiting while the labeler reviews earlier answers. */
    private held_: Extract<Opened, { kind: "leased" }> | null = null;
    private exhausted_ = false;

    constructor(
        private readonly api: DrawingApi,
        private readonly projectId: Id,
        private readonly storage: DraftStorage | null,
    ) {}

    get current(): Opened | null {
        return this.current_;
    }

    get reviewing(): boolean {
        return this.current_?.kind === "review";
    }

    /** True once /next returned nothing and no image is held. */
    get exhausted(): boolean {
        return this.exhausted_;
    }

    /** The lease to renew and release: the open image's, or the held one's during review. */
    get lease(): string | null {
        const c = this.current_;
        return c?.kind === "leased" ? c.lease : (this.held_?.lease ?? null);
    }

    /** Leases the next image; `null` when the queue is empty. */
    async next(): Promise<ApiResult<Opened | null>> {
        const r = await this.api.next(this.projectId, 1);
        if (!r.ok) {
            return r;
        }
        const item = r.value.items[0];
        this.exhausted_ = item === undefined;
        this.current_ = item === undefined ? null : { kind: "leased", item, lease: r.value.lease };
        return ok(this.current_);
    }

    /** Stores the shapes: with the lease, or lease-less for a reviewed earlier answer. */
    async submit(shapes: readonly ApiShape[], effort?: AnswerEffort): Promise<ApiResult<unknown>> {
        const c = this.current_;
        if (c === null) {
            return ok(null);
        }
        const lease = c.kind === "leased" ? c.lease : "";
        const r = await this.api.submitShapes(this.projectId, c.item.id, lease, shapes, effort);
        if (r.ok && c.kind === "leased") {
            this.storage?.removeItem(draftKey(this.projectId, c.item.id));
            this.current_ = null;
        }
        return r;
    }

    async skip(): Promise<ApiResult<null>> {
        const c = this.current_;
        if (c?.kind !== "leased") {
            return ok(null);
        }
        const r = await this.api.skip(this.projectId, c.item.id, c.lease);
        if (r.ok) {
            this.storage?.removeItem(draftKey(this.projectId, c.item.id));
            this.current_ = null;
        }
        return r;
    }

    /**
     * Opens the caller's answer before the one on screen (the newest when labeling); the leased
     * image is held meanwhile. `null`: there is no earlier answer, and nothing changed.
     */
    async previous(): Promise<ApiResult<Opened | null>> {
        const c = this.current_;
        const before = c?.kind === "review" ? c.updatedAt : undefined;
        const r = await this.api.history(this.projectId, 1, before);
        if (!r.ok) {
            return r;
        }
        const answer = r.value.items[0];
        if (answer === undefined) {
            return ok(null);
        }
        if (c?.kind === "leased") {
            this.held_ = c;
        }
        this.current_ = {
            kind: "review",
            item: answer.item,
            updatedAt: answer.updated_at,
            shapes: answer.shapes,
        };
        return ok(this.current_);
    }

    /** Leaves review: the held leased image again, or null (then lease the next one). */
    resume(): Opened | null {
        this.current_ = this.held_;
        this.held_ = null;
        return this.current_;
    }

    /**
     * The shapes to start from. Review: the stored answer. Leased: an unsynced local copy, else
     * the server draft, else the caller's stored answer, else the item's prelabel, whose
     * confidences are dropped (once reviewed and submitted they are the labeler's answer, and a
     * kept score would be exported as a model's).
     */
    async restore(opened: Opened): Promise<Restored> {
        if (opened.kind === "review") {
            return { shapes: shapesFromApi(opened.shapes, "h"), prelabel: false, draft: false };
        }
        const item = opened.item;
        const local = Autosaver.localCopy(this.storage, draftKey(this.projectId, item.id));
        if (local !== null) {
            return { shapes: shapesFromApi(local, "l"), prelabel: false, draft: true };
        }
        const draft = await this.api.draft(this.projectId, item.id);
        if (draft.ok && draft.value !== null && Array.isArray(draft.value.shapes)) {
            return { shapes: shapesFromApi(draft.value.shapes, "d"), prelabel: false, draft: true };
        }
        const stored = await this.api.annotation(this.projectId, item.id);
        if (!stored.ok || stored.value === null) {
            return { shapes: [], prelabel: false, draft: false };
        }
        const prelabel = stored.value.source === "prelabel";
        const shapes = shapesFromApi(stored.value.shapes, prelabel ? "p" : "a");
        return {
            shapes: prelabel ? shapes.map(withoutConfidence) : shapes,
            prelabel,
            draft: false,
        };
    }

    /** Renews the lease in use; false when the server dropped it (the image is then closed). */
    async renew(): Promise<boolean> {
        const lease = this.lease;
        if (lease === null) {
            return true;
        }
        const r = await this.api.renew(this.projectId, lease);
        if (!r.ok && r.error.code === "lease_invalid" && this.lease === lease) {
            if (this.held_?.lease === lease) {
                this.held_ = null;
            } else {
                this.current_ = null;
            }
            return false;
        }
        return true;
    }

    /** Gives the lease back (leaving the page; `keepalive` when the tab is closing). */
    release(keepalive = false): void {
        const lease = this.lease;
        if (lease !== null) {
            void this.api.release(this.projectId, lease, keepalive);
        }
    }

    /** "Image n of N" from the project's counts, or null when they cannot be read. */
    async progress(): Promise<string | null> {
        const r = await this.api.getProject(this.projectId);
        return r.ok ? progressText(r.value.progress) : null;
    }
}
