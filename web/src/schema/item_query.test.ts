import { describe, expect, it } from "vitest";

import { itemQueryString, kNoFilter, PageTrail } from "./item_query";

describe("itemQueryString", () => {
    it("leaves empty filters out and trims the rest", () => {
        expect(itemQueryString(kNoFilter, 0, 50)).toBe("limit=50");
        expect(
            itemQueryString(
                { state: "labeled", label: "Animal/Cat", labeler: " lara ", q: "" },
                42,
                10,
            ),
        ).toBe("state=labeled&label=Animal%2FCat&labeler=lara&after=42&limit=10");
    });

    it("escapes what a name search may hold", () => {
        expect(itemQueryString({ ...kNoFilter, q: "a&b=c d" }, 0, 5)).toBe("q=a%26b%3Dc+d&limit=5");
    });
});

describe("PageTrail", () => {
    it("goes forward by next_after and back to where each page started", () => {
        const trail = new PageTrail();
        expect(trail.current).toBe(0);
        expect(trail.hasPrevious).toBe(false);
        trail.forward(50);
        trail.forward(120);
        expect(trail.pageNumber).toBe(3);
        expect(trail.back()).toBe(50);
        expect(trail.back()).toBe(0);
        expect(trail.back()).toBe(0);
        trail.forward(7);
        trail.reset();
        expect(trail.current).toBe(0);
        expect(trail.pageNumber).toBe(1);
    });
});
