// The image under the shapes: either one <img> (the display rendition, at most 2048 px, drawn
// stretched to the item's full pixel size so shapes stay in image pixels), or tiles of a
// libvips pyramid at the level the zoom needs, for images too large to send whole. While the
// server is still building the pyramid, a low-resolution preview (the thumbnail) stands in,
// stretched the same way; it stays underneath once the tiles arrive (setSource).
import type { Size } from "../geometry/point";
import type { Viewport } from "../geometry/viewport";
import { pyramidLevel, visibleImageRect } from "../geometry/viewport";

export interface TileSource {
    readonly tileSize: number;
    readonly levels: number;
    url(level: number, col: number, row: number): string;
}

export type ImageSource =
    | { kind: "image"; url: string }
    | { kind: "tiles"; tiles: TileSource }
    /** The pyramid is being built: show `preview` until setSource hands over the tiles. */
    | { kind: "preparing"; preview: string };

/** Above this many pixels on a side an image is opened through tiles. */
export const kTiledThreshold = 8000;

const kMaxCachedTiles = 512;

/** What the last draw put on screen (exposed on the stage element for tests). */
export interface TileDrawStats {
    /** The pyramid level the zoom asked for; -1 without tiles. */
    readonly level: number;
    /** Tiles of that level on screen, and how many of them were loaded and drawn. */
    readonly wanted: number;
    readonly drawn: number;
}

function loadImage(url: string, onLoad: () => void): HTMLImageElement {
    const img = new Image();
    img.decoding = "async";
    img.onload = onLoad;
    img.src = url;
    return img;
}

export class ImageLayer {
    private img_: HTMLImageElement | null = null;
    /** The next picture of the same image, still loading (see showWhenLoaded). */
    private pending_: HTMLImageElement | null = null;
    private tiles_: TileSource | null = null;
    private readonly tileImages_ = new Map<string, HTMLImageElement>();
    private stats_: TileDrawStats = { level: -1, wanted: 0, drawn: 0 };

    constructor(
        private readonly image: Size,
        source: ImageSource,
        private readonly onLoad: () => void,
    ) {
        this.setSource(source);
    }

    /** Swaps the source, e.g. from "preparing" to "tiles"; a loaded preview stays underneath. */
    setSource(source: ImageSource): void {
        this.pending_ = null;
        switch (source.kind) {
            case "image":
                this.showWhenLoaded(source.url);
                this.tiles_ = null;
                break;
            case "preparing":
                this.img_ = loadImage(source.preview, this.onLoad);
                this.tiles_ = null;
                break;
            case "tiles":
                this.tiles_ = source.tiles;
                this.tileImages_.clear();
                break;
        }
        this.onLoad();
    }

    // A new picture of the same image (a DICOM window or frame) replaces the one on screen only
    // once loaded, so dragging the window never blanks the stage.
    private showWhenLoaded(url: string): void {
        const shown = this.img_;
        if (shown === null || !shown.complete || shown.naturalWidth === 0) {
            this.img_ = loadImage(url, this.onLoad);
            return;
        }
        const next = loadImage(url, () => {
            if (this.pending_ === next) {
                this.img_ = next;
                this.pending_ = null;
                this.onLoad();
            }
        });
        this.pending_ = next;
    }

    get stats(): TileDrawStats {
        return this.stats_;
    }

    draw(ctx: CanvasRenderingContext2D, v: Viewport, view: Size): void {
        const o = snappedOffset(v);
        ctx.setTransform(v.scale, 0, 0, v.scale, o.x, o.y);
        if (this.img_ !== null && this.img_.complete && this.img_.naturalWidth > 0) {
            ctx.drawImage(this.img_, 0, 0, this.image.width, this.image.height);
        }
        const t = this.tiles_;
        if (t === null) {
            this.stats_ = { level: -1, wanted: 0, drawn: 0 };
            return;
        }
        const level = pyramidLevel(v.scale, t.levels);
        // The coarsest level first, so the screen is never blank while finer tiles load.
        if (level !== t.levels - 1) {
            this.drawLevel(ctx, v, view, t, t.levels - 1);
        }
        const { wanted, drawn } = this.drawLevel(ctx, v, view, t, level);
        this.stats_ = { level, wanted, drawn };
    }

    private drawLevel(
        ctx: CanvasRenderingContext2D,
        v: Viewport,
        view: Size,
        t: TileSource,
        level: number,
    ): { wanted: number; drawn: number } {
        const span = t.tileSize * 2 ** level;
        const r = visibleImageRect(v, view);
        const c0 = Math.max(0, Math.floor(r.x / span));
        const r0 = Math.max(0, Math.floor(r.y / span));
        const c1 = Math.min(Math.ceil(this.image.width / span) - 1, Math.floor((r.x + r.w) / span));
        const r1 = Math.min(
            Math.ceil(this.image.height / span) - 1,
            Math.floor((r.y + r.h) / span),
        );
        let wanted = 0;
        let drawn = 0;
        for (let row = r0; row <= r1; row++) {
            for (let col = c0; col <= c1; col++) {
                wanted++;
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
                    drawn++;
                }
            }
        }
        return { wanted, drawn };
    }

    private tile(t: TileSource, level: number, col: number, row: number): HTMLImageElement {
        const key = `${level}/${col}/${row}`;
        let img = this.tileImages_.get(key);
        if (img === undefined) {
            if (this.tileImages_.size >= kMaxCachedTiles) {
                // Map keeps insertion order: drop the oldest tile.
                const oldest = this.tileImages_.keys().next().value;
                if (oldest !== undefined) {
                    this.tileImages_.delete(oldest);
                }
            }
            img = loadImage(t.url(level, col, row), this.onLoad);
            this.tileImages_.set(key, img);
        }
        return img;
    }
}

/**
 * The picture's offset rounded to whole device pixels. At 100 % a half-pixel offset (a stage of
 * odd width zoomed about its centre) would smooth every pair of pixels into one grey: 1-pixel
 * detail must stay crisp. Shapes keep the exact offset; half a device pixel is not visible.
 */
export function snappedOffset(v: Viewport): { x: number; y: number } {
    return { x: Math.round(v.offset.x), y: Math.round(v.offset.y) };
}
