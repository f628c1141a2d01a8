import { describe, expect, it } from "vitest";

import type { KeyPress } from "../../keymap";
import { keyClashes, resolveKey } from "../../keymap";
import type { KeyedImage } from "./drawing_keys";
import { kDrawingKeys, routeKey } from "./drawing_keys";

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
    key,
    ctrl: false,
    shift: false,
    alt: false,
    ...mods,
});

describe("kDrawingKeys", () => {
    it("maps digits to labels and letters to tools", () => {
        expect(resolveKey(kDrawingKeys, press("3"))).toEqual({ kind: "label", key: 3 });
        expect(resolveKey(kDrawingKeys, press("R"))).toEqual({ kind: "tool", key: "r" });
        expect(resolveKey(kDrawingKeys, press("f"))).toEqual({ kind: "tool", key: "f" });
        expect(resolveKey(kDrawingKeys, press("0"))).toEqual({ kind: "fit" });
        expect(resolveKey(kDrawingKeys, press("3", { ctrl: true }))).toBeNull();
    });

    it("has ? for help and Ctrl+Enter for submit, Ctrl+Z / Ctrl+Shift+Z for history", () => {
        expect(resolveKey(kDrawingKeys, press("?", { shift: true }))).toEqual({ kind: "help" });
        expect(resolveKey(kDrawingKeys, press("Enter", { ctrl: true }))).toEqual({
            kind: "submit",
        });
        expect(resolveKey(kDrawingKeys, press("Enter"))).toBeNull();
        expect(resolveKey(kDrawingKeys, press("z", { ctrl: true }))).toEqual({ kind: "undo" });
        expect(resolveKey(kDrawingKeys, press("Z", { ctrl: true, shift: true }))).toEqual({
            kind: "redo",
        });
    });

    it("lists every binding with keys and help text", () => {
        for (const b of kDrawingKeys) {
            expect(b.keys).not.toBe("");
            expect(b.help).not.toBe("");
        }
    });

    it("goes to the previous image with , or < (Shift+, on US layouts), never with Ctrl or Alt", () => {
        expect(resolveKey(kDrawingKeys, press(","))).toEqual({ kind: "previous" });
        expect(resolveKey(kDrawingKeys, press("<", { shift: true }))).toEqual({ kind: "previous" });
        expect(resolveKey(kDrawingKeys, press(",", { ctrl: true }))).toBeNull();
        expect(resolveKey(kDrawingKeys, press(",", { alt: true }))).toBeNull();
    });

    it("has no key press that two bindings act on", () => {
        expect(keyClashes(kDrawingKeys)).toEqual([]);
    });
});

describe("routeKey", () => {
    const image = (claims: string[] = [], hasSelection = false) => {
        const offered: string[] = [];
        const img: KeyedImage = {
            toolKey: (key) => {
                offered.push(key);
                return claims.includes(key);
            },
            hasSelection,
        };
        return { img, offered };
    };

    it("lets the active tool claim its keys first, but never Ctrl or Alt chords", () => {
        const { img, offered } = image(["Enter", "Escape"]);
        expect(routeKey(press("Enter"), img)).toEqual({ kind: "tool" });
        expect(routeKey(press("Escape"), img)).toEqual({ kind: "tool" });
        expect(routeKey(press("Enter", { ctrl: true }), img)).toEqual({
            kind: "action",
            action: { kind: "submit" },
            preventDefault: true,
        });
        expect(offered).toEqual(["Enter", "Escape"]);
    });

    it("with no image, only Previous and help apply", () => {
        expect(routeKey(press(","), null)).toEqual({
            kind: "action",
            action: { kind: "previous" },
            preventDefault: true,
        });
        expect(routeKey(press("?", { shift: true }), null).kind).toBe("action");
        expect(routeKey(press("z", { ctrl: true }), null)).toEqual({ kind: "ignored" });
        expect(routeKey(press("1"), null)).toEqual({ kind: "ignored" });
    });

    it("keeps Backspace's default unless a shape is selected", () => {
        const none = routeKey(press("Backspace"), image().img);
        expect(none).toEqual({
            kind: "action",
            action: { kind: "deleteSelected" },
            preventDefault: false,
        });
        const one = routeKey(press("Backspace"), image([], true).img);
        expect(one.kind === "action" && one.preventDefault).toBe(true);
    });

    it("ignores keys outside the table", () => {
        expect(routeKey(press("q"), image().img)).toEqual({ kind: "ignored" });
    });
});
