import { describe, expect, it } from "vitest";

import { kImportFormats } from "./api";
import type { ImportOptions } from "./import_options";
import {
    importOptionsOf,
    importOptionsProblem,
    importQuery,
    isRequiredOption,
    kDefaultImportOptions,
} from "./import_options";

const opts = (o: Partial<ImportOptions>): ImportOptions => ({ ...kDefaultImportOptions, ...o });
const labels = ["Cat", "Dog", "Animal/Bird"];

describe("importOptionsOf", () => {
    it("lists the options each format reads and nothing for the others", () => {
        expect(importOptionsOf("coco")).toEqual(["coordinates"]);
        expect(importOptionsOf("voc")).toEqual(["vocConvention"]);
        expect(importOptionsOf("kaggle-csv")).toEqual([
            "imageColumn",
            "labelColumn",
            "boxes",
            "label",
        ]);
        expect(importOptionsOf("kaggle-txt")).toEqual(["boxes", "label"]);
        expect(importOptionsOf("segment-anything")).toEqual(["label"]);
        for (const f of ["coco-azure", "jsonl", "yolo", "cvat", "masks", "csv"] as const) {
            expect(importOptionsOf(f)).toEqual([]);
        }
    });

    it("marks only Segment Anything's label as required", () => {
        const required = kImportFormats.flatMap((f) =>
            importOptionsOf(f)
                .filter((o) => isRequiredOption(f, o))
                .map((o) => `${f}:${o}`),
        );
        expect(required).toEqual(["segment-anything:label"]);
    });
});

describe("importQuery", () => {
    it("sends format, mode and filename, and no option left at its default", () => {
        const q = importQuery({ format: "coco", mode: "prelabel", fileName: "a b.json" });
        expect(q.toString()).toBe("format=coco&mode=prelabel&filename=a+b.json");
        expect(
            importQuery({
                format: "kaggle-csv",
                mode: "final",
                fileName: "",
                options: kDefaultImportOptions,
            }).toString(),
        ).toBe("format=kaggle-csv&mode=final");
    });

    it("sends the options the format reads, trimmed", () => {
        const all = opts({
            coordinates: "normalized",
            vocConvention: "devkit",
            imageColumn: " file ",
            labelColumn: "class",
            boxes: "size",
            label: "Animal/Bird",
        });
        const query = (format: "coco" | "voc" | "kaggle-csv" | "kaggle-txt" | "segment-anything") =>
            importQuery({ format, mode: "prelabel", fileName: "", options: all }).toString();
        expect(query("coco")).toBe("format=coco&mode=prelabel&coordinates=normalized");
        expect(query("voc")).toBe("format=voc&mode=prelabel&voc_convention=devkit");
        expect(query("kaggle-csv")).toBe(
            "format=kaggle-csv&mode=prelabel&image_column=file&label_column=class&boxes=size" +
                "&label=Animal%2FBird",
        );
        expect(query("kaggle-txt")).toBe(
            "format=kaggle-txt&mode=prelabel&boxes=size&label=Animal%2FBird",
        );
        expect(query("segment-anything")).toBe(
            "format=segment-anything&mode=prelabel&label=Animal%2FBird",
        );
    });

    it("leaves out options of other formats (a COCO upload never sends label=)", () => {
        const q = importQuery({
            format: "jsonl",
            mode: "final",
            fileName: "x.jsonl",
            options: opts({ label: "Cat", coordinates: "pixel", boxes: "corners" }),
        });
        expect(q.toString()).toBe("format=jsonl&mode=final&filename=x.jsonl");
    });
});

describe("importOptionsProblem", () => {
    it("requires a label for Segment Anything", () => {
        expect(importOptionsProblem("segment-anything", kDefaultImportOptions, labels)).toEqual({
            option: "label",
            message: "Segment Anything masks have no class: choose the label they all get.",
        });
        expect(importOptionsProblem("segment-anything", opts({ label: "Dog" }), labels)).toBeNull();
        // Kaggle's label= is optional.
        expect(importOptionsProblem("kaggle-txt", kDefaultImportOptions, labels)).toBeNull();
    });

    it("refuses a label the project does not have", () => {
        expect(importOptionsProblem("kaggle-csv", opts({ label: "Bird" }), labels)?.message).toBe(
            '"Bird" is not a label of this project.',
        );
        // A format that does not read label= does not care.
        expect(importOptionsProblem("coco", opts({ label: "Bird" }), labels)).toBeNull();
    });

    it("checks the Kaggle column names", () => {
        const check = (o: Partial<ImportOptions>) =>
            importOptionsProblem("kaggle-csv", opts(o), labels);
        expect(check({ imageColumn: "file", labelColumn: "class" })).toBeNull();
        expect(check({ imageColumn: "File", labelColumn: " file " })).toEqual({
            option: "labelColumn",
            message: "The image and label columns must be different columns.",
        });
        expect(check({ imageColumn: "a\tb" })?.option).toBe("imageColumn");
        expect(check({ labelColumn: "x".repeat(256) })?.message).toBe(
            "The label column name is longer than 255 characters.",
        );
        expect(check({ labelColumn: "x".repeat(255) })).toBeNull();
    });
});
