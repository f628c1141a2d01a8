import { describe, expect, it } from "vitest";

import { columnsFor, isPageSize, leaseCounts, moveIndex } from "./page_layout";

describe("leaseCounts", () => {
    it("asks for the smallest allowed page that covers the need", () => {
        expect(leaseCounts(0)).toEqual([]);
        expect(leaseCounts(1)).toEqual([1]);
        expect(leaseCounts(2)).toEqual([4]);
        expect(leaseCounts(5)).toEqual([6]);
        expect(leaseCounts(7)).toEqual([9]);
        expect(leaseCounts(12)).toEqual([9, 4]);
        expect(leaseCounts(-3)).toEqual([]);
    });
});

describe("grid", () => {
    it("has 1, 2, 3 and 3 columns", () => {
        expect([1, 4, 6, 9].map((n) => (isPageSize(n) ? columnsFor(n) : 0))).toEqual([1, 2, 3, 3]);
        expect(isPageSize(5)).toBe(false);
    });

    it("moves within bounds, also on a partly filled last row", () => {
        expect(moveIndex(0, "left", 6, 3)).toBe(0);
        expect(moveIndex(2, "right", 3, 3)).toBe(2);
        expect(moveIndex(1, "down", 6, 3)).toBe(4);
        expect(moveIndex(4, "down", 6, 3)).toBe(4);
        expect(moveIndex(2, "down", 4, 3)).toBe(2);
        expect(moveIndex(4, "up", 6, 3)).toBe(1);
        expect(moveIndex(0, "up", 6, 3)).toBe(0);
    });
});
