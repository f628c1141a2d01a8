import { describe, expect, it } from "vitest";

import type { ToolbarInput } from "./labeling_toolbar";
import { toolbarState } from "./labeling_toolbar";

const input = (over: Partial<ToolbarInput> = {}): ToolbarInput => ({
    layout: 4,
    gate: { ok: true },
    busy: false,
    inHistory: false,
    shownCount: 4,
    queuedCount: 4,
    instructionsOpen: false,
    ...over,
});

describe("toolbarState", () => {
    it("enables Submit, Skip and Select all on a tagged page", () => {
        expect(toolbarState(input())).toEqual({
            layout: 4,
            submitText: "Submit",
            submitDisabled: false,
            submitReason: "",
            skipDisabled: false,
            selectAllDisabled: false,
            instructionsExpanded: false,
        });
    });

    it("says why Submit is disabled while the page is not fully tagged", () => {
        const s = toolbarState(
            input({ gate: { ok: false, reason: "Tag 2 more images to submit." } }),
        );
        expect(s.submitDisabled).toBe(true);
        expect(s.submitReason).toBe("Tag 2 more images to submit.");
    });

    it("disables Submit and Skip while a call is out", () => {
        const s = toolbarState(input({ busy: true }));
        expect([s.submitDisabled, s.skipDisabled, s.selectAllDisabled]).toEqual([
            true,
            true,
            false,
        ]);
    });

    it("in history: Save changes, no Skip, Select all over history's page", () => {
        const s = toolbarState(input({ inHistory: true, shownCount: 2, queuedCount: 0 }));
        expect(s.submitText).toBe("Save changes");
        expect(s.skipDisabled).toBe(true);
        expect(s.selectAllDisabled).toBe(false);
    });

    it("with nothing queued: no Skip; with nothing shown: no Select all", () => {
        const s = toolbarState(input({ shownCount: 0, queuedCount: 0, instructionsOpen: true }));
        expect([s.skipDisabled, s.selectAllDisabled, s.instructionsExpanded]).toEqual([
            true,
            true,
            true,
        ]);
    });
});
