// Semantic masks. While editing, a mask is a raster with one class value per pixel (0 = none),
// stored in chunks (mask_raster.ts); on the wire each label's pixels are runs
// [start, length, ...] over the row-major pixel index (i = y * width + x). A pixel belongs to a
// polygon when its centre (x + 0.5, y + 0.5) is inside by the even-odd rule, the same rule the
// server uses to rasterise semantic polygons. Every operation here costs time in proportion to
// the pixels it paints or the chunks that hold pixels, never to the image's whole area.
import type { Ring } from "./polygon";
import type { ImagePoint, Size } from "./point";
import { MaskRaster, kChunkShift, kChunkSize } from "./mask_raster";

export { MaskRaster };

export type Runs = readonly number[];

/** Appends runs in increasing order, joining one that starts where the last one ended. */
class RunsBuilder {
    readonly runs: number[] = [];
    private end_ = -1;

    push(start: number, length: number): void {
        if (start === this.end_) {
            const last = this.runs.length - 1;
            this.runs[last] = (this.runs[last] ?? 0) + length;
        } else {
            this.runs.push(start, length);
        }
        this.end_ = start + length;
    }
}

/**
 * Calls `visit(value, start, length)` for maximal spans of one value within each row segment of
 * a chunk, in row-major order. With `zeros`, the pixels of unallocated chunks come as zero spans
 * (a band of chunk rows with nothing allocated as one span), so no pixel of them is read.
 */
function scanRuns(
    mask: MaskRaster,
    zeros: boolean,
    visit: (value: number, start: number, length: number) => void,
    cyStart = 0,
    cyEnd = mask.rows,
): void {
    const w = mask.width;
    for (let cy = cyStart; cy < cyEnd; cy++) {
        const y0 = cy << kChunkShift;
        const y1 = Math.min(mask.height, y0 + kChunkSize);
        const chunks: { x0: number; x1: number; data: Uint16Array }[] = [];
        for (const cx of mask.chunkColumns(cy)) {
            const data = mask.chunkAt(cx, cy)?.data;
            if (data !== undefined) {
                chunks.push({
                    x0: cx << kChunkShift,
                    x1: Math.min(w, (cx + 1) << kChunkShift),
                    data,
                });
            }
        }
        if (chunks.length === 0) {
            if (zeros) {
                visit(0, y0 * w, (y1 - y0) * w);
            }
            continue;
        }
        for (let y = y0; y < y1; y++) {
            const base = y * w;
            const row = (y - y0) << kChunkShift;
            let x = 0;
            for (const c of chunks) {
                if (zeros && c.x0 > x) {
                    visit(0, base + x, c.x0 - x);
                }
                let from = c.x0;
                let current = c.data[row] ?? 0;
                for (let xx = c.x0 + 1; xx < c.x1; xx++) {
                    const v = c.data[row + xx - c.x0] ?? 0;
                    if (v !== current) {
                        if (zeros || current !== 0) {
                            visit(current, base + from, xx - from);
                        }
                        current = v;
                        from = xx;
                    }
                }
                if (zeros || current !== 0) {
                    visit(current, base + from, c.x1 - from);
                }
                x = c.x1;
            }
            if (zeros && x < w) {
                visit(0, base + x, w - x);
            }
        }
    }
}

/** Runs of pixels equal to `value`, sorted and non-overlapping. */
export function encodeRuns(mask: MaskRaster, value: number): number[] {
    const out = new RunsBuilder();
    scanRuns(mask, value === 0, (v, start, length) => {
        if (v === value) {
            out.push(start, length);
        }
    });
    return out.runs;
}

/** The runs of every non-zero value in one pass: what committing an edit needs for all labels. */
export function encodeAllRuns(mask: MaskRaster): Map<number, number[]> {
    const builders = new Map<number, RunsBuilder>();
    scanRuns(mask, false, (v, start, length) => {
        let b = builders.get(v);
        if (b === undefined) {
            b = new RunsBuilder();
            builders.set(v, b);
        }
        b.push(start, length);
    });
    return new Map([...builders].map(([v, b]) => [v, b.runs]));
}

/**
 * The runs of every non-zero value, re-encoding only the chunk rows in `rows` (sorted) and
 * taking the rest from `old`: the runs per value of the raster this one was cloned from, which
 * must be exact (sorted, disjoint, and the same pixels that raster holds outside those rows).
 * Equal to `encodeAllRuns(mask)`, in time proportional to the rows written and the old runs.
 */
