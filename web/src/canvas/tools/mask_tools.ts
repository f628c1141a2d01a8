// Semantic segmentation: the brush paints the current label in a disc of the chosen radius,
// the eraser clears pixels, fill floods the connected region under the click (e.g. the inside of
// an outline painted with the brush). A stroke edits a working raster shown as the preview and
// is committed as one change set on pointer up; Esc mid-stroke drops it. The working raster is a
// copy-on-write clone of the document's, so a stroke costs the chunks it paints, not the image.
import type { MaskRaster } from "../../geometry/mask";
import { floodFill, paintSegment } from "../../geometry/mask";
import type { ImagePoint } from "../../geometry/point";
import { commitRaster, documentRaster } from "../../store/mask_layer";

/**
 * A fill larger than this many pixels (a click on the background of a gigapixel image) is
 * refused: it would allocate the whole image. 2^26 pixels is 128 MiB of chunks and covers any
 * image the old full raster handled (up to 67 megapixels).
 */
export const kMaxFillPixels = 1 << 26;
import type { Preview, ToolHost, ToolName } from "./tool";
import { BaseTool } from "./tool";

export class BrushTool extends BaseTool {
    private raster_: MaskRaster | null = null;
    private last_: ImagePoint | null = null;

    constructor(
        host: ToolHost,
        readonly name: ToolName & ("brush" | "eraser"),
    ) {
        super(host);
    }

    override get busy(): boolean {
        return this.raster_ !== null;
    }

    private value(): number | null {
        if (this.name === "eraser") {
            return 0;
        }
        const label = this.host.label();
        const v = label === null ? 0 : this.host.labels().indexOf(label) + 1;
        return v > 0 ? v : null;
    }

    down(p: ImagePoint): void {
        const value = this.value();
        if (value === null || this.host.doc.locked) {
            return;
        }
        this.raster_ = documentRaster(this.host.doc, this.host.image, this.host.labels()).clone();
        this.last_ = p;
        paintSegment(this.raster_, p, p, this.host.brushRadius, value);
    }

    override move(p: ImagePoint): void {
        const value = this.value();
        if (this.raster_ === null || this.last_ === null || value === null) {
            return;
        }
        paintSegment(this.raster_, this.last_, p, this.host.brushRadius, value);
        this.last_ = p;
    }

    override up(p: ImagePoint): void {
        if (this.raster_ === null) {
            return;
        }
        this.move(p);
        const raster = this.raster_;
        this.cancel();
        commitRaster(this.host.doc, this.host.image, raster, this.host.labels());
    }

    override cancel(): void {
        this.raster_ = null;
        this.last_ = null;
    }

    override preview(): Preview | null {
        return this.raster_ === null ? null : { kind: "mask", raster: this.raster_ };
    }
}

export class FillTool extends BaseTool {
    readonly name = "fill";

    down(p: ImagePoint): void {
        const label = this.host.label();
        const labels = this.host.labels();
        const value = label === null ? 0 : labels.indexOf(label) + 1;
        if (value === 0 || this.host.doc.locked) {
            return;
        }
        const raster = documentRaster(this.host.doc, this.host.image, labels).clone();
        const filled = floodFill(raster, p, value, kMaxFillPixels);
        if (filled > 0) {
            commitRaster(this.host.doc, this.host.image, raster, labels);
        } else if (filled < 0) {
            this.host.notify?.(
                `Fill stopped: the region is larger than ${String(kMaxFillPixels / 1_048_576)} megapixels. ` +
                    "Close its outline with the brush or draw a polygon, then fill inside it.",
            );
        }
    }
}
