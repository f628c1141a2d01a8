// The shapes of one image while it is being labeled. Every edit is a change set (before/after
// per shape id) tagged with its origin: "local" edits go on the undo stack, "remote" ones (a
// restored draft, shapes copied in by the server) and "silent" ones (tool previews) do not.
// Undo and redo replay change sets in reverse, so they work the same for every tool.
import type { Box } from "../geometry/box";
import { boxContains } from "../geometry/box";
import type { ImagePoint } from "../geometry/point";
import { edgeAt, pointInRings, ringsBounds } from "../geometry/polygon";
import type { Shape } from "../schema/shapes";
import { GridIndex } from "./spatial_index";

export type Origin = "local" | "remote" | "silent";

export interface Change {
    readonly id: string;
    readonly before: Shape | null;
    readonly after: Shape | null;
}

export interface ChangeSet {
    readonly origin: Origin;
    readonly changes: readonly Change[];
}

export type Listener = (set: ChangeSet) => void;

export function shapeBounds(s: Shape): Box | null {
    switch (s.geometry.kind) {
        case "box":
            return s.geometry.box;
        case "polygon":
            return ringsBounds(s.geometry.rings);
        case "mask":
            return null;
    }
}

const kMaxUndo = 500;

export class AnnotationDocument {
    private readonly shapes_ = new Map<string, Shape>();
    private readonly z_ = new Map<string, number>();
    private readonly index_ = new GridIndex();
    private readonly undo_: Change[][] = [];
    private readonly redo_: Change[][] = [];
    private readonly listeners_ = new Set<Listener>();
    private readonly hidden_ = new Set<string>();
    private nextZ_ = 0;
    private selected_: string | null = null;
    private locked_ = false;
    private version_ = 0;
    private localEdits_ = 0;

    /** Bumps on every change, so autosave can tell whether anything is unsaved. */
    get version(): number {
        return this.version_;
    }

    get selected(): string | null {
        return this.selected_;
    }

    get locked(): boolean {
        return this.locked_;
    }

    /** The labeler's changes since the image was opened (undo and redo count): savings figures. */
    get localEdits(): number {
        return this.localEdits_;
    }

    get canUndo(): boolean {
        return this.undo_.length > 0;
    }

    get canRedo(): boolean {
        return this.redo_.length > 0;
    }

    get size(): number {
        return this.shapes_.size;
    }

    /** Shapes in drawing order (the first drawn is at the bottom). */
    shapes(): Shape[] {
        return [...this.shapes_.values()];
    }

    get(id: string): Shape | undefined {
        return this.shapes_.get(id);
    }

    subscribe(fn: Listener): () => void {
        this.listeners_.add(fn);
        return () => this.listeners_.delete(fn);
    }

    apply(changes: readonly Change[], origin: Origin = "local"): void {
        if (changes.length === 0) {
            return;
        }
        this.write(changes);
        if (origin === "local") {
            this.localEdits_ += 1;
            this.undo_.push([...changes]);
            if (this.undo_.length > kMaxUndo) {
                this.undo_.shift();
            }
            this.redo_.length = 0;
        }
        this.emit({ origin, changes });
    }

    add(shape: Shape, origin: Origin = "local"): void {
        this.apply(
            [{ id: shape.id, before: this.shapes_.get(shape.id) ?? null, after: shape }],
            origin,
        );
    }

    update(shape: Shape, origin: Origin = "local"): void {
        this.add(shape, origin);
    }

    remove(ids: readonly string[], origin: Origin = "local"): void {
        const changes: Change[] = [];
        for (const id of ids) {
            const before = this.shapes_.get(id);
            if (before !== undefined) {
                changes.push({ id, before, after: null });
            }
        }
        this.apply(changes, origin);
    }

    /** Replaces everything (opening an item, restoring a draft); `remote` keeps it off undo. */
    replaceAll(shapes: readonly Shape[], origin: Origin = "remote"): void {
        const changes: Change[] = this.shapes().map((s) => ({ id: s.id, before: s, after: null }));
        for (const s of shapes) {
            const i = changes.findIndex((c) => c.id === s.id);
            if (i >= 0) {
                changes[i] = { id: s.id, before: changes[i]?.before ?? null, after: s };
            } else {
                changes.push({ id: s.id, before: null, after: s });
            }
        }
        if (origin !== "local") {
            this.undo_.length = 0;
            this.redo_.length = 0;
            this.localEdits_ = 0;
        }
        this.apply(changes, origin);
    }

    undo(): boolean {
        const set = this.undo_.pop();
        if (set === undefined) {
            return false;
        }
        const inverse = set.map((c) => ({ id: c.id, before: c.after, after: c.before })).reverse();
        this.write(inverse);
        this.localEdits_ += 1;
        this.redo_.push(set);
        this.emit({ origin: "local", changes: inverse });
        return true;
    }

    redo(): boolean {
        const set = this.redo_.pop();
        if (set === undefined) {
            return false;
        }
        this.write(set);
        this.localEdits_ += 1;
        this.undo_.push(set);
        this.emit({ origin: "local", changes: set });
        return true;
    }

    select(id: string | null): void {
        this.selected_ = id !== null && this.shapes_.has(id) ? id : null;
        this.emit({ origin: "silent", changes: [] });
    }

    setLocked(locked: boolean): void {
        this.locked_ = locked;
        if (locked) {
            this.selected_ = null;
        }
        this.emit({ origin: "silent", changes: [] });
    }

    isHidden(id: string): boolean {
        return this.hidden_.has(id);
    }

    setHidden(id: string, hidden: boolean): void {
        if (hidden) {
            this.hidden_.add(id);
            if (this.selected_ === id) {
                this.selected_ = null;
            }
        } else {
            this.hidden_.delete(id);
        }
        this.emit({ origin: "silent", changes: [] });
    }

    /** The topmost visible box or polygon under `p` (polygons also by their outline). */
    hitTest(p: ImagePoint, tolerance: number): string | null {
        let best: string | null = null;
        let bestZ = -1;
        for (const id of this.index_.queryPoint(p, tolerance)) {
            const s = this.shapes_.get(id);
            const z = this.z_.get(id) ?? 0;
            if (s === undefined || this.hidden_.has(id) || z < bestZ) {
                continue;
            }
            const g = s.geometry;
            const hit =
                g.kind === "box"
                    ? boxContains(g.box, p, tolerance)
                    : g.kind === "polygon" &&
                      (pointInRings(g.rings, p) || edgeAt(g.rings, p, tolerance) !== null);
            if (hit) {
                best = id;
                bestZ = z;
            }
        }
        return best;
    }

    /** Ids whose bounds meet `area`, for drawing only what is on screen. */
    idsIn(area: Box): string[] {
        return this.index_.queryBox(area);
    }

    private write(changes: readonly Change[]): void {
        for (const c of changes) {
            if (c.after === null) {
                this.shapes_.delete(c.id);
                this.z_.delete(c.id);
                this.index_.remove(c.id);
                this.hidden_.delete(c.id);
                if (this.selected_ === c.id) {
                    this.selected_ = null;
                }
                continue;
            }
            if (!this.z_.has(c.id)) {
                this.z_.set(c.id, this.nextZ_++);
            }
            this.shapes_.set(c.id, c.after);
            const bounds = shapeBounds(c.after);
            if (bounds === null) {
                this.index_.remove(c.id);
            } else {
                this.index_.insert(c.id, bounds);
            }
        }
        this.version_++;
    }

    private emit(set: ChangeSet): void {
        for (const fn of this.listeners_) {
            fn(set);
        }
    }
}
