// The shape list beside the canvas: one row per shape with its label menu (the explicit way to
// change a shape's label), a button that selects it, hide/show and delete.
import type { Shape } from "../../../schema/shapes";
import type { AnnotationDocument } from "../../../store/annotation_document";
import { h } from "../../dom";

/** Ten thousand rows would stall the page; the canvas is the real list beyond that. */
const kMaxRows = 300;

export interface ShapeListOptions {
    readonly labels: readonly string[];
    readonly colorOf: (label: string) => string;
    readonly relabel: (id: string, label: string) => void;
}

export function shapeSummary(s: Shape): string {
    const g = s.geometry;
    switch (g.kind) {
        case "box":
            return `box ${Math.round(g.box.w)}×${Math.round(g.box.h)}`;
        case "polygon":
            return `polygon, ${g.rings.reduce((n, r) => n + r.length, 0)} points`;
        case "mask":
            return "mask";
    }
}

function labelMenu(s: Shape, name: string, opts: ShapeListOptions): HTMLSelectElement {
    const menu = h(
        "select",
        {
            class: "shape-label",
            "aria-label": name,
            style: `border-left-color: ${opts.colorOf(s.label)}`,
            // A mask is all of one label's pixels: relabelling would merge two masks.
            disabled: s.geometry.kind === "mask",
            onchange: (e: Event) => {
                opts.relabel(s.id, (e.target as HTMLSelectElement).value);
            },
        },
        opts.labels.map((l) => h("option", { value: l }, l)),
    );
    menu.value = s.label;
    return menu;
}

export function shapeRows(doc: AnnotationDocument, opts: ShapeListOptions): HTMLElement[] {
    const shapes = doc.shapes();
    const first = Math.max(0, shapes.length - kMaxRows);
    const rows = shapes.slice(first).map((s, i) =>
        h(
            "li",
            {
                class: s.id === doc.selected ? "shape-row selected" : "shape-row",
                "data-shape-id": s.id,
            },
            labelMenu(s, `Label of shape ${first + i + 1}`, opts),
            h(
                "button",
                {
                    type: "button",
                    class: "link",
                    "aria-pressed": s.id === doc.selected ? "true" : "false",
                    onclick: () => {
                        doc.select(s.id);
                    },
                },
                shapeSummary(s),
            ),
            h(
                "button",
                {
                    type: "button",
                    class: "link",
                    "aria-label": doc.isHidden(s.id) ? "Show" : "Hide",
                    onclick: () => {
                        doc.setHidden(s.id, !doc.isHidden(s.id));
                    },
                },
                doc.isHidden(s.id) ? "show" : "hide",
            ),
            h(
                "button",
                {
                    type: "button",
                    class: "link",
                    "aria-label": "Delete",
                    onclick: () => {
                        doc.remove([s.id]);
                    },
                },
                "×",
            ),
        ),
    );
    return first > 0 ? [h("li", { class: "muted" }, `${first} more…`), ...rows] : rows;
}

/** The selected shape's label menu (beside the label picker), or null without a selection. */
export function selectedLabelMenu(
    doc: AnnotationDocument,
    opts: ShapeListOptions,
): HTMLElement | null {
    const id = doc.selected;
    const s = id === null ? undefined : doc.get(id);
    if (s === undefined) {
        return null;
    }
    return h(
        "label",
        { class: "selected-label" },
        "Selected shape's label ",
        labelMenu(s, "Label of the selected shape", opts),
    );
}
