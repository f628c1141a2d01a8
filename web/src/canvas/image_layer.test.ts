import { describe, expect, it } from "vitest";

import { screenPoint } from "../geometry/point";
import { snappedOffset } from "./image_layer";

describe("snappedOffset", () => {
    it("rounds the picture's offset to whole device pixels", () => {
        expect(snappedOffset({ scale: 1, offset: screenPoint(-5547.5, -4173.74) })).toEqual({
            x: -5547,
            y: -4174,
        });
        expect(snappedOffset({ scale: 0.25, offset: screenPoint(12, 7.2) })).toEqual({
            x: 12,
            y: 7,
        });
    });
});
