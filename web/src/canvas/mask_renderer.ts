// Draws a chunked mask raster (geometry/mask_raster.ts) over the image at the view's resolution.
// The screen is covered by tiles of 256 × 256 canvas pixels: at level L a tile covers 2^L × 2^L
// chunks, one canvas pixel sampling the centre of a 2^L-pixel block (nearest neighbour, as the
// old full-image bitmap drawn with smoothing off did), with L the coarsest level whose pixels are
// no larger than a device pixel. Only tiles on screen that hold an allocated chunk are drawn, and
// a tile is rendered again only when one of its chunks changed (each write gives a chunk a new
// stamp), so a brush dab re-renders one or two tiles whatever the image size.
import type { MaskRaster } from "../geometry/mask";
import { kChunkShift, kChunkSize } from "../geometry/mask_raster";
import { rgb } from "./palette";

/** An area of image space, in image pixels. */
export interface ImageRect {
    readonly x: number;
    readonly y: number;
    readonly w: number;
    readonly h: number;
}

interface Tile {
    /** Position and stamp of every allocated chunk the tile was rendered from. */
    signature: number[];
    readonly canvas: HTMLCanvasElement;
}

/** At most 256 tiles of 256 KiB of RGBA each are kept (64 MiB). */
const kMaxTiles = 256;
const kAlpha = 110;

function sameSignature(a: readonly number[], b: readonly number[]): boolean {
    return a.length === b.length && a.every((v, i) => v === b[i]);
}

export class MaskRenderer {
    private readonly tiles_ = new Map<string, Tile>();
    private style_ = "";
    private table_: ([number, number, number] | null)[] = [];
    /** Tiles rendered (not just drawn) so far; browser tests and benchmarks read it. */
    rendered = 0;

    /** Label colours by pixel value - 1; values in `hidden` are drawn transparent. */
    setStyle(colors: readonly string[], hidden: ReadonlySet<number>): void {
        const style = JSON.stringify([colors, [...hidden].sort((a, b) => a - b)]);
        if (style !== this.style_) {
            this.style_ = style;
            this.tiles_.clear();
            this.table_ = colors.map((c, i) => (hidden.has(i + 1) ? null : rgb(c)));
        }
    }

    /**
     * Draws the tiles of `raster` that meet `rect` onto `ctx`, whose transform maps image pixels
     * to device pixels at `devicePerImage` device pixels per image pixel. Returns tiles drawn.
     */
    draw(
        ctx: CanvasRenderingContext2D,
        raster: MaskRaster,
        rect: ImageRect,
        devicePerImage: number,
    ): number {
        const level = Math.min(
            16,
            Math.max(0, Math.floor(Math.log2(1 / Math.max(1e-9, devicePerImage)))),
        );
        const side = kChunkSize << level; // image pixels per tile side
        const tx0 = Math.max(0, Math.floor(rect.x / side));
        const ty0 = Math.max(0, Math.floor(rect.y / side));
        const tx1 = Math.min(Math.ceil(raster.width / side), Math.ceil((rect.x + rect.w) / side));
        const ty1 = Math.min(Math.ceil(raster.height / side), Math.ceil((rect.y + rect.h) / side));
        ctx.imageSmoothingEnabled = false;
        let drawn = 0;
        for (let ty = ty0; ty < ty1; ty++) {
            for (let tx = tx0; tx < tx1; tx++) {
                const tile = this.tile(raster, level, tx, ty);
                if (tile !== null) {
                    const f = 1 << level;
                    const c = tile.canvas;
                    ctx.drawImage(c, tx * side, ty * side, c.width * f, c.height * f);
                    drawn++;
                }
            }
        }
        return drawn;
    }

    /** The tile's canvas, rendered again if its chunks changed; null when it has none. */
    private tile(raster: MaskRaster, level: number, tx: number, ty: number): Tile | null {
        const key = `${level}/${tx}/${ty}`;
        const signature: number[] = [];
        const span = 1 << level; // chunks per tile side
        const cy1 = Math.min(raster.rows, (ty + 1) * span);
        const cx1 = Math.min(raster.cols, (tx + 1) * span);
        for (let cy = ty * span; cy < cy1; cy++) {
            for (let cx = tx * span; cx < cx1; cx++) {
                const chunk = raster.chunkAt(cx, cy);
                if (chunk !== undefined) {
                    signature.push(cy * raster.cols + cx, chunk.stamp);
                }
            }
        }
        const cached = this.tiles_.get(key);
        if (signature.length === 0) {
            this.tiles_.delete(key);
            return null;
        }
        if (cached !== undefined) {
            // Most recently used last, so eviction takes the oldest.
            this.tiles_.delete(key);
            this.tiles_.set(key, cached);
            if (sameSignature(cached.signature, signature)) {
                return cached;
            }
        }
        const tile = cached ?? { signature, canvas: document.createElement("canvas") };
        tile.signature = signature;
        this.render(raster, level, tx, ty, tile.canvas);
        this.rendered++;
        if (cached === undefined) {
            this.tiles_.set(key, tile);
            for (const old of this.tiles_.keys()) {
                if (this.tiles_.size <= kMaxTiles) {
                    break;
                }
                this.tiles_.delete(old);
            }
        }
        return tile;
    }

    private render(
        raster: MaskRaster,
        level: number,
        tx: number,
        ty: number,
        canvas: HTMLCanvasElement,
    ): void {
        const f = 1 << level;
        const half = f >> 1;
        const x0 = tx * (kChunkSize << level);
        const y0 = ty * (kChunkSize << level);
        const w = Math.ceil(Math.min(kChunkSize << level, raster.width - x0) / f);
        const h = Math.ceil(Math.min(kChunkSize << level, raster.height - y0) / f);
        if (canvas.width !== w || canvas.height !== h) {
            canvas.width = w;
            canvas.height = h;
        }
        const ctx = canvas.getContext("2d");
        if (ctx === null) {
            return;
        }
        const image = ctx.createImageData(w, h);
        const out = image.data;
        const span = 1 << level;
        for (let cy = ty * span; cy < Math.min(raster.rows, (ty + 1) * span); cy++) {
            for (let cx = tx * span; cx < Math.min(raster.cols, (tx + 1) * span); cx++) {
                const data = raster.chunkAt(cx, cy)?.data;
                if (data === undefined) {
                    continue;
                }
                // Canvas pixels whose sample point (block centre) falls inside this chunk.
                const px0 = cx << kChunkShift;
                const py0 = cy << kChunkShift;
                const u0 = Math.max(0, Math.ceil((px0 - x0 - half) / f));
                const u1 = Math.min(w, Math.ceil((px0 + kChunkSize - x0 - half) / f));
                const v0 = Math.max(0, Math.ceil((py0 - y0 - half) / f));
                const v1 = Math.min(h, Math.ceil((py0 + kChunkSize - y0 - half) / f));
                for (let v = v0; v < v1; v++) {
                    const row = (y0 + v * f + half - py0) << kChunkShift;
                    for (let u = u0; u < u1; u++) {
                        const value = data[row + x0 + u * f + half - px0] ?? 0;
                        const c = value === 0 ? undefined : this.table_[value - 1];
                        if (c) {
                            const o = (v * w + u) * 4;
                            out[o] = c[0];
                            out[o + 1] = c[1];
                            out[o + 2] = c[2];
                            out[o + 3] = kAlpha;
                        }
                    }
                }
            }
        }
        ctx.putImageData(image, 0, 0);
    }
}
