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

    it("tells Datumaro's JSON from COCO by its version key or its categories object", () => {
        const current = '{"dm_format_version": "1.0", "infos": {}, "categories": {"label": {';
        expect(detectImportFormat("default.json", current, "polygon")).toBe("datumaro");
        const legacy = '{"info": {}, "categories": {"label": {"labels": [{"name": "cat"';
        expect(detectImportFormat("train.json", legacy, "multiclass")).toBe("datumaro");
        const coco = '{"info": {}, "categories": [{"id": 1, "name": "cat"}], "images": [';
        expect(detectImportFormat("instances.json", coco, "bbox")).toBe("coco");
    });

    it("uses extensions and keeps to the formats of the task type", () => {
        expect(detectImportFormat("lines.jsonl", "", "multiclass")).toBe("jsonl");
        expect(detectImportFormat("set.zip", "", "multiclass")).toBe("mltable");
        expect(detectImportFormat("set.zip", "", "bbox")).toBe("coco");
        expect(detectImportFormat("task.xml", "<annotations><image>", "bbox")).toBe("cvat");
        expect(detectImportFormat("a.xml", "<annotation><filename>", "bbox")).toBe("voc");
        expect(detectImportFormat("labels.csv", "Url,Label\n", "multilabel")).toBe("csv");
        expect(
            detectImportFormat("export.csv", '"image_url","label","labeler"\n', "multiclass"),
        ).toBe("csv");
        // Kaggle's classification tables are Kaggle CSV, in any project.
        expect(detectImportFormat("train.csv", "image_name,label\n", "multiclass")).toBe(
            "kaggle-csv",
        );
        // An Azure CSV offered to a box project: the table reader, not COCO.
        expect(detectImportFormat("labels.csv", "Url,Label\n", "bbox")).toBe("kaggle-csv");
        expect(detectImportFormat("tags.txt", "1.jpg dog\n", "multilabel")).toBe("kaggle-txt");
        expect(detectImportFormat("boxes.csv", "image,x,y,w,h\n", "bbox")).toBe("kaggle-csv");
        // Azure's classification COCO goes to classification projects; what does not fit falls
        // back to the task type's default.
        expect(detectImportFormat("labels.json", '{"images": []}', "multiclass")).toBe("coco");
        expect(detectImportFormat("pano.json", '{"segments_info": []}', "multiclass")).toBe(
            "jsonl",
        );
        expect(detectImportFormat("what.bin", "", "polygon")).toBe("coco");
    });

    it("offers the formats the server reads into the task type", () => {
        expect(importFormatsFor("multiclass")).toEqual([
            "jsonl",
            "mltable",
            "csv",
            "coco",
            "coco-azure",
            "kaggle-csv",
            "kaggle-txt",
            "label-studio",
            "datumaro",
        ]);
        expect(importFormatsFor("bbox")).not.toContain("csv");
        expect(importFormatsFor("bbox")).toContain("yolo");
        expect(importFormatsFor("polygon")).toContain("label-studio");
    });

    it("tells Label Studio exports from Create ML and Segment Anything", () => {
        const tasks =
            '[{"id": 1, "data": {"image": "/data/upload/1/ab12cd34-a.jpg"}, "annotations": [';
        expect(detectImportFormat("project-1.json", tasks, "bbox")).toBe("label-studio");
        const predicted = '{"data": {"image": "s3://b/a.jpg"}, "predictions": [';
        expect(detectImportFormat("task.json", predicted, "multiclass")).toBe("label-studio");
        const min = '[{"image": "/data/a.jpg", "id": 3, "annotation_id": 7, "choice": "Cat"}]';
        expect(detectImportFormat("min.json", min, "multiclass")).toBe("label-studio");
        expect(
            detectImportFormat("c.json", '[{"image": "a.jpg", "annotations": []}]', "bbox"),
        ).toBe("createml");
    });
});
