import { describe, expect, it } from "vitest";

import type { Item } from "../../../schema/api";
import type { Shape } from "../../../schema/shapes";
import { buttonStates, openedMessage } from "./drawing_chrome";
import { plural, skipQuestion, submitQuestion } from "./drawing_dialogs";
import type { Restored } from "./drawing_session";

const shape: Shape = {
    id: "a",
    label: "Cat",
    geometry: { kind: "box", box: { x: 0, y: 0, w: 1, h: 1 } },
};
const restored = (n: number, from: Partial<Restored> = {}): Restored => ({
    shapes: Array.from({ length: n }, () => shape),
    prelabel: false,
    draft: false,
    ...from,
});
const item: Item = {
    id: 4,
    name: "cells.png",
    width: 10,
    height: 10,
    image_url: "",
    thumbnail_url: "",
};

describe("buttonStates", () => {
    it("labeling: Submit and Skip need an image and no call out; Previous only no call", () => {
        expect(buttonStates({ reviewing: false, busy: false, hasImage: true })).toEqual({
            submitText: "Submit",
            submitDisabled: false,
            skipDisabled: false,
            previousDisabled: false,
            reviewShown: false,
        });
        const done = buttonStates({ reviewing: false, busy: false, hasImage: false });
        expect([done.submitDisabled, done.skipDisabled, done.previousDisabled]).toEqual([
            true,
            true,
            false,
        ]);
        const busy = buttonStates({ reviewing: false, busy: true, hasImage: true });
        expect([busy.submitDisabled, busy.skipDisabled, busy.previousDisabled]).toEqual([
            true,
            true,
            true,
        ]);
    });

    it("reviewing: Save changes, no Skip, and the way back shown", () => {
        expect(buttonStates({ reviewing: true, busy: false, hasImage: true })).toEqual({
            submitText: "Save changes",
            submitDisabled: false,
            skipDisabled: true,
            previousDisabled: false,
            reviewShown: true,
        });
    });
});

describe("openedMessage", () => {
    it("names where the starting shapes came from", () => {
        expect(openedMessage("review", restored(0))).toBe(
            "Change your earlier answer, then Save changes.",
        );
        expect(openedMessage("leased", restored(2, { prelabel: true }))).toBe(
            "2 shapes from a prelabel: review, correct and submit.",
        );
        expect(openedMessage("leased", restored(1, { draft: true }))).toBe(
            "Restored 1 shape from your draft.",
        );
    });

    it("says nothing for an empty prelabel or draft, or a fresh image", () => {
        expect(openedMessage("leased", restored(0, { prelabel: true }))).toBe("");
        expect(openedMessage("leased", restored(0, { draft: true }))).toBe("");
        expect(openedMessage("leased", restored(3))).toBe("");
    });
});

describe("confirmation questions", () => {
    it("name the image and the number of shapes", () => {
        expect(submitQuestion(item, 1)).toEqual({
            title: "Submit this image?",
            detail: "cells.png: 1 shape will be stored as your answer.",
            confirm: "Submit",
        });
        expect(submitQuestion(item, 0).detail).toBe(
            "cells.png: 0 shapes will be stored as your answer.",
        );
        expect(skipQuestion(item)).toEqual({
            title: "Skip this image?",
            detail: "cells.png goes back without an answer; its shapes are dropped.",
            confirm: "Skip",
        });
        expect(plural(2, "shape")).toBe("2 shapes");
    });
});
