// The drawing page's keyboard map: one table, read by the key handler and the "?" dialog.
// "," (or "<") is "Previous image" here and "Back" on the labeling page: CVAT's D/F and letters
// in general are tools here, and Backspace deletes the selected shape.
// Keys the active tool claims first (Enter, Backspace and Esc while drawing a polygon, Esc
// mid-drag) never reach this table; see routeKey.
import type { KeyBinding, KeyPress } from "../../keymap";
import { helpOnly, plain, resolveKey, withCtrl } from "../../keymap";

export type DrawingAction =
    | { readonly kind: "label"; readonly key: number }
    | { readonly kind: "tool"; readonly key: string }
    | { readonly kind: "brush"; readonly delta: number }
    | { readonly kind: "frame"; readonly delta: number }
    | {
          readonly kind:
              | "undo"
              | "redo"
              | "submit"
              | "lock"
              | "hide"
              | "deleteSelected"
              | "deleteAll"
              | "deselect"
              | "zoomIn"
              | "zoomOut"
              | "fit"
              | "previous"
              | "windowLevel"
              | "windowReset"
              | "help";
      };

const digit = (k: KeyPress): DrawingAction | null =>
    !k.ctrl && !k.alt && /^[1-9]$/.test(k.key) ? { kind: "label", key: Number(k.key) } : null;

const toolKey =
    (keys: string) =>
    (k: KeyPress): DrawingAction | null =>
        !k.ctrl && !k.alt && k.key.length === 1 && keys.includes(k.key.toLowerCase())
            ? { kind: "tool", key: k.key.toLowerCase() }
            : null;

export const kDrawingKeys: readonly KeyBinding<DrawingAction>[] = [
    {
        keys: "1 – 9",
        help: "Pick the label for the next shape (shapes already drawn keep theirs)",
        match: digit,
    },
    {
        keys: "Label menu",
        help: "Change a shape's label: the menu on its row in the shape list",
        match: helpOnly(),
    },
    {
        keys: "R T M P O U",
        help: "Box, template stamp, move/resize, polygon, outline an object in a box, vertex edit",
        match: toolKey("rtmpou"),
    },
    { keys: "B E F", help: "Brush, eraser, fill (semantic segmentation)", match: toolKey("bef") },
    { keys: "[", help: "Smaller brush", match: plain(["["], { kind: "brush", delta: -2 }) },
    { keys: "]", help: "Bigger brush", match: plain(["]"], { kind: "brush", delta: 2 }) },
    {
        keys: "L",
        help: "Lock or unlock the existing shapes",
        match: plain(["l"], { kind: "lock" }),
    },
    { keys: "H", help: "Hide or show all shapes", match: plain(["h"], { kind: "hide" }) },
    {
        keys: "Delete / Backspace",
        help: "Delete the selected shape",
        match: plain(["Delete", "Backspace"], { kind: "deleteSelected" }),
    },
    {
        keys: "D",
        help: "Delete all shapes (undo brings them back)",
        match: plain(["d"], { kind: "deleteAll" }),
    },
    { keys: "Ctrl+Z", help: "Undo", match: withCtrl("z", false, { kind: "undo" }) },
    { keys: "Ctrl+Shift+Z", help: "Redo", match: withCtrl("z", true, { kind: "redo" }) },
    {
        keys: "Esc",
        help: "Cancel the shape being drawn, else clear the selection",
        match: plain(["Escape"], { kind: "deselect" }),
    },
    { keys: "+", help: "Zoom in (also the wheel)", match: plain(["+", "="], { kind: "zoomIn" }) },
    { keys: "−", help: "Zoom out", match: plain(["-"], { kind: "zoomOut" }) },
    { keys: "0", help: "Fit the image to the window", match: plain(["0"], { kind: "fit" }) },
    { keys: "Space + drag, middle button", help: "Pan", match: helpOnly() },
    {
        keys: ", / <",
        help: "Previous image: your earlier answers, newest first (again: further back)",
        match: plain([",", "<"], { kind: "previous" }),
    },
    {
        keys: "Ctrl+Enter",
        help: "Submit (asks first; Enter confirms)",
        match: withCtrl("Enter", false, { kind: "submit" }),
    },
    {
        keys: "W",
        help: "DICOM: window/level tool (drag: left/right = width, up/down = centre)",
        match: (k) =>
            !k.ctrl && !k.alt && !k.shift && k.key.toLowerCase() === "w"
                ? { kind: "windowLevel" }
                : null,
    },
    {
        keys: "Shift+W",
        help: "DICOM: back to the file's window",
        match: (k) =>
            !k.ctrl && !k.alt && k.shift && k.key.toLowerCase() === "w"
                ? { kind: "windowReset" }
                : null,
    },
    {
        keys: "PageUp / PageDown",
        help: "DICOM: previous / next frame of a multi-frame image",
        match: (k) =>
            plain(["PageUp"], { kind: "frame", delta: -1 } as const)(k) ??
            plain(["PageDown"], { kind: "frame", delta: 1 } as const)(k),
    },
    { keys: "?", help: "Show this list", match: plain(["?"], { kind: "help" }) },
];

/** The actions that also apply with no image open ("All done"): the page's own buttons. */
export const kKeysWithoutImage: ReadonlySet<DrawingAction["kind"]> = new Set(["previous", "help"]);

/** Where a key press goes: nowhere, to the active tool, or to an action of the table. */
export type KeyRoute =
    | { readonly kind: "ignored" }
    | { readonly kind: "tool" }
    | { readonly kind: "action"; readonly action: DrawingAction; readonly preventDefault: boolean };

/** The image on screen as the key router sees it; null with no image ("All done"). */
export interface KeyedImage {
    /** Offers the key to the active tool; true when the tool took it. */
    toolKey(key: string): boolean;
    readonly hasSelection: boolean;
}

export function routeKey(k: KeyPress, image: KeyedImage | null): KeyRoute {
    // The tool claims its own keys first (Enter closes a polygon, Esc drops a drag).
    if (image !== null && !k.ctrl && !k.alt && image.toolKey(k.key)) {
        return { kind: "tool" };
    }
    const action = resolveKey(kDrawingKeys, k);
    // With no image open, only the keys of the page's own buttons apply.
    if (action === null || (image === null && !kKeysWithoutImage.has(action.kind))) {
        return { kind: "ignored" };
    }
    // Backspace is "delete the selected shape" only when one is selected.
    const preventDefault = action.kind !== "deleteSelected" || image?.hasSelection === true;
    return { kind: "action", action, preventDefault };
}
