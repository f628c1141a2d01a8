// M: select a shape and drag its body, an edge or corner (boxes) or a vertex (polygons).
// U: on a polygon, a click on an edge adds a vertex there and a click on a vertex removes it.
// Both leave locked shapes alone (L) and commit one undoable change per drag or click.
import type { BoxHandle } from "../../geometry/box";
import { boxArea, boxHandleAt, clampBox, dragBox } from "../../geometry/box";
import type { ImagePoint } from "../../geometry/point";
import type { VertexRef } from "../../geometry/polygon";
import {
    clampRings,
    edgeAt,
    insertVertex,
    isValidRing,
    removeVertex,
    replaceVertex,
    translateRings,
    vertexAt,
} from "../../geometry/polygon";
import type { Shape } from "../../schema/shapes";
import type { Preview } from "./tool";
import { BaseTool } from "./tool";

type Grip =
    { kind: "box"; handle: BoxHandle } | { kind: "vertex"; v: VertexRef } | { kind: "body" };

function gripOn(s: Shape, p: ImagePoint, tol: number): Grip | null {
    const g = s.geometry;
    if (g.kind === "box") {
        const handle = boxHandleAt(g.box, p, tol);
        return handle === null ? null : { kind: "box", handle };
    }
    if (g.kind === "polygon") {
        const v = vertexAt(g.rings, p, tol);
        return v === null ? { kind: "body" } : { kind: "vertex", v };
    }
    return null;
}

export class MoveTool extends BaseTool {
    readonly name = "move";
    private origin_: ImagePoint | null = null;
    private shape_: Shape | null = null;
    private edited_: Shape | null = null;
    private grip_: Grip | null = null;

    override get busy(): boolean {
        return this.origin_ !== null;
    }

    down(p: ImagePoint): void {
        const doc = this.host.doc;
        if (doc.locked) {
            return;
        }
        const tol = this.host.tolerance();
        // The selected shape's handles win, even where another shape lies on top.
        let shape = doc.selected === null ? undefined : doc.get(doc.selected);
        let grip = shape === undefined ? null : gripOn(shape, p, tol);
        if (grip === null || (grip.kind === "body" && doc.hitTest(p, tol) !== shape?.id)) {
            const id = doc.hitTest(p, tol);
            shape = id === null ? undefined : doc.get(id);
            grip = shape === undefined ? null : gripOn(shape, p, tol);
            doc.select(id);
        }
        if (shape === undefined || grip === null) {
            return;
        }
        this.origin_ = p;
        this.shape_ = shape;
        this.edited_ = shape;
        this.grip_ = grip;
    }

    override move(p: ImagePoint): void {
        const s = this.shape_;
        const o = this.origin_;
        const grip = this.grip_;
        if (s === null || o === null || grip === null) {
            return;
        }
        const dx = p.x - o.x;
        const dy = p.y - o.y;
        const g = s.geometry;
        const image = this.host.image;
        if (g.kind === "box") {
            const handle = grip.kind === "box" ? grip.handle : "body";
            this.edited_ = {
                ...s,
                geometry: { kind: "box", box: clampBox(dragBox(g.box, handle, dx, dy), image) },
            };
        } else if (g.kind === "polygon") {
            const rings =
                grip.kind === "vertex"
                    ? replaceVertex(g.rings, grip.v, p)
                    : translateRings(g.rings, dx, dy);
            this.edited_ = { ...s, geometry: { kind: "polygon", rings: clampRings(rings, image) } };
        }
    }

    override up(p: ImagePoint): void {
        if (this.shape_ === null) {
            return;
        }
        this.move(p);
        const before = this.shape_;
        const after = this.edited_;
        this.cancel();
        if (after === null || after === before || !isDrawable(after)) {
            return;
        }
        this.host.doc.update(after);
    }

    override cancel(): void {
        this.origin_ = null;
        this.shape_ = null;
        this.edited_ = null;
        this.grip_ = null;
    }

    override preview(): Preview | null {
        return this.edited_ === null ? null : { kind: "shape", shape: this.edited_ };
    }

    override editingId(): string | null {
        return this.shape_?.id ?? null;
    }
}

function isDrawable(s: Shape): boolean {
    const g = s.geometry;
    if (g.kind === "box") {
        return boxArea(g.box) > 0;
    }
    return g.kind !== "polygon" || g.rings.every(isValidRing);
}

export class VertexTool extends BaseTool {
    readonly name = "vertex";

    down(p: ImagePoint): void {
        const doc = this.host.doc;
        if (doc.locked) {
            return;
        }
        const tol = this.host.tolerance();
        let shape = doc.selected === null ? undefined : doc.get(doc.selected);
        if (shape?.geometry.kind !== "polygon" || !this.touches(shape, p, tol)) {
            const id = doc.hitTest(p, tol);
            doc.select(id);
            shape = id === null ? undefined : doc.get(id);
            if (shape?.geometry.kind !== "polygon") {
                return;
            }
        }
        const g = shape.geometry;
        const v = vertexAt(g.rings, p, tol);
        if (v !== null) {
            const rings = removeVertex(g.rings, v);
            // Never remove a polygon's last ring through vertex edits: delete the shape instead.
            if (rings.length > 0 && rings.length === g.rings.length) {
                doc.update({ ...shape, geometry: { kind: "polygon", rings } });
            }
            return;
        }
        const e = edgeAt(g.rings, p, tol);
        if (e !== null) {
            doc.update({
                ...shape,
                geometry: { kind: "polygon", rings: insertVertex(g.rings, e, e.point) },
            });
        }
    }

    private touches(s: Shape, p: ImagePoint, tol: number): boolean {
        const g = s.geometry;
        return (
            g.kind === "polygon" &&
            (vertexAt(g.rings, p, tol) !== null || edgeAt(g.rings, p, tol) !== null)
        );
    }
}
