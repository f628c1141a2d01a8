import { describe, expect, it } from "vitest";

import { boxFromCorners, boxHandleAt, clampBox, dragBox } from "./box";
import {
    MaskRaster,
    decodeRuns,
    encodeRuns,
    fillRings,
    floodFill,
    paintDisc,
    runsPixelCount,
} from "./mask";
import { imagePoint } from "./point";
import type { Ring } from "./polygon";
import { edgeAt, insertVertex, isValidRing, pointInRings, removeVertex, ringArea } from "./polygon";

const P = imagePoint;

describe("boxes", () => {
    it("normalises drags in any direction and clamps to the image", () => {
        expect(boxFromCorners(P(30, 40), P(10, 5))).toEqual({ x: 10, y: 5, w: 20, h: 35 });
        expect(clampBox({ x: -5, y: 90, w: 20, h: 20 }, { width: 100, height: 100 })).toEqual({
            x: 0,
            y: 90,
            w: 15,
            h: 10,
        });
    });

    it("finds corners before edges before the body", () => {
        const b = { x: 10, y: 10, w: 100, h: 50 };
        expect(boxHandleAt(b, P(11, 9), 3)).toBe("nw");
        expect(boxHandleAt(b, P(60, 61), 3)).toBe("s");
        expect(boxHandleAt(b, P(60, 30), 3)).toBe("body");
        expect(boxHandleAt(b, P(200, 30), 3)).toBeNull();
    });

    it("resizes by an edge and flips past the opposite side", () => {
        const b = { x: 10, y: 10, w: 100, h: 50 };
        expect(dragBox(b, "e", 20, 99)).toEqual({ x: 10, y: 10, w: 120, h: 50 });
        expect(dragBox(b, "w", 150, 0)).toEqual({ x: 110, y: 10, w: 50, h: 50 });
    });
});

describe("polygons", () => {
    const square: Ring = [P(0, 0), P(10, 0), P(10, 10), P(0, 10)];
    const hole: Ring = [P(3, 3), P(7, 3), P(7, 7), P(3, 7)];

    it("computes area and even-odd insideness with holes", () => {
        expect(ringArea(square)).toBe(100);
        expect(pointInRings([square], P(5, 5))).toBe(true);
        expect(pointInRings([square, hole], P(5, 5))).toBe(false);
        expect(pointInRings([square, hole], P(1, 5))).toBe(true);
        expect(pointInRings([square], P(11, 5))).toBe(false);
    });

    it("rejects degenerate rings", () => {
        expect(isValidRing([P(0, 0), P(5, 5), P(10, 10)])).toBe(false);
        expect(isValidRing([P(0, 0), P(0, 0), P(1, 1)])).toBe(false);
        expect(isValidRing(square)).toBe(true);
    });

    it("adds a vertex on an edge and removes it again", () => {
        const e = edgeAt([square], P(5, 0.5), 1);
        expect(e).toMatchObject({ ring: 0, index: 0 });
        if (e === null) {
            return;
        }
        const added = insertVertex([square], e, e.point);
        expect(added[0]).toHaveLength(5);
        expect(added[0]?.[1]).toEqual({ x: 5, y: 0 });
        expect(removeVertex(added, { ring: 0, index: 1 })).toEqual([square]);
    });
});

describe("masks", () => {
    it("round-trips runs through a raster", () => {
        const m = new MaskRaster(8, 4);
        decodeRuns(m, [2, 3, 10, 4, 30, 100], 2);
        expect(encodeRuns(m, 2)).toEqual([2, 3, 10, 4, 30, 2]);
        expect(runsPixelCount(encodeRuns(m, 0))).toBe(32 - 9);
    });

    it("rasterises polygons exactly like the pixel-centre even-odd test", () => {
        // Seeded LCG so the random polygons are the same on every run.
        let seed = 12345;
        const rnd = (): number => {
            seed = (seed * 1103515245 + 12345) % 2147483648;
            return seed / 2147483648;
        };
        for (let t = 0; t < 40; t++) {
            const ring: Ring = Array.from({ length: 3 + (t % 6) }, () =>
                P(rnd() * 40 - 5, rnd() * 30 - 5),
            );
            const rings = t % 3 === 0 ? [ring, [P(10, 10), P(20, 10), P(15, 18)]] : [ring];
            const m = new MaskRaster(32, 24);
            fillRings(m, rings, 1);
            for (let y = 0; y < 24; y++) {
                for (let x = 0; x < 32; x++) {
                    const inside = pointInRings(rings, P(x + 0.5, y + 0.5));
                    expect(m.get(x, y), `poly ${t} pixel ${x},${y}`).toBe(inside ? 1 : 0);
                }
            }
        }
    });

    it("paints discs by pixel centre and floods an enclosed region only", () => {
        const m = new MaskRaster(20, 20);
        expect(paintDisc(m, P(10, 10), 1, 3)).toBe(true);
        expect(encodeRuns(m, 3)).toEqual([189, 2, 209, 2]);
        const outline = new MaskRaster(10, 10);
        for (let i = 2; i <= 7; i++) {
            for (const [x, y] of [
                [i, 2],
                [i, 7],
                [2, i],
                [7, i],
            ] as const) {
                outline.set(x, y, 1);
            }
        }
        expect(floodFill(outline, P(4.5, 4.5), 1)).toBe(16);
        expect(outline.get(0, 0)).toBe(0);
        expect(floodFill(outline, P(4.5, 4.5), 1)).toBe(0);
    });
});
