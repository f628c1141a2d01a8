// The label list: the whole tree, indented, with key hints; clicking applies the label.
import type { LabelEntry } from "../../../schema/api";
import { h } from "../../dom";

export function labelPanel(
    labels: readonly LabelEntry[],
    apply: (path: string) => void,
): HTMLElement {
    const keyOf = (l: LabelEntry): string =>
        l.key === null || l.key === undefined ? "" : String(l.key);
    return h(
        "nav",
        { class: "label-panel", "aria-label": "Labels" },
        h("h2", {}, "Labels"),
        h(
            "ul",
            {},
            labels.map((l) =>
                h(
                    "li",
                    { style: `--depth:${l.depth}` },
                    h(
                        "button",
                        {
                            type: "button",
                            class: "label-button",
                            title: l.path,
                            "aria-keyshortcuts": keyOf(l) === "" ? null : keyOf(l),
                            onclick: () => {
                                apply(l.path);
                            },
                        },
                        h("kbd", { "aria-hidden": "true" }, keyOf(l)),
                        h("span", {}, l.name),
                    ),
                ),
            ),
        ),
    );
}
