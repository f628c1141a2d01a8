import { describe, expect, it } from "vitest";

import { ActivityClock } from "./activity_clock";

describe("ActivityClock", () => {
    it("counts the time between signs of life", () => {
        const clock = new ActivityClock(30_000);
        clock.touch(1_000);
        clock.touch(4_000);
        expect(clock.lap(6_000)).toBe(5_000);
        // A lap starts the next one where it ended.
        expect(clock.lap(8_500)).toBe(2_500);
    });

    it("counts at most the idle limit for a long gap", () => {
        const clock = new ActivityClock(30_000);
        clock.touch(0);
        clock.touch(600_000); // ten minutes away from the keyboard
        expect(clock.lap(602_000)).toBe(32_000);
    });

    it("stops while the page is hidden", () => {
        const clock = new ActivityClock(30_000);
        clock.touch(0);
        clock.pause(2_000);
        clock.touch(20_000); // shown again
        expect(clock.lap(21_000)).toBe(3_000);
    });

    it("says nothing before the first touch", () => {
        const clock = new ActivityClock();
        expect(clock.lap(5_000)).toBe(0);
        expect(clock.lap(7_000)).toBe(2_000);
    });
});
