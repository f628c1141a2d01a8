// State of the labeling page: a pool of leased items, the tags given to each, the selection and
// the layout. Only the first `layout` items of the pool are on screen; the rest keep their tags
// and lease until they come into view (see docs/design/ui.md, "Layout switches").
import type { Id, Item, LabelEntry, PageSize } from "../schema/api";
import { labelForKey } from "../schema/labels";
import type { Direction } from "./page_layout";
import { columnsFor, moveIndex } from "./page_layout";

export type ClassificationType = "multiclass" | "multilabel";
export type SelectMode = "replace" | "toggle" | "range";

export interface PoolItem {
    readonly item: Item;
    /** "" for history items: their answers are changed without a lease. */
    readonly lease: string;
    readonly tags: readonly string[];
    /** Tags as loaded; an item whose tags differ has unsaved changes. */
    readonly original: readonly string[];
    /** The tags were pre-filled from an imported prelabel, for the labeler to review. */
    readonly prelabel?: boolean;
    /** Changes the labeler made to this item's tags (for the savings figures). */
    readonly edits?: number;
    /** It came on a page of similar images grouped by ML assist (`kind: "clustered"`). */
    readonly clustered?: boolean;
}

export interface Submission {
    readonly itemId: Id;
    readonly lease: string;
    readonly labels: readonly string[];
    readonly edits: number;
}

export type Gate = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface StoreOptions {
    readonly taskType: ClassificationType;
    readonly labels: readonly LabelEntry[];
    readonly layout: PageSize;
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
    return a.length === b.length && a.every((t, i) => t === b[i]);
}

export class LabelingStore {
    private pool_: PoolItem[] = [];
    private selection_ = new Set<Id>();
    private anchor_: Id | null = null;
    private focus_ = 0;
    private layout_: PageSize;
    private readonly order_: Map<string, number>;
    private readonly listeners_ = new Set<() => void>();

    constructor(private readonly options: StoreOptions) {
        this.layout_ = options.layout;
        this.order_ = new Map(options.labels.map((l, i) => [l.path, i]));
    }

    subscribe(fn: () => void): () => void {
        this.listeners_.add(fn);
        return () => this.listeners_.delete(fn);
    }

    get taskType(): ClassificationType {
        return this.options.taskType;
    }
    get labels(): readonly LabelEntry[] {
        return this.options.labels;
    }
    get layout(): PageSize {
        return this.layout_;
    }
    get columns(): number {
        return columnsFor(this.layout_);
    }
    get focusIndex(): number {
        return this.focus_;
    }
    get pool(): readonly PoolItem[] {
        return this.pool_;
    }
    visible(): readonly PoolItem[] {
        return this.pool_.slice(0, this.layout_);
    }
    isSelected(id: Id): boolean {
        return this.selection_.has(id);
    }
    selectedIds(): Id[] {
        return this.visible()
            .filter((p) => this.selection_.has(p.item.id))
            .map((p) => p.item.id);
    }
    /** Distinct leases held by items in the pool: what must be renewed and released. */
    leases(): string[] {
        return [...new Set(this.pool_.map((p) => p.lease).filter((l) => l !== ""))];
    }
    /** Two or more images on screen came from one page of similar images. */
    clusteredOnScreen(): boolean {
        const leases = this.visible()
            .filter((p) => p.clustered === true)
            .map((p) => p.lease);
        return leases.some((l, i) => leases.indexOf(l) !== i);
    }

    /** Items still missing to fill `target` cells (default: the current layout). */
    shortfall(target: number = this.layout_): number {
        return Math.max(0, target - this.pool_.length);
    }

    /**
     * Adds leased items (or history items with lease ""), skipping ones already in the pool.
     * `clustered`: the server grouped them as similar images.
     */
    add(
        items: readonly Item[],
        lease: string,
        tags: (item: Item) => readonly string[] = () => [],
        clustered = false,
    ): void {
        const known = new Set(this.pool_.map((p) => p.item.id));
        for (const item of items) {
            if (known.has(item.id)) {
                continue;
            }
            known.add(item.id);
            const given = this.sorted(tags(item));
            this.pool_.push({
                item,
                lease,
                tags: given,
                original: given,
                ...(clustered && { clustered }),
            });
        }
        this.emit();
    }

