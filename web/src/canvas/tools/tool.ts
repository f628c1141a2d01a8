// Drawing tools are small state machines fed pointer events in image pixels and a few keys.
// They never touch the DOM: the page translates events, the renderer draws `preview()`.
import type { Box } from "../../geometry/box";
import type { MaskRaster } from "../../geometry/mask";
import type { ImagePoint, Size } from "../../geometry/point";
import type { AnnotationDocument } from "../../store/annotation_document";
import type { Shape } from "../../schema/shapes";

export type ToolName =
    "box" | "template" | "move" | "polygon" | "vertex" | "brush" | "eraser" | "fill" | "outline";

/** The server's outline of the object in a box: its ring, or why there is none. */
export type OutlineResult =
    | { readonly ok: true; readonly ring: readonly ImagePoint[] }
    | { readonly ok: false; readonly message: string };

/** What the tools share with the page. */
export interface ToolHost {
    readonly doc: AnnotationDocument;
    readonly image: Size;
    /** The label new shapes get; null when none is picked (the tools then draw nothing). */
    label(): string | null;
    /** Every label in display order (mask pixel values are index + 1). */
    labels(): readonly string[];
    /** Hit-test slack in image pixels (a few screen pixels at the current zoom). */
    tolerance(): number;
    newId(): string;
    /** Size of the template stamp: 50 × 50 at first, then the size of the last box drawn. */
    templateSize: { w: number; h: number };
    brushRadius: number;
    /** Tells the labeler why an action did nothing (the page shows it in its status line). */
    notify?(message: string): void;
    /** The object inside `box` as a polygon ring (POST …/outline); absent where unavailable. */
    readonly outline?: (box: Box) => Promise<OutlineResult>;
}

export type Preview =
    | { readonly kind: "box"; readonly box: Box }
    | {
          readonly kind: "path";
          readonly points: readonly ImagePoint[];
          readonly cursor: ImagePoint | null;
      }
    | { readonly kind: "shape"; readonly shape: Shape }
    | { readonly kind: "mask"; readonly raster: MaskRaster };

export interface Tool {
    readonly name: ToolName;
    down(p: ImagePoint): void;
    move(p: ImagePoint): void;
    up(p: ImagePoint): void;
    doubleClick(p: ImagePoint): void;
    /** Returns true when the tool used the key (Enter, Escape, Backspace). */
    key(key: string): boolean;
    /** Drops whatever is half-drawn, leaving the document as it was. */
    cancel(): void;
    /** True while a shape is being drawn or dragged (the page then holds other keys back). */
    readonly busy: boolean;
    preview(): Preview | null;
    /** The committed shape the tool is editing, hidden from the static layer meanwhile. */
    editingId(): string | null;
}

export abstract class BaseTool implements Tool {
    abstract readonly name: ToolName;

    constructor(protected readonly host: ToolHost) {}

    abstract down(p: ImagePoint): void;
    /** Where the pointer was last seen; tools that only react to presses keep just this. */
    protected pointer_: ImagePoint | null = null;

    move(p: ImagePoint): void {
        this.pointer_ = p;
    }
    up(p: ImagePoint): void {
        this.pointer_ = p;
    }
    doubleClick(p: ImagePoint): void {
        this.pointer_ = p;
    }
    key(key: string): boolean {
        if (key === "Escape" && this.busy) {
            this.cancel();
            return true;
        }
        return false;
    }
    cancel(): void {}
    get busy(): boolean {
        return false;
    }
    preview(): Preview | null {
        return null;
    }
    editingId(): string | null {
        return null;
    }
}
