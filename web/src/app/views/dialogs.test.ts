import { describe, expect, it } from "vitest";

import { PendingAnswer } from "./dialogs";

describe("PendingAnswer", () => {
    it("settles the waiting question once; later settles do nothing", async () => {
        const answer = new PendingAnswer();
        const first = answer.begin();
        expect(answer.waiting).toBe(true);
        answer.settle(true);
        answer.settle(false);
        expect(answer.waiting).toBe(false);
        await expect(first).resolves.toBe(true);
    });

    it("a close that comes after the next question opened cannot answer it", async () => {
        // Cancel settles the first question at once; its close event arrives a task later,
        // after Ctrl+Enter asked again, and finds nothing waiting from before.
        const answer = new PendingAnswer();
        const cancelled = answer.begin();
        answer.settle(false);
        const second = answer.begin();
        expect(answer.waiting).toBe(true);
        answer.settle(true); // the user's Enter on the second question
        await expect(cancelled).resolves.toBe(false);
        await expect(second).resolves.toBe(true);
    });

    it("a new question answers one still waiting with no", async () => {
        const answer = new PendingAnswer();
        const stale = answer.begin();
        const fresh = answer.begin();
        await expect(stale).resolves.toBe(false);
        answer.settle(true);
        await expect(fresh).resolves.toBe(true);
    });
});