    /**
     * Pre-fills a leased item's tags from its prelabel, unless the labeler has tagged it already.
     * The tags count as unsaved: submitting stores them as the labeler's own answer.
     */
    prefill(id: Id, labels: readonly string[]): void {
        const at = this.pool_.findIndex((p) => p.item.id === id);
        const p = this.pool_[at];
        if (p === undefined || p.lease === "" || p.tags.length > 0 || labels.length === 0) {
            return;
        }
        this.pool_ = this.pool_.map((q, i) =>
            i === at ? { ...q, tags: this.sorted(labels), prelabel: true } : q,
        );
        this.emit();
    }

    /** Drops items (submitted, skipped or returned); the rest move up into view. */
    remove(ids: Iterable<Id>): void {
        const gone = new Set(ids);
        this.pool_ = this.pool_.filter((p) => !gone.has(p.item.id));
        for (const id of gone) {
            this.selection_.delete(id);
        }
        if (this.anchor_ !== null && gone.has(this.anchor_)) {
            this.anchor_ = null;
        }
        this.focus_ = 0;
        this.emit();
    }

    clear(): void {
        this.remove(this.pool_.map((p) => p.item.id));
    }

    /** Tags stay with their items; selection outside the new view is dropped. */
    setLayout(layout: PageSize): void {
        this.layout_ = layout;
        const shown = new Set(this.visible().map((p) => p.item.id));
        for (const id of [...this.selection_]) {
            if (!shown.has(id)) {
                this.selection_.delete(id);
            }
        }
        this.focus_ = Math.min(this.focus_, Math.max(0, this.visible().length - 1));
        this.emit();
    }

    select(id: Id, mode: SelectMode): void {
        const index = this.visible().findIndex((p) => p.item.id === id);
        if (index < 0) {
            return;
        }
        if (mode === "replace") {
            this.selection_ = new Set([id]);
            this.anchor_ = id;
        } else if (mode === "toggle") {
            if (!this.selection_.delete(id)) {
                this.selection_.add(id);
            }
            this.anchor_ = id;
        } else {
            this.selectRange(index);
        }
        this.focus_ = index;
        this.emit();
    }

    selectAll(): void {
        this.selection_ = new Set(this.visible().map((p) => p.item.id));
        this.emit();
    }

    clearSelection(): void {
        this.selection_.clear();
        this.emit();
    }

    /** Arrow keys: move the cursor and select what it lands on; `extend` grows a range. */
    move(dir: Direction, extend: boolean): void {
        const shown = this.visible();
        if (shown.length === 0) {
            return;
        }
        const had = this.selection_.size > 0;
        // The first arrow press only selects the cursor's item, so the user sees where it is.
        const next = had ? moveIndex(this.focus_, dir, shown.length, this.columns) : this.focus_;
        const id = shown[next]?.item.id;
        if (id === undefined) {
            return;
        }
        if (extend) {
            this.anchor_ ??= shown[this.focus_]?.item.id ?? id;
            this.selectRange(next);
        } else {
            this.selection_ = new Set([id]);
            this.anchor_ = id;
        }
        this.focus_ = next;
        this.emit();
    }

    /** The images a key press acts on: the selection, else the item under the cursor. */
    targets(): Id[] {
        const selected = this.selectedIds();
        if (selected.length > 0) {
            return selected;
        }
        const focused = this.visible()[this.focus_];
        return focused === undefined ? [] : [focused.item.id];
    }

    applyKey(key: number): boolean {
        const label = labelForKey(this.options.labels, key);
        if (label === undefined) {
            return false;
        }
        return this.applyLabel(label.path);
    }

