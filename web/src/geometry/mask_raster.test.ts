// The chunked raster against a dense reference (one array element per pixel, the raster Tessera
// used before chunks), on sizes that are not multiples of the chunk size, plus the memory
// behaviour that makes gigapixel masks possible.
import { describe, expect, it } from "vitest";

import {
    MaskRaster,
    decodeRuns,
    encodeAllRuns,
    encodeRuns,
    fillRings,
    floodFill,
    paintDisc,
    paintSegment,
    rasterizeRings,
    runsPixelCount,
    spliceRuns,
} from "./mask";
import { kChunkSize } from "./mask_raster";
import { imagePoint } from "./point";
import type { Ring } from "./polygon";

const P = imagePoint;

/** The dense raster and its operations, written pixel by pixel as the reference. */
class Dense {
    readonly values: Uint16Array;
    constructor(
        readonly width: number,
        readonly height: number,
    ) {
        this.values = new Uint16Array(width * height);
    }
    disc(c: { x: number; y: number }, r: number, value: number): void {
        for (let y = 0; y < this.height; y++) {
            for (let x = 0; x < this.width; x++) {
                if ((x + 0.5 - c.x) ** 2 + (y + 0.5 - c.y) ** 2 <= r * r) {
                    this.values[y * this.width + x] = value;
                }
            }
        }
    }
    decode(runs: readonly number[], value: number): void {
        for (let k = 0; k + 1 < runs.length; k += 2) {
            const start = Math.max(0, runs[k] ?? 0);
            const end = Math.min(this.values.length, start + (runs[k + 1] ?? 0));
            if (start < end) {
                this.values.fill(value, start, end);
            }
        }
    }
    encode(value: number): number[] {
        const runs: number[] = [];
        let start = -1;
        for (let i = 0; i <= this.values.length; i++) {
            const hit = i < this.values.length && this.values[i] === value;
            if (hit && start < 0) {
                start = i;
            } else if (!hit && start >= 0) {
                runs.push(start, i - start);
                start = -1;
            }
        }
        return runs;
    }
}

function lcg(seed: number): () => number {
    let s = seed;
    return () => {
        s = (s * 1103515245 + 12345) % 2147483648;
        return s / 2147483648;
    };
}

function expectSame(m: MaskRaster, d: Dense, values: readonly number[]): void {
    for (let y = 0; y < d.height; y++) {
        for (let x = 0; x < d.width; x++) {
            if (m.get(x, y) !== d.values[y * d.width + x]) {
                expect(m.get(x, y), `pixel ${x},${y}`).toBe(d.values[y * d.width + x]);
            }
        }
    }
    for (const v of values) {
        expect(encodeRuns(m, v), `runs of ${v}`).toEqual(d.encode(v));
    }
    const all = encodeAllRuns(m);
    for (const v of values.filter((v) => v !== 0)) {
        expect(all.get(v) ?? [], `all runs of ${v}`).toEqual(d.encode(v));
    }
}

