// The labeling page's keyboard map: one table, read by the key handler and the "?" dialog
// (and mirrored in docs/design/ui.md).
import type { Direction } from "../../../store/page_layout";
import type { KeyBinding, KeyPress } from "../../keymap";
import { helpOnly, plain, withCtrl } from "../../keymap";

export type LabelingAction =
    | { readonly kind: "label"; readonly key: number }
    | { readonly kind: "move"; readonly dir: Direction; readonly extend: boolean }
    | {
          readonly kind: "submit" | "selectAll" | "escape" | "back" | "instructions" | "help";
      };

const kArrows: Record<string, Direction> = {
    ArrowLeft: "left",
    ArrowRight: "right",
    ArrowUp: "up",
    ArrowDown: "down",
};

const digit = (k: KeyPress): LabelingAction | null =>
    !k.ctrl && !k.alt && /^[1-9]$/.test(k.key) ? { kind: "label", key: Number(k.key) } : null;

const arrow =
    (extend: boolean) =>
    (k: KeyPress): LabelingAction | null => {
        const dir = kArrows[k.key];
        return dir !== undefined && !k.ctrl && !k.alt && k.shift === extend
            ? { kind: "move", dir, extend }
            : null;
    };

export const kLabelingKeys: readonly KeyBinding<LabelingAction>[] = [
    {
        keys: "1 – 9",
        help: "Apply the label with that key to the selected images (or the one under the cursor)",
        match: digit,
    },
    {
        keys: "Enter",
        help: "Submit the page (once every image has a tag); in history, save changes",
        match: plain(["Enter"], { kind: "submit" }),
    },
    { keys: "← ↑ → ↓", help: "Move the cursor and select that image", match: arrow(false) },
    { keys: "Shift + arrows", help: "Extend the selection", match: arrow(true) },
    {
        keys: "Click / Ctrl+click / Shift+click",
        help: "Select / add or remove / select a range",
        match: helpOnly(),
    },
    {
        keys: "Ctrl + A",
        help: "Select all images on the page",
        match: withCtrl("a", false, { kind: "selectAll" }),
    },
    {
        keys: "Esc",
        help: "Clear the selection, close a panel, or leave history",
        match: plain(["Escape"], { kind: "escape" }),
    },
    {
        // "," is the drawing page's "Previous image" too.
        keys: "Backspace / , / <",
        help: "Back: review and change your earlier answers (again: further back)",
        match: plain(["Backspace", ",", "<"], { kind: "back" }),
    },
    {
        keys: "I",
        help: "Show or hide the instructions",
        match: plain(["i"], { kind: "instructions" }),
    },
    { keys: "?", help: "Show this list", match: plain(["?"], { kind: "help" }) },
];
