// The labeling page's keyboard map (also shown in the "?" dialog and docs/design/ui.md).
import { h } from "../../dom";

export const kShortcuts: readonly [string, string][] = [
    ["1 – 9", "Apply the label with that key to the selected images (or the one under the cursor)"],
    ["Enter", "Submit the page (once every image has a tag); in history, save changes"],
    ["← ↑ → ↓", "Move the cursor and select that image"],
    ["Shift + arrows", "Extend the selection"],
    ["Click / Ctrl+click / Shift+click", "Select / add or remove / select a range"],
    ["Ctrl + A", "Select all images on the page"],
    ["Esc", "Clear the selection, close a panel, or leave history"],
    ["Backspace", "Back: review and change your earlier answers"],
    ["I", "Show or hide the instructions"],
    ["?", "Show this list"],
];

export function shortcutsDialog(): HTMLDialogElement {
    const dialog = h(
        "dialog",
        { class: "shortcuts", "aria-labelledby": "shortcuts-title" },
        h("h2", { id: "shortcuts-title" }, "Keyboard shortcuts"),
        h(
            "dl",
            {},
            kShortcuts.map(([k, v]) => [h("dt", {}, h("kbd", {}, k)), h("dd", {}, v)]).flat(),
        ),
        h("form", { method: "dialog" }, h("button", { type: "submit", class: "primary" }, "Close")),
    );
    return dialog;
}
