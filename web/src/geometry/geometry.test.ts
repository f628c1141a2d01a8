import { describe, expect, it } from "vitest";

import {
    clampNormalized,
    fromNormalized,
    imagePoint,
    normalizedPoint,
    screenPoint,
    toNormalized,
} from "./point";
import { containFit, imageToScreen, screenToImage } from "./viewport";

describe("point conversions", () => {
    it("round-trips image points through normalized form", () => {
        const size = { width: 640, height: 480 };
        const n = toNormalized(imagePoint(160, 360), size);
        expect(n).toEqual({ x: 0.25, y: 0.75 });
        expect(fromNormalized(n, size)).toEqual({ x: 160, y: 360 });
    });

    it("maps points of a zero-sized image to the origin instead of NaN", () => {
        expect(toNormalized(imagePoint(5, 5), { width: 0, height: 0 })).toEqual({ x: 0, y: 0 });
    });

    it("clamps normalized points into the unit square", () => {
        expect(clampNormalized(normalizedPoint(-0.5, 1.5))).toEqual({ x: 0, y: 1 });
    });
});

describe("containFit", () => {
    it("letterboxes a wide image in a square box", () => {
        const v = containFit({ width: 200, height: 100 }, { width: 100, height: 100 });
        expect(v.scale).toBe(0.5);
        expect(v.offset).toEqual({ x: 0, y: 25 });
    });

    it("respects the maximum scale", () => {
        const v = containFit({ width: 10, height: 10 }, { width: 100, height: 50 }, 2);
        expect(v.scale).toBe(2);
        expect(v.offset).toEqual({ x: 40, y: 15 });
    });

    it("inverts between image and screen space", () => {
        const v = containFit({ width: 64, height: 48 }, { width: 320, height: 320 });
        const s = imageToScreen(v, imagePoint(32, 24));
        expect(s).toEqual({ x: 160, y: 160 });
        expect(screenToImage(v, screenPoint(s.x, s.y))).toEqual({ x: 32, y: 24 });
    });

    it("falls back to identity for empty sizes", () => {
        expect(containFit({ width: 0, height: 10 }, { width: 10, height: 10 }).scale).toBe(1);
    });
});
