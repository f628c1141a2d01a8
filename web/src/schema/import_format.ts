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
};

const kClassificationFormats: readonly ImportFormat[] = ["jsonl", "mltable", "csv"];

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

function jsonFormat(head: string): ImportFormat | null {
    if (head.includes('"segments_info"')) {
        return "coco-panoptic";
    }
    if (head.includes('"imagePath"')) {
        return "labelme";
    }
    if (head.trimStart().startsWith("[") && head.includes('"image"')) {
        return "createml";
    }
    if (head.includes('"images"') || head.includes('"categories"')) {
        return "coco";
    }
    if (head.includes('"image"') && head.includes('"annotations"')) {
        return "segment-anything";
    }
    return null;
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
        case "csv": {
            const header = (head.split(/\r?\n/)[0] ?? "").toLowerCase();
            const azure = /\burl\b/.test(header) && /\blabel\b/.test(header);
            return isClassification(type) || azure ? fits("csv") : "kaggle-csv";
        }
        case "txt":
            return fits("kaggle-txt");
        case "json":
            return fits(jsonFormat(head));
        default:
            return fallback;
    }
}
