// Which import format an annotation file most likely is, from its name and first bytes, so the
// import form can preselect it (the user may still change it). docs/formats/import.md.
import type { ImportFormat, TaskType } from "./api";
import { kImportFormats } from "./api";

export const kImportFormatNames: Record<ImportFormat, string> = {
    coco: "COCO",
    "coco-azure": "COCO (Azure ML, normalised)",
    jsonl: "JSONL (Azure ML)",
    mltable: "MLTable (Azure ML)",
    voc: "Pascal VOC",
    yolo: "YOLO",
    labelme: "LabelMe",
    cvat: "CVAT",
    masks: "Mask images",
    "coco-panoptic": "COCO panoptic",
    "kaggle-csv": "Kaggle CSV",
    "kaggle-txt": "Kaggle TXT",
    createml: "Create ML",
    "segment-anything": "Segment Anything",
    csv: "CSV (Azure ML classification)",
    "label-studio": "Label Studio (JSON, JSON-MIN)",
    datumaro: 'Datumaro (CVAT "Datumaro 1.0")',
};

// What the server reads into multi-class and multi-label projects (docs/formats/import.md): the
// image-level formats, COCO's label-only annotations (Azure's classification export), Kaggle's
// classification tables, Label Studio's choices and Datumaro's label annotations.
const kClassificationFormats: readonly ImportFormat[] = [
    "jsonl",
    "mltable",
    "csv",
    "coco",
    "coco-azure",
    "kaggle-csv",
    "kaggle-txt",
    "label-studio",
    "datumaro",
];

export function isClassification(type: TaskType): boolean {
    return type === "multiclass" || type === "multilabel";
}

/** The formats that fit a task type (the server refuses the others). */
export function importFormatsFor(type: TaskType): readonly ImportFormat[] {
    return isClassification(type)
        ? kClassificationFormats
        : kImportFormats.filter((f) => f !== "csv");
}

function extensionOf(fileName: string): string {
    return /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? "";
}

/** Label Studio's JSON export or one task (`data` with annotations or predictions), JSON-MIN. */
function isLabelStudio(head: string): boolean {
    const task =
        head.includes('"data"') &&
        (head.includes('"annotations"') || head.includes('"predictions"'));
    return task || head.includes('"annotation_id"');
}

/** Datumaro's JSON: a version key, or categories as an object (COCO's are a list). */
function isDatumaro(head: string): boolean {
    return head.includes('"dm_format_version"') || /"categories"\s*:\s*\{/.test(head);
}

function jsonFormat(head: string): ImportFormat | null {
    if (head.includes('"segments_info"')) {
        return "coco-panoptic";
    }
    if (isLabelStudio(head)) {
        return "label-studio";
    }
    if (head.includes('"imagePath"')) {
        return "labelme";
    }
    if (head.trimStart().startsWith("[") && head.includes('"image"')) {
        return "createml";
    }
    if (isDatumaro(head)) {
        return "datumaro";
    }
    if (head.includes('"images"') || head.includes('"categories"')) {
        return "coco";
    }
    if (head.includes('"image"') && head.includes('"annotations"')) {
        return "segment-anything";
    }
    return null;
}

/** Azure's classification CSV (`Url`, `Label`) or our own export (`image_url`, `label`). */
function isAzureCsv(head: string): boolean {
    const header = (head.split(/\r?\n/)[0] ?? "").replace(/^\uFEFF/, "");
    const cells = header.split(",").map((c) =>
        c
            .trim()
            .replace(/^"(.*)"$/, "$1")
            .toLowerCase(),
    );
    return (cells.includes("url") || cells.includes("image_url")) && cells.includes("label");
}

/** Best guess for a file; `head` is its first few KiB as text ("" for binary files). */
export function detectImportFormat(fileName: string, head: string, type: TaskType): ImportFormat {
    const fallback: ImportFormat = isClassification(type) ? "jsonl" : "coco";
    const fits = (f: ImportFormat | null): ImportFormat =>
        f !== null && importFormatsFor(type).includes(f) ? f : fallback;
    switch (extensionOf(fileName)) {
        case "jsonl":
        case "ndjson":
            return "jsonl";
        case "zip":
            return isClassification(type) ? "mltable" : "coco";
        case "xml":
            return fits(head.includes("<annotations") ? "cvat" : "voc");
        case "csv":
            // Every task type reads Kaggle tables; only classification reads Azure's CSV.
            return isAzureCsv(head) && isClassification(type) ? "csv" : "kaggle-csv";
        case "txt":
            return fits("kaggle-txt");
        case "json":
            return fits(jsonFormat(head));
        default:
            return fallback;
    }
}
