import { describe, expect, it } from "vitest";

import {
    clampNormalized,
    fromNormalized,
    imagePoint,
    normalizedPoint,
    screenPoint,
    toNormalized,
} from "./point";
import {
    containFit,
    imageToScreen,
    panBy,
    pyramidLevel,
    screenToImage,
    visibleImageRect,
    zoomAt,
} from "./viewport";

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

describe("zoom and pan", () => {
    it("keeps the point under the cursor fixed while zooming", () => {
        const v = { scale: 0.5, offset: screenPoint(10, 20) };
        const anchor = screenPoint(110, 70);
        const before = screenToImage(v, anchor);
        const z = zoomAt(v, anchor, 4);
        expect(z.scale).toBe(2);
        expect(screenToImage(z, anchor)).toEqual(before);
        expect(zoomAt(v, anchor, 1e9).scale).toBe(64);
    });

    it("pans and reports the visible image rectangle", () => {
        const v = panBy({ scale: 2, offset: screenPoint(0, 0) }, -100, -50);
        expect(visibleImageRect(v, { width: 400, height: 200 })).toEqual({
            x: 50,
            y: 25,
            w: 200,
            h: 100,
        });
    });

    it("picks the pyramid level that matches the zoom", () => {
        expect(pyramidLevel(1, 8)).toBe(0);
        expect(pyramidLevel(0.5, 8)).toBe(1);
        expect(pyramidLevel(0.3, 8)).toBe(1);
        expect(pyramidLevel(0.001, 8)).toBe(7);
    });
});
