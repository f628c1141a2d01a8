// The import form's per-format options: one field per option of `POST /import`, shown only for
// the formats that read it (schema/import_options.ts decides which, and checks the values).
import type { ImportFormat } from "../../schema/api";
import type { ImportOption, ImportOptions, OptionProblem } from "../../schema/import_options";
import { importOptionsOf, importOptionsProblem } from "../../schema/import_options";
import { h } from "../dom";

type Control = HTMLInputElement | HTMLSelectElement;

interface Field {
    readonly wrap: HTMLElement;
    readonly label: HTMLLabelElement;
    readonly control: Control;
    readonly hint: HTMLElement;
}

function select(id: string, choices: readonly (readonly [string, string])[]): HTMLSelectElement {
    return h(
        "select",
        { id },
        choices.map(([value, text]) => h("option", { value }, text)),
    );
}

function field(option: ImportOption, label: string, control: Control, hint: string): Field {
    const hintId = `${control.id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    const labelEl = h("label", { for: control.id }, label);
    const hintEl = h("p", { class: "hint", id: hintId }, hint);
    const wrap = h("div", { class: "field", "data-option": option, hidden: true }, labelEl);
    wrap.append(control, hintEl);
    return { wrap, label: labelEl, control, hint: hintEl };
}

// What `label=` is for differs by format; so does when `boxes=` matters.
const kLabelText: Partial<Record<ImportFormat, readonly [string, string, string]>> = {
    "segment-anything": [
        "Label for every mask",
        "Choose a label…",
        "Segment Anything masks have no class: all of them get this label (required).",
    ],
    "kaggle-csv": [
        "Label for rows without one",
        "None",
        "For box rows of a single-class set that have no label column.",
    ],
    "kaggle-txt": [
        "Label for rows without one",
        "None",
        "For rows of only an image name and four numbers.",
    ],
};
const kBoxesHint: Partial<Record<ImportFormat, string>> = {
    "kaggle-csv":
        "Needed when one cell (bbox) holds the four numbers; named columns (x1 y1 x2 y2, x y w h) say it themselves.",
    "kaggle-txt": "Needed when the rows hold box numbers: the file does not say which kind.",
};

export class ImportOptionsForm {
    readonly element: HTMLFieldSetElement;
    private readonly fields: Record<ImportOption, Field>;
    private readonly noLabel: HTMLOptionElement;
    private format_: ImportFormat = "coco";

    /** `labels`: the project's label paths, offered for `label=`. */
    constructor(private readonly labels: readonly string[]) {
        this.noLabel = h("option", { value: "" }, "None");
        const labelSelect = h(
            "select",
            { id: "imp-opt-label" },
            this.noLabel,
            labels.map((l) => h("option", { value: l }, l)),
        );
        const column = (id: string): HTMLInputElement =>
            h("input", {
                id,
                type: "text",
                autocomplete: "off",
                spellcheck: "false",
                placeholder: "detected from the header",
            });
        this.fields = {
            coordinates: field(
                "coordinates",
                "Coordinates",
                select("imp-opt-coordinates", [
                    ["auto", "Detect"],
                    ["pixel", "Pixels"],
                    ["normalized", "Normalised, 0 to 1"],
                ]),
                "Detect: 0 to 1 when every image's size is 0 (Azure's export), else pixels.",
            ),
            vocConvention: field(
                "vocConvention",
                "Box numbers",
                select("imp-opt-voc", [
                    ["corners", "Corners (CVAT, Datumaro, Roboflow)"],
                    ["devkit", "VOC devkit (1-based, inclusive)"],
                ]),
                "Corners: xmax = xmin + width, as CVAT, Datumaro, labelme2voc and Roboflow " +
                    "write them. Devkit: 1-based pixel indices, xmax the last pixel inside.",
            ),
            imageColumn: field(
                "imageColumn",
                "Image column",
                column("imp-opt-image-column"),
                "The header name of the column with the image names.",
            ),
            labelColumn: field(
                "labelColumn",
                "Label column",
                column("imp-opt-label-column"),
                "The header name of the column with the labels.",
            ),
            boxes: field(
                "boxes",
                "Four box numbers are",
                select("imp-opt-boxes", [
                    ["auto", "Not given"],
                    ["corners", "x1 y1 x2 y2 (two corners)"],
                    ["size", "x y w h (corner and size)"],
                ]),
                "",
            ),
            label: field("label", "Label", labelSelect, ""),
        };
        for (const f of Object.values(this.fields)) {
            f.control.addEventListener("change", () => {
                f.control.removeAttribute("aria-invalid");
            });
        }
        this.element = h(
            "fieldset",
            { class: "types import-options", hidden: true },
            h("legend", {}, "Options of this format"),
            Object.values(this.fields).map((f) => f.wrap),
        );
    }

    /** Shows the fields `format` reads (the fieldset hides when it reads none). */
    show(format: ImportFormat): void {
        this.format_ = format;
        const used = importOptionsOf(format);
        for (const [option, f] of Object.entries(this.fields) as [ImportOption, Field][]) {
            f.wrap.hidden = !used.includes(option);
            f.control.removeAttribute("aria-invalid");
        }
        this.element.hidden = used.length === 0;
        const [label, none, hint] = kLabelText[format] ?? ["Label", "None", ""];
        this.fields.label.label.textContent = label;
        this.noLabel.textContent = none;
        this.fields.label.hint.textContent = hint;
        if (format === "segment-anything") {
            this.fields.label.control.setAttribute("aria-required", "true");
        } else {
            this.fields.label.control.removeAttribute("aria-required");
        }
        this.fields.boxes.hint.textContent = kBoxesHint[format] ?? "";
    }

    read(): ImportOptions {
        const value = (o: ImportOption): string => this.fields[o].control.value;
        return {
            coordinates: value("coordinates") as ImportOptions["coordinates"],
            vocConvention: value("vocConvention") as ImportOptions["vocConvention"],
            imageColumn: value("imageColumn"),
            labelColumn: value("labelColumn"),
            boxes: value("boxes") as ImportOptions["boxes"],
            label: value("label"),
        };
    }

    /** The first problem of the shown options, marked on its field and focused; else null. */
    check(): OptionProblem | null {
        const problem = importOptionsProblem(this.format_, this.read(), this.labels);
        if (problem !== null) {
            const control = this.fields[problem.option].control;
            control.setAttribute("aria-invalid", "true");
            control.focus();
        }
        return problem;
    }
}