describe("chunked mask raster", () => {
    it("matches the dense raster for discs, runs and erasing on odd sizes", () => {
        const rnd = lcg(7);
        for (const [w, h] of [
            [300, 270],
            [kChunkSize, kChunkSize],
            [kChunkSize + 1, 2 * kChunkSize - 1],
            [37, 600],
        ] as const) {
            const m = new MaskRaster(w, h);
            const d = new Dense(w, h);
            for (let step = 0; step < 30; step++) {
                const value = step % 5 === 4 ? 0 : 1 + (step % 3);
                if (step % 3 === 0) {
                    const start = Math.floor(rnd() * w * h);
                    const runs = [start, Math.floor(rnd() * 3 * w), start + 4 * w, 700];
                    decodeRuns(m, runs, value);
                    d.decode(runs, value);
                } else {
                    const c = P(rnd() * (w + 20) - 10, rnd() * (h + 20) - 10);
                    const r = 1 + rnd() * 40;
                    paintDisc(m, c, r, value);
                    d.disc(c, r, value);
                }
            }
            expectSame(m, d, [0, 1, 2, 3]);
        }
    });

    it("round-trips runs: decoding what was encoded gives the same raster", () => {
        const m = new MaskRaster(kChunkSize * 3 + 5, kChunkSize * 2 + 3);
        paintSegment(m, P(10, 10), P(700, 500), 30, 2);
        paintSegment(m, P(700, 10), P(10, 500), 12, 5);
        const copy = new MaskRaster(m.width, m.height);
        for (const [v, runs] of encodeAllRuns(m)) {
            decodeRuns(copy, runs, v);
        }
        expect(encodeAllRuns(copy)).toEqual(encodeAllRuns(m));
        expect(copy.chunkCount).toBe(m.chunkCount);
        // Runs that wrap from the end of one row to the start of the next are one run.
        const wrap = new MaskRaster(10, 3);
        wrap.fillSpan(0, 8, 10, 1);
        wrap.fillSpan(1, 0, 2, 1);
        expect(encodeRuns(wrap, 1)).toEqual([8, 4]);
    });

    it("writes across chunk borders into exactly the chunks touched", () => {
        const m = new MaskRaster(3 * kChunkSize, 3 * kChunkSize);
        expect(m.set(kChunkSize - 1, kChunkSize - 1, 4)).toBe(true);
        expect(m.set(kChunkSize - 1, kChunkSize - 1, 4)).toBe(false);
        expect(m.chunkCount).toBe(1);
        m.set(kChunkSize, kChunkSize, 4);
        expect(m.chunkCount).toBe(2);
        // A span from the last pixel of chunk 0 to the first of chunk 2 touches all three.
        m.fillSpan(0, kChunkSize - 1, 2 * kChunkSize + 1, 3);
        expect(m.chunkCount).toBe(4);
        expect(encodeRuns(m, 3)).toEqual([kChunkSize - 1, kChunkSize + 2]);
        expect(m.get(kChunkSize - 1, kChunkSize - 1)).toBe(4);
        expect(m.get(kChunkSize, kChunkSize)).toBe(4);
        expect(m.get(kChunkSize, kChunkSize - 1)).toBe(0);
    });

    it("clips at the edges of an image whose size is not a multiple of the chunk", () => {
        const m = new MaskRaster(300, 290);
        m.fillSpan(289, 250, 1000, 1);
        m.fillSpan(290, 0, 300, 1); // below the image
        m.fillSpan(0, -50, 5, 1);
        expect(encodeRuns(m, 1)).toEqual([0, 5, 289 * 300 + 250, 50]);
        paintDisc(m, P(299, 289), 20, 2);
        expect(m.get(300, 289)).toBe(0);
        expect(m.get(299, 289)).toBe(2);
        decodeRuns(m, [300 * 290 - 3, 100], 3);
        expect(encodeRuns(m, 3)).toEqual([300 * 290 - 3, 3]);
        expect(runsPixelCount(encodeRuns(m, 0)) + runsPixelCount(encodeRuns(m, 1))).toBe(
            300 * 290 - runsPixelCount(encodeRuns(m, 2)) - 3,
        );
    });

    it("frees a chunk when its pixels return to 0, and zero runs allocate nothing", () => {
        const m = new MaskRaster(1000, 1000);
        paintDisc(m, P(100, 100), 10, 1);
        expect(m.chunkCount).toBe(1);
        paintDisc(m, P(100, 100), 10, 0);
        expect(m.chunkCount).toBe(0);
        decodeRuns(m, [0, 1000 * 1000], 0);
        expect(m.chunkCount).toBe(0);
        expect(encodeRuns(m, 0)).toEqual([0, 1000 * 1000]);
    });

    it("keeps a 40,000 × 40,000 mask with a few strokes in a few chunks", () => {
        const n = 40_000;
        const m = new MaskRaster(n, n);
        paintSegment(m, P(20_000, 20_000), P(20_300, 20_100), 25, 1);
        paintSegment(m, P(100, 39_950), P(130, 39_990), 8, 2);
        paintSegment(m, P(20_100, 20_000), P(20_200, 20_050), 10, 0);
        // Stroke one (x 19,975..20,325, y 19,975..20,125) lies in chunk row 78 and columns 78
        // and 79 (chunks are 256 px: 78 starts at 19,968); stroke two in one corner chunk.
        expect(m.chunkCount).toBe(3);
        const runs = encodeAllRuns(m);
        const painted = runsPixelCount(runs.get(1) ?? []) + runsPixelCount(runs.get(2) ?? []);
        expect(painted).toBeGreaterThan(0);
        // The zero runs are spans, not pixels: a few per painted row plus the empty bands.
        const zeros = encodeRuns(m, 0);
        expect(runsPixelCount(zeros)).toBe(n * n - painted);
        expect(zeros.length).toBeLessThan(2 * 1000);
        const back = new MaskRaster(n, n);
        for (const [v, r] of runs) {
            decodeRuns(back, r, v);
        }
        expect(back.chunkCount).toBe(3);
        expect(encodeAllRuns(back)).toEqual(runs);
    });

    it("shares chunks with a clone until one side writes", () => {
        const m = new MaskRaster(600, 600);
        paintDisc(m, P(50, 50), 10, 1);
        const copy = m.clone();
        const before = m.chunkAt(0, 0);
        expect(copy.chunkAt(0, 0)).toBe(before);
        paintDisc(copy, P(50, 50), 5, 2);
        paintDisc(copy, P(400, 400), 5, 2);
        expect(m.get(50, 50)).toBe(1);
        expect(m.chunkCount).toBe(1);
        expect(copy.get(50, 50)).toBe(2);
        expect(copy.chunkCount).toBe(2);
        expect(copy.chunkAt(0, 0)).not.toBe(before);
        expect(copy.chunkAt(0, 0)?.stamp).not.toBe(before?.stamp);
        expect(m.chunkAt(0, 0)).toBe(before);
    });

    it("fills polygons into chunks exactly like the pixel-centre rasteriser", () => {
        const rings: Ring[] = [[P(-40, 10), P(700, 30), P(300, 520), P(250, 100)]];
        const m = new MaskRaster(520, 515);
        fillRings(m, rings, 7);
        const d = new Dense(520, 515);
        rasterizeRings(rings, d, (y, x0, x1) => d.values.fill(7, y * 520 + x0, y * 520 + x1));
        expectSame(m, d, [0, 7]);
    });

    it("floods by spans inside an outline and gives up past a pixel limit", () => {
        const m = new MaskRaster(40_000, 40_000);
        // A square outline 600 px across: its sides lie in chunk columns and rows 77 and 80, so
        // it touches the 12 chunks around the 2 × 2 of columns and rows 78 and 79 it encloses.
        const [a, b] = [19_900, 20_500];
        for (let i = a; i <= b; i++) {
            m.set(i, a, 1);
            m.set(i, b, 1);
            m.set(a, i, 1);
            m.set(b, i, 1);
        }
        const outline = m.chunkCount;
        expect(outline).toBe(12);
        const copy = m.clone();
        expect(floodFill(copy, P(20_000, 20_000), 1)).toBe(599 * 599);
        expect(copy.chunkCount).toBe(16);
        expect(copy.get(20_250, 20_250)).toBe(1);
        expect(copy.get(a - 1, 20_250)).toBe(0);
        // Outside the outline is the rest of the gigapixel image: refused, not allocated.
        const outside = m.clone();
        expect(floodFill(outside, P(5, 5), 2, 1 << 20)).toBe(-1);
        // 2^20 pixels are 27 rows of 40,000: at most two bands of 157 chunks, not the 24,649
        // chunks of the whole image.
        expect(outside.chunkCount).toBeLessThanOrEqual(outline + 2 * 157);
        expect(m.get(5, 5)).toBe(0);
    });

    it("splices re-encoded chunk rows into the old runs exactly like a full encode", () => {
        const rnd = lcg(99);
        for (let trial = 0; trial < 12; trial++) {
            const w = 700 + Math.floor(rnd() * 300);
            const h = 600 + Math.floor(rnd() * 500);
            const base = new MaskRaster(w, h);
            for (let i = 0; i < 8; i++) {
                paintDisc(base, P(rnd() * w, rnd() * h), 10 + rnd() * 120, 1 + (i % 3));
            }
            // A run over many whole rows, crossing chunk rows that stay clean and dirty ones.
            decodeRuns(base, [Math.floor(rnd() * w * 100), w * 400 + 17], 4);
            const old = encodeAllRuns(base);
            const edit = base.clone();
            for (let i = 0; i < 1 + (trial % 4); i++) {
                const value = i % 2 === 0 ? 0 : 1 + Math.floor(rnd() * 5);
                paintSegment(edit, P(rnd() * w, rnd() * h), P(rnd() * w, rnd() * h), 5, value);
            }
            if (trial % 3 === 0) {
                // Erase a whole band: values may vanish, the chunks are freed.
                for (let y = kChunkSize; y < 2 * kChunkSize && y < h; y++) {
                    edit.fillSpan(y, 0, w, 0);
                }
            }
            const rows = edit.changedChunkRows(base);
            expect(rows.length).toBeLessThanOrEqual(edit.rows);
            expect(spliceRuns(edit, old, rows), `trial ${trial}`).toEqual(encodeAllRuns(edit));
        }
        // Nothing written: the old runs as they were.
        const m = new MaskRaster(300, 300);
        paintDisc(m, P(100, 100), 50, 2);
        const copy = m.clone();
        expect(copy.changedChunkRows(m)).toEqual([]);
        expect(spliceRuns(copy, encodeAllRuns(m), [])).toEqual(encodeAllRuns(m));
    });
});
