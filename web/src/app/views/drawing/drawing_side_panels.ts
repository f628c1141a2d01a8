// The asides beside the drawing stage: the label picker ("Label for new shapes") with the
// selected shape's label menu under it on the left, the shape list on the right.
import type { LabelEntry } from "../../../schema/api";
import type { AnnotationDocument } from "../../../store/annotation_document";
import { h, replaceChildren } from "../../dom";
import type { ShapeListOptions } from "./shape_list";
import { selectedLabelMenu, shapeRows } from "./shape_list";

export interface SidePanelOptions extends ShapeListOptions {
    /** A label button was pressed: it becomes the label for new shapes. */
    pickLabel(path: string): void;
}

/** The label that key `key` (1-9) picks, if any. */
export function labelForKey(labels: readonly LabelEntry[], key: number): LabelEntry | undefined {
    return labels.find((l) => l.key === key);
}

export class DrawingSidePanels {
    readonly left: HTMLElement;
    readonly right: HTMLElement;
    private readonly labelList = h("ol", { class: "draw-labels", "aria-label": "Labels" });
    private readonly shapeList = h("ul", { class: "draw-shapes", "aria-label": "Shapes" });
    private readonly selectedMenu = h("div", { class: "selected-menu" });

    constructor(
        private readonly labels: readonly LabelEntry[],
        private readonly opts: SidePanelOptions,
    ) {
        this.left = h(
            "aside",
            { class: "draw-side", "aria-labelledby": "draw-labels-h" },
            h("h2", { id: "draw-labels-h" }, "Label for new shapes"),
            this.labelList,
            this.selectedMenu,
        );
        this.right = h(
            "aside",
            { class: "draw-side", "aria-labelledby": "draw-shapes-h" },
            h("h2", { id: "draw-shapes-h" }, "Shapes"),
            this.shapeList,
        );
    }

    /** The label buttons, `active` pressed. */
    renderLabels(active: string | null): void {
        replaceChildren(
            this.labelList,
            this.labels.map((l) => h("li", {}, this.labelButton(l, l.path === active))),
        );
    }

    /** The shape rows and the selected shape's menu of `doc` (none without an image). */
    renderShapes(doc: AnnotationDocument | null): void {
        replaceChildren(this.shapeList, doc === null ? null : shapeRows(doc, this.opts));
        replaceChildren(this.selectedMenu, doc === null ? null : selectedLabelMenu(doc, this.opts));
    }

    private labelButton(l: LabelEntry, active: boolean): HTMLButtonElement {
        return h(
            "button",
            {
                type: "button",
                class: active ? "label-pick active" : "label-pick",
                "aria-pressed": active ? "true" : "false",
                style: `--label-color: ${this.opts.colorOf(l.path)}`,
                onclick: () => {
                    this.opts.pickLabel(l.path);
                },
            },
            l.key === null || l.key === undefined ? "" : h("kbd", {}, String(l.key)),
            " ",
            l.path,
        );
    }
}
