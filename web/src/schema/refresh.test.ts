import { describe, expect, it } from "vitest";

import { intervalText, parseIntervalMinutes, refreshSummary } from "./refresh";

describe("parseIntervalMinutes", () => {
    it("turns whole minutes into seconds", () => {
        expect(parseIntervalMinutes("60")).toEqual({ ok: true, seconds: 3600 });
        expect(parseIntervalMinutes(" 1 ")).toEqual({ ok: true, seconds: 60 });
    });

    it("refuses what the server would refuse, saying why", () => {
        for (const bad of ["", "abc", "1.5", "-5"]) {
            const r = parseIntervalMinutes(bad);
            expect(r.ok).toBe(false);
            if (!r.ok) {
                expect(r.message).toMatch(/whole number/);
            }
        }
        const zero = parseIntervalMinutes("0");
        expect(zero).toEqual({ ok: false, message: "The interval must be at least 1 minute." });
        expect(parseIntervalMinutes("525601").ok).toBe(false);
        expect(parseIntervalMinutes("525600").ok).toBe(true);
    });
});

describe("refreshSummary", () => {
    const time = (t: number): string => `T${t}`;

    it("says off and never", () => {
        expect(refreshSummary({ enabled: false, interval_s: 3600, last_at: null }, time)).toBe(
            "Refresh is off. Never refreshed.",
        );
    });

    it("says how often and when last", () => {
        expect(refreshSummary({ enabled: true, interval_s: 5400, last_at: 42 }, time)).toBe(
            "Refresh is on, every 1 h 30 min. Last refresh: T42.",
        );
        expect(intervalText(120)).toBe("every 2 min");
        expect(intervalText(7200)).toBe("every 2 h");
    });
});