export function spliceRuns(
    mask: MaskRaster,
    old: ReadonlyMap<number, Runs>,
    rows: readonly number[],
): Map<number, number[]> {
    const w = mask.width;
    const n = w * mask.height;
    // Consecutive chunk rows become one band of pixel indexes [start, end).
    const bands: { start: number; end: number; runs: Map<number, RunsBuilder> }[] = [];
    for (let i = 0; i < rows.length;) {
        let j = i + 1;
        while (j < rows.length && rows[j] === (rows[j - 1] ?? 0) + 1) {
            j++;
        }
        const c0 = rows[i] ?? 0;
        const c1 = (rows[j - 1] ?? 0) + 1;
        const runs = new Map<number, RunsBuilder>();
        scanRuns(
            mask,
            false,
            (v, start, length) => {
                let b = runs.get(v);
                if (b === undefined) {
                    b = new RunsBuilder();
                    runs.set(v, b);
                }
                b.push(start, length);
            },
            c0,
            c1,
        );
        const start = Math.min(n, (c0 << kChunkShift) * w);
        bands.push({ start, end: Math.min(n, (c1 << kChunkShift) * w), runs });
        i = j;
    }
    const values = new Set(old.keys());
    for (const b of bands) {
        for (const v of b.runs.keys()) {
            values.add(v);
        }
    }
    const out = new Map<number, number[]>();
    for (const v of values) {
        const before = old.get(v) ?? [];
        const to = new RunsBuilder();
        let k = 0;
        let pos = 0;
        // Old runs clipped to [pos, until): parts inside a band are left to the band's scan.
        const copy = (until: number): void => {
            while (k + 1 < before.length) {
                const a = before[k] ?? 0;
                const b = a + (before[k + 1] ?? 0);
                if (a >= until) {
                    break;
                }
                const from = Math.max(a, pos);
                if (Math.min(b, until) > from) {
                    to.push(from, Math.min(b, until) - from);
                }
                if (b > until) {
                    break;
                }
                k += 2;
            }
        };
        for (const band of bands) {
            copy(band.start);
            const fresh = band.runs.get(v)?.runs ?? [];
            for (let i = 0; i + 1 < fresh.length; i += 2) {
                to.push(fresh[i] ?? 0, fresh[i + 1] ?? 0);
            }
            while (k + 1 < before.length && (before[k] ?? 0) + (before[k + 1] ?? 0) <= band.end) {
                k += 2;
            }
            pos = band.end;
        }
        copy(n);
        if (to.runs.length > 0) {
            out.set(v, to.runs);
        }
    }
    return out;
}

/**
 * Writes `value` over the runs' pixels; runs reaching past the image are clipped. Zero runs over
 * pixels that are already 0 allocate nothing.
 */
export function decodeRuns(mask: MaskRaster, runs: Runs, value: number): void {
    const w = mask.width;
    const n = w * mask.height;
    for (let k = 0; k + 1 < runs.length; k += 2) {
        let i = Math.max(0, Math.floor(runs[k] ?? 0));
        const end = Math.min(n, i + Math.max(0, Math.floor(runs[k + 1] ?? 0)));
        while (i < end) {
            const y = Math.floor(i / w);
            const x = i - y * w;
            const stop = Math.min(end, (y + 1) * w);
            mask.fillSpan(y, x, x + stop - i, value);
            i = stop;
        }
    }
}

export function runsPixelCount(runs: Runs): number {
    let total = 0;
    for (let k = 1; k < runs.length; k += 2) {
        total += runs[k] ?? 0;
    }
    return total;
}

/**
 * Calls `visit(y, x0, x1)` for each row span [x0, x1) of pixels whose centres lie inside the
 * rings. Scanline over pixel-centre rows with the same half-open crossing rule as pointInRings.
 */
export function rasterizeRings(
    rings: readonly Ring[],
    image: Size,
    visit: (y: number, x0: number, x1: number) => void,
): void {
    let minY = Infinity;
    let maxY = -Infinity;
    for (const ring of rings) {
        for (const p of ring) {
            minY = Math.min(minY, p.y);
            maxY = Math.max(maxY, p.y);
        }
    }
    const yStart = Math.max(0, Math.ceil(minY - 0.5));
    const yEnd = Math.min(image.height - 1, Math.floor(maxY - 0.5));
    const xs: number[] = [];
    for (let y = yStart; y <= yEnd; y++) {
        const cy = y + 0.5;
        xs.length = 0;
        for (const ring of rings) {
            for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                const a = ring[i];
                const b = ring[j];
                if (a !== undefined && b !== undefined && a.y > cy !== b.y > cy) {
                    xs.push(a.x + ((cy - a.y) * (b.x - a.x)) / (b.y - a.y));
                }
            }
        }
        xs.sort((p, q) => p - q);
        for (let k = 0; k + 1 < xs.length; k += 2) {
            // Centre cx = x + 0.5 is inside when xs[k] <= cx < xs[k + 1].
            const x0 = Math.max(0, Math.ceil((xs[k] ?? 0) - 0.5));
            const x1 = Math.min(image.width, Math.ceil((xs[k + 1] ?? 0) - 0.5));
            if (x0 < x1) {
                visit(y, x0, x1);
            }
        }
    }
}

