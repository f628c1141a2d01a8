// Semantic masks. While editing, a mask is a raster with one class value per pixel (0 = none);
// on the wire each label's pixels are runs [start, length, ...] over the row-major pixel index
// (i = y * width + x). A pixel belongs to a polygon when its centre (x + 0.5, y + 0.5) is inside
// by the even-odd rule, the same rule the server uses to rasterise semantic polygons.
import type { Ring } from "./polygon";
import type { ImagePoint, Size } from "./point";

export type Runs = readonly number[];

export class MaskRaster {
    readonly values: Uint16Array;

    constructor(
        readonly width: number,
        readonly height: number,
    ) {
        this.values = new Uint16Array(Math.max(0, width * height));
    }

    get(x: number, y: number): number {
        return this.values[y * this.width + x] ?? 0;
    }
}

/** Runs of pixels equal to `value`, sorted and non-overlapping. */
export function encodeRuns(mask: MaskRaster, value: number): number[] {
    const runs: number[] = [];
    const v = mask.values;
    let start = -1;
    for (let i = 0; i < v.length; i++) {
        if (v[i] === value) {
            if (start < 0) {
                start = i;
            }
        } else if (start >= 0) {
            runs.push(start, i - start);
            start = -1;
        }
    }
    if (start >= 0) {
        runs.push(start, v.length - start);
    }
    return runs;
}

/** Writes `value` over the runs' pixels; runs reaching past the image are clipped. */
export function decodeRuns(mask: MaskRaster, runs: Runs, value: number): void {
    const n = mask.values.length;
    for (let k = 0; k + 1 < runs.length; k += 2) {
        const start = Math.max(0, Math.floor(runs[k] ?? 0));
        const end = Math.min(n, start + Math.max(0, Math.floor(runs[k + 1] ?? 0)));
        if (start < end) {
            mask.values.fill(value, start, end);
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
        mask.values.fill(value, y * mask.width + x0, y * mask.width + x1);
    });
}

/** Pixels whose centres are within `radius` of `c`; returns whether anything changed. */
export function paintDisc(mask: MaskRaster, c: ImagePoint, radius: number, value: number): boolean {
    let changed = false;
    const r2 = radius * radius;
    const y0 = Math.max(0, Math.floor(c.y - radius));
    const y1 = Math.min(mask.height - 1, Math.ceil(c.y + radius));
    const x0 = Math.max(0, Math.floor(c.x - radius));
    const x1 = Math.min(mask.width - 1, Math.ceil(c.x + radius));
    for (let y = y0; y <= y1; y++) {
        const dy = y + 0.5 - c.y;
        for (let x = x0; x <= x1; x++) {
            const dx = x + 0.5 - c.x;
            const i = y * mask.width + x;
            if (dx * dx + dy * dy <= r2 && mask.values[i] !== value) {
                mask.values[i] = value;
                changed = true;
            }
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
 * painted with the brush). Iterative with an explicit stack: large regions must not overflow.
 */
export function floodFill(mask: MaskRaster, seed: ImagePoint, value: number): number {
    const sx = Math.floor(seed.x);
    const sy = Math.floor(seed.y);
    if (sx < 0 || sy < 0 || sx >= mask.width || sy >= mask.height) {
        return 0;
    }
    const v = mask.values;
    const w = mask.width;
    const target = v[sy * w + sx];
    if (target === value) {
        return 0;
    }
    let filled = 0;
    const stack = [sy * w + sx];
    while (stack.length > 0) {
        const i = stack.pop() ?? 0;
        if (v[i] !== target) {
            continue;
        }
        v[i] = value;
        filled++;
        const x = i % w;
        if (x > 0) {
            stack.push(i - 1);
        }
        if (x < w - 1) {
            stack.push(i + 1);
        }
        if (i >= w) {
            stack.push(i - w);
        }
        if (i + w < v.length) {
            stack.push(i + w);
        }
    }
    return filled;
}
