import { describe, expect, it } from "vitest";

import type { KeyPress } from "../../keymap";
import { keyClashes, resolveKey } from "../../keymap";
import { kLabelingKeys } from "./labeling_keys";

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
    key,
    ctrl: false,
    shift: false,
    alt: false,
    ...mods,
});

describe("kLabelingKeys", () => {
    it("maps the keys of the labeling page", () => {
        expect(resolveKey(kLabelingKeys, press("2"))).toEqual({ kind: "label", key: 2 });
        expect(resolveKey(kLabelingKeys, press("Enter"))).toEqual({ kind: "submit" });
        expect(resolveKey(kLabelingKeys, press("ArrowUp"))).toEqual({
            kind: "move",
            dir: "up",
            extend: false,
        });
        expect(resolveKey(kLabelingKeys, press("ArrowLeft", { shift: true }))).toEqual({
            kind: "move",
            dir: "left",
            extend: true,
        });
        expect(resolveKey(kLabelingKeys, press("a", { ctrl: true }))).toEqual({
            kind: "selectAll",
        });
        expect(resolveKey(kLabelingKeys, press("I"))).toEqual({ kind: "instructions" });
        expect(resolveKey(kLabelingKeys, press("?", { shift: true }))).toEqual({ kind: "help" });
        expect(resolveKey(kLabelingKeys, press("Backspace"))).toEqual({ kind: "back" });
    });

    it("leaves modified keys to the browser", () => {
        expect(resolveKey(kLabelingKeys, press("2", { ctrl: true }))).toBeNull();
        expect(resolveKey(kLabelingKeys, press("Enter", { ctrl: true }))).toBeNull();
        expect(resolveKey(kLabelingKeys, press("ArrowUp", { alt: true }))).toBeNull();
        expect(resolveKey(kLabelingKeys, press("a"))).toBeNull();
    });

    it("goes to the previous image with , or < (Shift+, on US layouts), never with Ctrl or Alt", () => {
        expect(resolveKey(kLabelingKeys, press(","))).toEqual({ kind: "back" });
        expect(resolveKey(kLabelingKeys, press("<", { shift: true }))).toEqual({ kind: "back" });
        expect(resolveKey(kLabelingKeys, press(",", { ctrl: true }))).toBeNull();
        expect(resolveKey(kLabelingKeys, press(",", { alt: true }))).toBeNull();
    });

    it("has no key press that two bindings act on", () => {
        expect(keyClashes(kLabelingKeys)).toEqual([]);
    });
});
