import { describe, expect, it } from "vitest";

import type { Progress } from "./api";
import { percentDone, progressSegments } from "./progress";

function progress(over: Partial<Progress>): Progress {
    return {
        total: 0,
        unlabeled: 0,
        in_progress: 0,
        labeled: 0,
        skipped: 0,
        needs_review: 0,
        error: 0,
        missing: 0,
        ...over,
    };
}

describe("percentDone", () => {
    it("is zero for an empty project", () => {
        expect(percentDone(progress({}))).toBe(0);
    });

    it("floors so that 100 only shows when everything is done", () => {
        expect(percentDone(progress({ total: 3, labeled: 2 }))).toBe(66);
        expect(percentDone(progress({ total: 200, labeled: 199 }))).toBe(99);
        expect(percentDone(progress({ total: 20, labeled: 19, skipped: 1 }))).toBe(100);
    });
});

describe("progressSegments", () => {
    it("splits the bar by state", () => {
        const segs = progressSegments(progress({ total: 4, labeled: 1, unlabeled: 3 }));
        expect(segs.find((s) => s.state === "labeled")?.percent).toBe(25);
        expect(segs.find((s) => s.state === "unlabeled")?.percent).toBe(75);
        expect(segs.reduce((a, s) => a + s.percent, 0)).toBe(100);
    });
});
