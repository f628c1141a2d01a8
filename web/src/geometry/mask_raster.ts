// The class raster of a semantic mask, stored sparsely: the image is cut into 256 × 256 chunks
// and a chunk's pixels exist only once something non-zero was written there. A 40,000 × 40,000
// image would need 3.2 GB as one array (two bytes per pixel, labels go up to 10,000); a few brush
// strokes on it touch a handful of chunks of 128 KiB each. Unallocated chunks read as 0, a chunk
// whose pixels all return to 0 is freed, and copies share chunks until one side writes to them
// (copy on write), so a brush stroke's working copy costs only the chunks it paints.

export const kChunkShift = 8;
/** Chunk side in pixels. */
export const kChunkSize = 1 << kChunkShift;
const kChunkMask = kChunkSize - 1;

/** One chunk's pixels, row-major `kChunkSize` wide, and when they last changed. */
export interface MaskChunk {
    readonly data: Uint16Array;
    /** Unique over every chunk of every raster; a new value on each write (for renderers). */
    readonly stamp: number;
}

interface Chunk extends MaskChunk {
    data: Uint16Array;
    stamp: number;
    /** Non-zero pixels; the chunk is freed when it drops to 0. */
    filled: number;
    /** Held by more than one raster: copied before the next write. */
    shared: boolean;
}

let nextStamp = 1;

export class MaskRaster {
    /** Chunks across and down (the last ones may reach past the image). */
    readonly cols: number;
    readonly rows: number;
    private readonly chunks_: (Chunk | undefined)[];
    private count_ = 0;

    constructor(
        readonly width: number,
        readonly height: number,
    ) {
        this.width = Math.max(0, Math.floor(width));
        this.height = Math.max(0, Math.floor(height));
        this.cols = Math.ceil(this.width / kChunkSize);
        this.rows = Math.ceil(this.height / kChunkSize);
        // One slot per chunk position: 24,649 for 40,000², a pointer each.
        this.chunks_ = new Array<Chunk | undefined>(this.cols * this.rows);
    }

    /** Chunks holding pixels (memory is this times 128 KiB). */
    get chunkCount(): number {
        return this.count_;
    }

    get(x: number, y: number): number {
        if (x < 0 || y < 0 || x >= this.width || y >= this.height) {
            return 0;
        }
        const c = this.chunks_[(y >> kChunkShift) * this.cols + (x >> kChunkShift)];
        return c === undefined
            ? 0
            : (c.data[((y & kChunkMask) << kChunkShift) | (x & kChunkMask)] ?? 0);
    }

    set(x: number, y: number, value: number): boolean {
        return this.fillSpan(y, x, x + 1, value);
    }

    /** Writes `value` over [x0, x1) of row y (clipped to the image); returns whether anything changed. */
    fillSpan(y: number, x0: number, x1: number, value: number): boolean {
        if (y < 0 || y >= this.height) {
            return false;
        }
        let x = Math.max(0, x0);
        const end = Math.min(this.width, x1);
        let changed = false;
        while (x < end) {
            const cx = x >> kChunkShift;
            const stop = Math.min(end, (cx + 1) << kChunkShift);
            const index = (y >> kChunkShift) * this.cols + cx;
            changed = this.writeSpan(index, y, x, stop, value) || changed;
            x = stop;
        }
        return changed;
    }

    /** The chunk at chunk column `cx`, row `cy`, or undefined where every pixel is 0. */
    chunkAt(cx: number, cy: number): MaskChunk | undefined {
        if (cx < 0 || cy < 0 || cx >= this.cols || cy >= this.rows) {
            return undefined;
        }
        return this.chunks_[cy * this.cols + cx];
    }

    /** Column indexes of the allocated chunks in chunk row `cy`, left to right. */
    chunkColumns(cy: number): number[] {
        const out: number[] = [];
        const base = cy * this.cols;
        for (let cx = 0; cx < this.cols; cx++) {
            if (this.chunks_[base + cx] !== undefined) {
                out.push(cx);
            }
        }
        return out;
    }

    /**
     * Chunk rows where this raster does not hold the very chunks `base` holds (a clone of
     * `base` differs only where it was written since). Both must have the same size.
     */
    changedChunkRows(base: MaskRaster): number[] {
        const out: number[] = [];
        for (let cy = 0; cy < this.rows; cy++) {
            for (let i = cy * this.cols; i < (cy + 1) * this.cols; i++) {
                if (this.chunks_[i] !== base.chunks_[i]) {
                    out.push(cy);
                    break;
                }
            }
        }
        return out;
    }

    /** A copy that shares every chunk until either raster writes to it. */
    clone(): MaskRaster {
        const copy = new MaskRaster(this.width, this.height);
        this.chunks_.forEach((c, i) => {
            if (c !== undefined) {
                c.shared = true;
                copy.chunks_[i] = c;
            }
        });
        copy.count_ = this.count_;
        return copy;
    }

    /** The chunk at `index`, allocated or unshared first, with a fresh stamp. */
    private writable(index: number): Chunk {
        let c = this.chunks_[index];
        if (c === undefined) {
            c = {
                data: new Uint16Array(kChunkSize * kChunkSize),
                stamp: 0,
                filled: 0,
                shared: false,
            };
            this.chunks_[index] = c;
            this.count_++;
        } else if (c.shared) {
            c = { data: c.data.slice(), stamp: 0, filled: c.filled, shared: false };
            this.chunks_[index] = c;
        }
        c.stamp = nextStamp++;
        return c;
    }

    /** [x0, x1) of row y, all inside chunk `index`; the chunk is touched only if pixels differ. */
    private writeSpan(index: number, y: number, x0: number, x1: number, value: number): boolean {
        const row = (y & kChunkMask) << kChunkShift;
        const from = row | (x0 & kChunkMask);
        const to = from + (x1 - x0);
        const old = this.chunks_[index];
        let wasFilled = 0;
        if (old === undefined) {
            if (value === 0) {
                return false; // already 0: nothing to allocate
            }
        } else {
            let differ = false;
            for (let i = from; i < to; i++) {
                const v = old.data[i] ?? 0;
                differ = differ || v !== value;
                wasFilled += v === 0 ? 0 : 1;
            }
            if (!differ) {
                return false;
            }
        }
        const chunk = this.writable(index);
        chunk.data.fill(value, from, to);
        chunk.filled += (value === 0 ? 0 : to - from) - wasFilled;
        if (chunk.filled === 0) {
            this.chunks_[index] = undefined;
            this.count_--;
        }
        return true;
    }
}
