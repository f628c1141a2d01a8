// P: click the vertices; double-click, Enter or a click on the first vertex closes the polygon;
// Backspace drops the last vertex; Esc throws the whole polygon away.
import type { ImagePoint } from "../../geometry/point";
import { clampRings, isValidRing } from "../../geometry/polygon";
import type { Preview } from "./tool";
import { BaseTool } from "./tool";

export class PolygonTool extends BaseTool {
    readonly name = "polygon";
    private points_: ImagePoint[] = [];
    private cursor_: ImagePoint | null = null;

    override get busy(): boolean {
        return this.points_.length > 0;
    }

    get points(): readonly ImagePoint[] {
        return this.points_;
    }

    down(p: ImagePoint): void {
        if (this.host.label() === null) {
            return;
        }
        const first = this.points_[0];
        const tol = this.host.tolerance();
        if (
            first !== undefined &&
            this.points_.length >= 3 &&
            Math.hypot(first.x - p.x, first.y - p.y) <= tol
        ) {
            this.close();
            return;
        }
        const last = this.points_[this.points_.length - 1];
        // The two clicks of a double-click land on the same spot: keep one vertex.
        if (last === undefined || Math.hypot(last.x - p.x, last.y - p.y) > tol / 4) {
            this.points_.push(p);
        }
    }

    override move(p: ImagePoint): void {
        this.cursor_ = p;
    }

    override doubleClick(): void {
        this.close();
    }

    override key(key: string): boolean {
        if (key === "Enter" && this.busy) {
            this.close();
            return true;
        }
        if (key === "Backspace" && this.busy) {
            this.points_.pop();
            return true;
        }
        return super.key(key);
    }

    /** Closes if the ring is a real polygon; otherwise keeps drawing. */
    close(): boolean {
        const label = this.host.label();
        const rings = clampRings([this.points_], this.host.image);
        const ring = rings[0];
        if (label === null || ring === undefined || !isValidRing(ring)) {
            return false;
        }
        const id = this.host.newId();
        this.host.doc.add({ id, label, geometry: { kind: "polygon", rings } });
        this.host.doc.select(id);
        this.cancel();
        return true;
    }

    override cancel(): void {
        this.points_ = [];
    }

    override preview(): Preview | null {
        return this.points_.length === 0
            ? null
            : { kind: "path", points: this.points_, cursor: this.cursor_ };
    }
}