    /**
     * Multi-class: the label replaces the targets' tag. Multi-label: the label is added to every
     * target, or removed from all of them when they all carry it already. Afterwards the selection
     * is cleared (as in Azure) and the cursor moves to the next untagged image.
     */
    applyLabel(path: string): boolean {
        const targets = new Set(this.targets());
        if (targets.size === 0 || !this.order_.has(path)) {
            return false;
        }
        const chosen = this.pool_.filter((p) => targets.has(p.item.id));
        const allHave = chosen.every((p) => p.tags.includes(path));
        const change = (tags: readonly string[]): readonly string[] => {
            if (this.options.taskType === "multiclass") {
                return [path];
            }
            return allHave ? tags.filter((t) => t !== path) : this.sorted([...tags, path]);
        };
        this.pool_ = this.pool_.map((p) =>
            targets.has(p.item.id) ? this.withTags(p, change(p.tags)) : p,
        );
        const lastIndex = Math.max(
            ...this.visible().map((p, i) => (targets.has(p.item.id) ? i : -1)),
        );
        this.selection_.clear();
        this.anchor_ = null;
        this.focus_ = this.nextUntagged(lastIndex);
        this.emit();
        return true;
    }

    removeTag(id: Id, path: string): void {
        this.pool_ = this.pool_.map((p) =>
            p.item.id === id
                ? this.withTags(
                      p,
                      p.tags.filter((t) => t !== path),
                  )
                : p,
        );
        this.emit();
    }

    /** Enter is allowed once every image on screen has at least one tag. */
    submitGate(): Gate {
        const shown = this.visible();
        if (shown.length === 0) {
            return { ok: false, reason: "There are no images on this page." };
        }
        const untagged = shown.filter((p) => p.tags.length === 0).length;
        if (untagged > 0) {
            const noun = untagged === 1 ? "image" : "images";
            return { ok: false, reason: `Tag ${untagged} more ${noun} to submit.` };
        }
        return { ok: true };
    }

    /** What Enter sends: every image on screen (PUT is idempotent, so resending is safe). */
    submissions(onlyChanged = false): Submission[] {
        return this.visible()
            .filter((p) => !onlyChanged || !sameTags(p.tags, p.original))
            .map((p) => ({
                itemId: p.item.id,
                lease: p.lease,
                labels: p.tags,
                edits: p.edits ?? 0,
            }));
    }

    /** Skip acts on the selection, or on the whole page when nothing is selected. */
    skipTargets(): PoolItem[] {
        const selected = new Set(this.selectedIds());
        const shown = this.visible();
        return selected.size > 0 ? shown.filter((p) => selected.has(p.item.id)) : [...shown];
    }

    private selectRange(toIndex: number): void {
        const shown = this.visible();
        const from = shown.findIndex((p) => p.item.id === this.anchor_);
        const start = Math.min(from < 0 ? toIndex : from, toIndex);
        const end = Math.max(from < 0 ? toIndex : from, toIndex);
        this.selection_ = new Set(shown.slice(start, end + 1).map((p) => p.item.id));
    }

    private nextUntagged(after: number): number {
        const shown = this.visible();
        for (let step = 1; step <= shown.length; step++) {
            const i = (after + step) % shown.length;
            if (shown[i]?.tags.length === 0) {
                return i;
            }
        }
        return Math.min(Math.max(0, after), Math.max(0, shown.length - 1));
    }

    /** The item with new tags, one edit more when they differ. */
    private withTags(p: PoolItem, tags: readonly string[]): PoolItem {
        return sameTags(p.tags, tags) ? p : { ...p, tags, edits: (p.edits ?? 0) + 1 };
    }

    private sorted(tags: readonly string[]): string[] {
        const unique = [...new Set(tags)];
        const rank = (t: string): number => this.order_.get(t) ?? Number.MAX_SAFE_INTEGER;
        return unique.sort((a, b) => rank(a) - rank(b));
    }

    private emit(): void {
        for (const fn of this.listeners_) {
            fn();
        }
    }
}
