// The image under the shapes: either one <img> (the display rendition, at most 2048 px, drawn
// stretched to the item's full pixel size so shapes stay in image pixels), or tiles of a
// libvips pyramid at the level the zoom needs, for images too large to send whole.
import type { Size } from "../geometry/point";
import type { Viewport } from "../geometry/viewport";
import { pyramidLevel, visibleImageRect } from "../geometry/viewport";

export interface TileSource {
    readonly tileSize: number;
    readonly levels: number;
    url(level: number, col: number, row: number): string;
}

export type ImageSource = { kind: "image"; url: string } | { kind: "tiles"; tiles: TileSource };

/** Above this many pixels on a side an image is opened through tiles. */
export const kTiledThreshold = 8000;

const kMaxCachedTiles = 512;

export class ImageLayer {
    private img_: HTMLImageElement | null = null;
    private readonly tiles_ = new Map<string, HTMLImageElement>();

    constructor(
        private readonly image: Size,
        private readonly source: ImageSource,
        private readonly onLoad: () => void,
    ) {
        if (source.kind === "image") {
            const img = new Image();
            img.decoding = "async";
            img.onload = onLoad;
            img.src = source.url;
            this.img_ = img;
        }
    }

    get loaded(): boolean {
        return this.img_ === null ? this.tiles_.size > 0 : this.img_.complete;
    }

    draw(ctx: CanvasRenderingContext2D, v: Viewport, view: Size): void {
        ctx.setTransform(v.scale, 0, 0, v.scale, v.offset.x, v.offset.y);
        if (this.img_ !== null) {
            if (this.img_.complete && this.img_.naturalWidth > 0) {
                ctx.drawImage(this.img_, 0, 0, this.image.width, this.image.height);
            }
            return;
        }
        if (this.source.kind !== "tiles") {
            return;
        }
        const t = this.source.tiles;
        const level = pyramidLevel(v.scale, t.levels);
        // The coarsest level first, so the screen is never blank while finer tiles load.
        if (level !== t.levels - 1) {
            this.drawLevel(ctx, v, view, t, t.levels - 1);
        }
        this.drawLevel(ctx, v, view, t, level);
    }

    private drawLevel(
        ctx: CanvasRenderingContext2D,
        v: Viewport,
        view: Size,
        t: TileSource,
        level: number,
    ): void {
        const span = t.tileSize * 2 ** level;
        const r = visibleImageRect(v, view);
        const c0 = Math.max(0, Math.floor(r.x / span));
        const r0 = Math.max(0, Math.floor(r.y / span));
        const c1 = Math.min(Math.ceil(this.image.width / span) - 1, Math.floor((r.x + r.w) / span));
        const r1 = Math.min(
            Math.ceil(this.image.height / span) - 1,
            Math.floor((r.y + r.h) / span),
        );
        for (let row = r0; row <= r1; row++) {
            for (let col = c0; col <= c1; col++) {
                const img = this.tile(t, level, col, row);
                if (img.complete && img.naturalWidth > 0) {
                    const scale = 2 ** level;
                    ctx.drawImage(
                        img,
                        col * span,
                        row * span,
                        img.naturalWidth * scale,
                        img.naturalHeight * scale,
                    );
                }
            }
        }
    }

    private tile(t: TileSource, level: number, col: number, row: number): HTMLImageElement {
        const key = `${level}/${col}/${row}`;
        let img = this.tiles_.get(key);
        if (img === undefined) {
            if (this.tiles_.size >= kMaxCachedTiles) {
                // Map keeps insertion order: drop the oldest tile.
                const oldest = this.tiles_.keys().next().value;
                if (oldest !== undefined) {
                    this.tiles_.delete(oldest);
                }
            }
            img = new Image();
            img.decoding = "async";
            img.onload = this.onLoad;
            img.src = t.url(level, col, row);
            this.tiles_.set(key, img);
        }
        return img;
    }
}