export function fillRings(mask: MaskRaster, rings: readonly Ring[], value: number): void {
    rasterizeRings(rings, mask, (y, x0, x1) => {
        mask.fillSpan(y, x0, x1, value);
    });
}

/** Pixels whose centres are within `radius` of `c`; returns whether anything changed. */
export function paintDisc(mask: MaskRaster, c: ImagePoint, radius: number, value: number): boolean {
    let changed = false;
    const r2 = radius * radius;
    const y0 = Math.max(0, Math.floor(c.y - radius));
    const y1 = Math.min(mask.height - 1, Math.ceil(c.y + radius));
    const xMin = Math.max(0, Math.floor(c.x - radius));
    const xMax = Math.min(mask.width - 1, Math.ceil(c.x + radius));
    for (let y = y0; y <= y1; y++) {
        const dy = y + 0.5 - c.y;
        const inside = (x: number): boolean => (x + 0.5 - c.x) ** 2 + dy * dy <= r2;
        // Each row of a disc is one span: estimate its ends, then settle them with the exact
        // per-pixel test so rounding in the square root never adds or drops a pixel.
        const half = Math.sqrt(Math.max(0, r2 - dy * dy));
        let lo = Math.max(xMin, Math.ceil(c.x - half - 0.5));
        let hi = Math.min(xMax, Math.floor(c.x + half - 0.5));
        while (lo > xMin && inside(lo - 1)) {
            lo--;
        }
        while (lo <= hi && !inside(lo)) {
            lo++;
        }
        while (hi < xMax && inside(hi + 1)) {
            hi++;
        }
        while (hi >= lo && !inside(hi)) {
            hi--;
        }
        if (lo <= hi) {
            changed = mask.fillSpan(y, lo, hi + 1, value) || changed;
        }
    }
    return changed;
}

/** A brush stroke segment: discs stamped at most half a radius apart so the line has no gaps. */
export function paintSegment(
    mask: MaskRaster,
    a: ImagePoint,
    b: ImagePoint,
    radius: number,
    value: number,
): boolean {
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const steps = Math.max(1, Math.ceil(len / Math.max(0.5, radius / 2)));
    let changed = false;
    for (let s = 0; s <= steps; s++) {
        const t = s / steps;
        const p = { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t } as ImagePoint;
        changed = paintDisc(mask, p, radius, value) || changed;
    }
    return changed;
}

/**
 * Fills the 4-connected region of equal value around `seed` (e.g. the inside of an outline
 * painted with the brush), a row span at a time with an explicit stack of seeds: memory follows
 * the region's outline, not its area. Returns the pixels filled, or -1 once the region grows
 * past `maxPixels`; the mask is then partly filled, so callers that set a limit fill a copy.
 */
export function floodFill(
    mask: MaskRaster,
    seed: ImagePoint,
    value: number,
    maxPixels = Number.POSITIVE_INFINITY,
): number {
    const sx = Math.floor(seed.x);
    const sy = Math.floor(seed.y);
    const w = mask.width;
    const h = mask.height;
    if (sx < 0 || sy < 0 || sx >= w || sy >= h) {
        return 0;
    }
    const target = mask.get(sx, sy);
    if (target === value) {
        return 0;
    }
    let filled = 0;
    const stack = [sx, sy];
    while (stack.length > 0) {
        const y = stack.pop() ?? 0;
        const x = stack.pop() ?? 0;
        if (mask.get(x, y) !== target) {
            continue;
        }
        let l = x;
        while (l > 0 && mask.get(l - 1, y) === target) {
            l--;
        }
        let r = x + 1;
        while (r < w && mask.get(r, y) === target) {
            r++;
        }
        mask.fillSpan(y, l, r, value);
        filled += r - l;
        if (filled > maxPixels) {
            return -1;
        }
        for (const ny of [y - 1, y + 1]) {
            if (ny < 0 || ny >= h) {
                continue;
            }
            // One seed per stretch of target pixels next to the span.
            let open = false;
            for (let xx = l; xx < r; xx++) {
                const t = mask.get(xx, ny) === target;
                if (t && !open) {
                    stack.push(xx, ny);
                }
                open = t;
            }
        }
    }
    return filled;
}
