import { describe, expect, it } from "vitest";

import { detectImportFormat, importFormatsFor } from "./import_format";

describe("detectImportFormat", () => {
    it("reads JSON files by their keys", () => {
        const coco = '{"images": [{"id": 1}], "annotations": [], "categories": []}';
        expect(detectImportFormat("boxes.json", coco, "bbox")).toBe("coco");
        expect(
            detectImportFormat("pano.json", '{"annotations": [{"segments_info": []}]}', "semantic"),
        ).toBe("coco-panoptic");
        expect(
            detectImportFormat("a.json", '{"shapes": [], "imagePath": "a.jpg"}', "polygon"),
        ).toBe("labelme");
        expect(
            detectImportFormat("c.json", '[{"image": "a.jpg", "annotations": []}]', "bbox"),
        ).toBe("createml");
        expect(
            detectImportFormat("sa_1.json", '{"image": {}, "annotations": []}', "semantic"),
        ).toBe("segment-anything");
    });

    it("uses extensions and keeps to the formats of the task type", () => {
        expect(detectImportFormat("lines.jsonl", "", "multiclass")).toBe("jsonl");
        expect(detectImportFormat("set.zip", "", "multiclass")).toBe("mltable");
        expect(detectImportFormat("set.zip", "", "bbox")).toBe("coco");
        expect(detectImportFormat("task.xml", "<annotations><image>", "bbox")).toBe("cvat");
        expect(detectImportFormat("a.xml", "<annotation><filename>", "bbox")).toBe("voc");
        expect(detectImportFormat("labels.csv", "Url,Label\n", "multilabel")).toBe("csv");
        expect(detectImportFormat("boxes.csv", "image,x,y,w,h\n", "bbox")).toBe("kaggle-csv");
        // A COCO file offered to a classification project falls back to what fits.
        expect(detectImportFormat("boxes.json", '{"images": []}', "multiclass")).toBe("jsonl");
        expect(detectImportFormat("what.bin", "", "polygon")).toBe("coco");
    });

    it("offers classification formats to classification projects only", () => {
        expect(importFormatsFor("multiclass")).toEqual(["jsonl", "mltable", "csv"]);
        expect(importFormatsFor("bbox")).not.toContain("csv");
        expect(importFormatsFor("bbox")).toContain("yolo");
    });
});
