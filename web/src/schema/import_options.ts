// The per-format options of `POST /projects/{id}/import` (docs/api.md "Import",
// docs/formats/import.md): which ones a format reads, what the form must check before sending,
// and the query string. Values equal to the server's defaults are left out of the query.
import type { ImportFormat, ImportMode } from "./api";

export type CocoCoordinates = "auto" | "pixel" | "normalized";
export type VocConvention = "corners" | "devkit";
export type TableBoxes = "auto" | "corners" | "size";

export interface ImportOptions {
    /** `coordinates=`: COCO's pixel or 0-1 coordinates ("auto": detected from the file). */
    readonly coordinates: CocoCoordinates;
    /** `voc_convention=`: VOC box corners (CVAT, Datumaro, Roboflow) or the devkit's indices. */
    readonly vocConvention: VocConvention;
    /** `image_column=` / `label_column=`: Kaggle CSV header names ("" = detected). */
    readonly imageColumn: string;
    readonly labelColumn: string;
    /** `boxes=`: what four unnamed box numbers mean in Kaggle tables ("auto" = not given). */
    readonly boxes: TableBoxes;
    /** `label=`: the label of Kaggle box rows without one; Segment Anything's one class. */
    readonly label: string;
}

export type ImportOption = keyof ImportOptions;

export const kDefaultImportOptions: ImportOptions = {
    coordinates: "auto",
    vocConvention: "corners",
    imageColumn: "",
    labelColumn: "",
    boxes: "auto",
    label: "",
};

const kQueryNames: Record<ImportOption, string> = {
    coordinates: "coordinates",
    vocConvention: "voc_convention",
    imageColumn: "image_column",
    labelColumn: "label_column",
    boxes: "boxes",
    label: "label",
};

const kOptionsOf: Partial<Record<ImportFormat, readonly ImportOption[]>> = {
    coco: ["coordinates"],
    voc: ["vocConvention"],
    "kaggle-csv": ["imageColumn", "labelColumn", "boxes", "label"],
    "kaggle-txt": ["boxes", "label"],
    "segment-anything": ["label"],
};

/** The options `format` reads, in the order the form shows them (the server ignores others). */
export function importOptionsOf(format: ImportFormat): readonly ImportOption[] {
    return kOptionsOf[format] ?? [];
}

/** Whether the server refuses `format` without this option. */
export function isRequiredOption(format: ImportFormat, option: ImportOption): boolean {
    return format === "segment-anything" && option === "label";
}

export interface OptionProblem {
    readonly option: ImportOption;
    readonly message: string;
}

// A header cell is at most a line of text; the server compares names case-insensitively.
const kMaxColumnName = 255;

function columnProblem(option: ImportOption, what: string, value: string): OptionProblem | null {
    if (value.length > kMaxColumnName) {
        return { option, message: `The ${what} name is longer than ${kMaxColumnName} characters.` };
    }
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (/[\u0000-\u001f\u007f]/.test(value)) {
        return { option, message: `The ${what} name contains a control character.` };
    }
    return null;
}

/**
 * The first problem with `options` for `format`, checked before anything is sent, or null.
 * `labels` are the project's label paths (`label=` must be one of them).
 */
export function importOptionsProblem(
    format: ImportFormat,
    options: ImportOptions,
    labels: readonly string[],
): OptionProblem | null {
    const used = importOptionsOf(format);
    if (used.includes("label")) {
        if (options.label === "" && isRequiredOption(format, "label")) {
            return {
                option: "label",
                message: "Segment Anything masks have no class: choose the label they all get.",
            };
        }
        if (options.label !== "" && !labels.includes(options.label)) {
            return {
                option: "label",
                message: `"${options.label}" is not a label of this project.`,
            };
        }
    }
    if (used.includes("imageColumn") && used.includes("labelColumn")) {
        const image = options.imageColumn.trim();
        const label = options.labelColumn.trim();
        const problem =
            columnProblem("imageColumn", "image column", image) ??
            columnProblem("labelColumn", "label column", label);
        if (problem !== null) {
            return problem;
        }
        if (image !== "" && image.toLowerCase() === label.toLowerCase()) {
            return {
                option: "labelColumn",
                message: "The image and label columns must be different columns.",
            };
        }
    }
    return null;
}

export interface ImportRequest {
    readonly format: ImportFormat;
    readonly mode: ImportMode;
    /** The uploaded file's name ("" when unknown), kept in the import history. */
    readonly fileName: string;
    readonly options?: ImportOptions;
}

/** The query of `POST /import`: format, mode, filename and the format's non-default options. */
export function importQuery(request: ImportRequest): URLSearchParams {
    const q = new URLSearchParams({ format: request.format, mode: request.mode });
    if (request.fileName !== "") {
        q.set("filename", request.fileName);
    }
    const options = request.options ?? kDefaultImportOptions;
    for (const option of importOptionsOf(request.format)) {
        const value = options[option].trim();
        if (value !== kDefaultImportOptions[option]) {
            q.set(kQueryNames[option], value);
        }
    }
    return q;
}
