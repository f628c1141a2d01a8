// Tree editor for label classes: add top-level, add a child under any label (+), rename in
// place, remove; up to six levels. Shows which keys 1-9 each label will get.
import type { LabelSpec } from "../../../schema/api";
import type { TreePath } from "../../../schema/labels";
import {
    addChildLabel,
    addRootLabel,
    canAddChild,
    removeLabel,
    renameLabel,
    walkWithPaths,
} from "../../../schema/labels";
import { h, replaceChildren } from "../../dom";

export function labelEditor(
    initial: LabelSpec[],
    onChange: (labels: LabelSpec[]) => void,
): HTMLElement {
    let labels = initial;
    const list = h("ul", { class: "label-tree", "aria-label": "Label classes" });
    const newName = h("input", { id: "new-label", placeholder: "e.g. Cat", autocomplete: "off" });
    const root = h(
        "div",
        { class: "label-editor" },
        h(
            "div",
            { class: "inline" },
            h("label", { for: "new-label" }, "New label"),
            newName,
            h(
                "button",
                {
                    type: "button",
                    onclick: () => {
                        addTop();
                    },
                },
                "Add label",
            ),
        ),
        list,
    );

    // Enter adds from the "New label" box and must not submit the surrounding wizard form.
    root.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && e.target instanceof HTMLInputElement) {
            e.preventDefault();
            if (e.target === newName) {
                addTop();
            }
        }
    });
    const commit = (next: LabelSpec[], focusAt?: TreePath): void => {
        labels = next;
        onChange(labels);
        render(focusAt);
    };
    const addTop = (): void => {
        const name = newName.value.trim();
        if (name === "") {
            newName.focus();
            return;
        }
        newName.value = "";
        commit(addRootLabel(labels, name));
        newName.focus();
    };

    const render = (focusAt?: TreePath): void => {
        let focusInput: HTMLInputElement | null = null;
        const rows = walkWithPaths(labels).map(({ node, at, entry }) => {
            const id = `label-${at.join("-")}`;
            const input = h("input", {
                id,
                value: node.name,
                "aria-label": `Name of label ${entry.path}`,
                autocomplete: "off",
                oninput: (e: Event) => {
                    labels = renameLabel(labels, at, (e.target as HTMLInputElement).value);
                    onChange(labels);
                },
            });
            if (focusAt !== undefined && at.join() === focusAt.join()) {
                focusInput = input;
            }
            return h(
                "li",
                { style: `--depth:${entry.depth}` },
                h(
                    "span",
                    { class: "key", title: "Keyboard key" },
                    entry.key === null || entry.key === undefined ? "" : String(entry.key),
                ),
                input,
                h(
                    "button",
                    {
                        type: "button",
                        class: "icon",
                        disabled: !canAddChild(at),
                        title: canAddChild(at)
                            ? "Add a child label"
                            : "Labels can be at most 6 levels deep",
                        "aria-label": `Add child under ${entry.path}`,
                        onclick: () => {
                            commit(addChildLabel(labels, at, "New label"), [
                                ...at,
                                (node.children ?? []).length,
                            ]);
                        },
                    },
                    "+",
                ),
                h(
                    "button",
                    {
                        type: "button",
                        class: "icon danger",
                        "aria-label": `Remove ${entry.path}`,
                        onclick: () => {
                            commit(removeLabel(labels, at));
                        },
                    },
                    "×",
                ),
            );
        });
        replaceChildren(
            list,
            rows.length === 0 ? h("li", { class: "muted" }, "No labels yet.") : rows,
        );
        const toFocus = focusInput as HTMLInputElement | null;
        if (toFocus !== null) {
            toFocus.focus();
            toFocus.select();
        }
    };
    render();
    return root;
}
