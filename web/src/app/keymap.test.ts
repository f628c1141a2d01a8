import { describe, expect, it } from "vitest";

import type { KeyBinding, KeyPress } from "./keymap";
import { helpOnly, keyClashes, plain, resolveKey, withCtrl } from "./keymap";

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
    key,
    ctrl: false,
    shift: false,
    alt: false,
    ...mods,
});

const table: KeyBinding<string>[] = [
    { keys: "Ctrl+Z", help: "Undo", match: withCtrl("z", false, "undo") },
    { keys: "Ctrl+Shift+Z", help: "Redo", match: withCtrl("z", true, "redo") },
    { keys: "Z", help: "Zoom", match: plain(["z"], "zoom") },
    { keys: "Space + drag", help: "Pan", match: helpOnly() },
];

describe("resolveKey", () => {
    it("tells plain keys, Ctrl and Ctrl+Shift apart", () => {
        expect(resolveKey(table, press("z", { ctrl: true }))).toBe("undo");
        expect(resolveKey(table, press("Z", { ctrl: true, shift: true }))).toBe("redo");
        expect(resolveKey(table, press("Z"))).toBe("zoom");
        expect(resolveKey(table, press("z", { alt: true }))).toBeNull();
    });

    it("ignores keys no binding acts on, including help-only lines", () => {
        expect(resolveKey(table, press(" "))).toBeNull();
        expect(resolveKey(table, press("q"))).toBeNull();
    });
});

describe("keyClashes", () => {
    it("names the presses two bindings act on", () => {
        expect(keyClashes(table)).toEqual([]);
        const clashing: KeyBinding<string>[] = [
            ...table,
            { keys: "Z / Y", help: "Other", match: plain(["z", "y"], "other") },
        ];
        expect(keyClashes(clashing)).toEqual(["Z", "Shift+Z", "z", "Shift+z"]);
    });
});
