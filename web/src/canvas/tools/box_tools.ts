// R: drag a box. T: stamp a box of the template size centred on the click.
import type { Box } from "../../geometry/box";
import { boxFromCorners, clampBox } from "../../geometry/box";
import type { ImagePoint } from "../../geometry/point";
import type { Preview } from "./tool";
import { BaseTool } from "./tool";

/**
 * A tool driven by dragging a box: the drag's state and its preview. On release, a box of at
 * least `minSide` image pixels a side goes to `dropped` with the label picked then.
 */
export abstract class BoxDragTool extends BaseTool {
    private start_: ImagePoint | null = null;
    private box_: Box | null = null;
    /** Smaller drags are taken for stray clicks. */
    protected abstract readonly minSide: number;

    protected abstract dropped(box: Box, label: string): void;

    override get busy(): boolean {
        return this.start_ !== null;
    }

    down(p: ImagePoint): void {
        if (this.host.label() === null) {
            return;
        }
        this.start_ = p;
        this.box_ = null;
    }

    override move(p: ImagePoint): void {
        if (this.start_ !== null) {
            this.box_ = clampBox(boxFromCorners(this.start_, p), this.host.image);
        }
    }

    override up(p: ImagePoint): void {
        if (this.start_ === null) {
            return;
        }
        this.move(p);
        const box = this.box_;
        const label = this.host.label();
        this.start_ = null;
        this.box_ = null;
        if (box === null || label === null || box.w < this.minSide || box.h < this.minSide) {
            return;
        }
        this.dropped(box, label);
    }

    override cancel(): void {
        this.start_ = null;
        this.box_ = null;
    }

    override preview(): Preview | null {
        return this.box_ === null ? null : { kind: "box", box: this.box_ };
    }
}

export class BoxTool extends BoxDragTool {
    readonly name = "box";
    protected readonly minSide = 1;

    protected dropped(box: Box, label: string): void {
        const id = this.host.newId();
        this.host.doc.add({ id, label, geometry: { kind: "box", box } });
        this.host.doc.select(id);
        this.host.templateSize = { w: box.w, h: box.h };
    }
}

export class TemplateTool extends BaseTool {
    readonly name = "template";
    private cursor_: ImagePoint | null = null;

    private boxAt(p: ImagePoint): Box {
        const { w, h } = this.host.templateSize;
        return clampBox({ x: p.x - w / 2, y: p.y - h / 2, w, h }, this.host.image);
    }

    down(p: ImagePoint): void {
        const label = this.host.label();
        const box = this.boxAt(p);
        if (label === null || box.w <= 0 || box.h <= 0) {
            return;
        }
        const id = this.host.newId();
        this.host.doc.add({ id, label, geometry: { kind: "box", box } });
        this.host.doc.select(id);
    }

    override move(p: ImagePoint): void {
        this.cursor_ = p;
    }

    override cancel(): void {
        this.cursor_ = null;
    }

    override preview(): Preview | null {
        return this.cursor_ === null ? null : { kind: "box", box: this.boxAt(this.cursor_) };
    }
}
