import { describe, expect, it } from "vitest";

import type { DicomMetadata } from "../../../schema/api";
import {
    dicomImageUrl,
    dragScale,
    dragWindow,
    isDicom,
    kDefaultDicomView,
    metadataRows,
    stepFrame,
    windowText,
} from "./dicom_view";

const meta: DicomMetadata = {
    rows: 512,
    columns: 256,
    frames: 3,
    samples_per_pixel: 1,
    bits_allocated: 16,
    bits_stored: 12,
    signed: false,
    photometric: "MONOCHROME2",
    monochrome: true,
    transfer_syntax: { uid: "1.2.840.10008.1.2.4.80", name: "JPEG-LS Lossless" },
    modality: "CT",
    study_description: "Chest",
    series_description: "",
    pixel_spacing: [0.5, 0.25],
    rescale: { slope: 1, intercept: -1024, type: "HU" },
    default_window: { center: 40, width: 400 },
    window_source: "file",
};

describe("dicom view", () => {
    it("knows DICOM items by their format", () => {
        expect(isDicom({ format: "dicom" })).toBe(true);
        expect(isDicom({ format: "jpeg" })).toBe(false);
        expect(isDicom({})).toBe(false);
    });

    it("adds only non-default frame and window to the image URL", () => {
        const url = "/api/v1/projects/1/items/2/image";
        expect(dicomImageUrl(url, kDefaultDicomView)).toBe(url);
        expect(dicomImageUrl(url, { frame: 2, window: null })).toBe(`${url}?frame=2`);
        expect(dicomImageUrl(url, { frame: 0, window: { center: -500, width: 1500.5 } })).toBe(
            `${url}?wc=-500&ww=1500.5`,
        );
        expect(dicomImageUrl(`${url}?x=1`, { frame: 1, window: null })).toBe(`${url}?x=1&frame=1`);
    });

    it("drags horizontally for width and vertically for centre, width at least 1", () => {
        const start = { center: 40, width: 400 };
        expect(dragWindow(start, 10, 0, 2)).toEqual({ center: 40, width: 420 });
        expect(dragWindow(start, 0, -5, 2)).toEqual({ center: 30, width: 400 });
        expect(dragWindow(start, -1000, 0, 2)).toEqual({ center: 40, width: 1 });
    });

    it("scales a drag across the image to the default window's width", () => {
        expect(dragScale(meta)).toBeCloseTo(400 / 512);
        expect(dragScale({ ...meta, default_window: null })).toBeCloseTo(4096 / 512);
    });

    it("keeps frames within the file", () => {
        expect(stepFrame(0, -1, 3)).toBe(0);
        expect(stepFrame(1, 1, 3)).toBe(2);
        expect(stepFrame(2, 1, 3)).toBe(2);
        expect(stepFrame(0, 1, 1)).toBe(0);
    });

    it("says which window is shown", () => {
        expect(windowText(kDefaultDicomView, meta)).toBe("C 40 / W 400 (from the file)");
        expect(windowText({ frame: 0, window: { center: -600, width: 1500.25 } }, meta)).toBe(
            "C -600 / W 1500.3",
        );
        expect(
            windowText(kDefaultDicomView, {
                ...meta,
                default_window: null,
                window_source: "voi_lut",
            }),
        ).toBe("VOI LUT (from the file)");
    });

    it("lists the metadata without empty values", () => {
        const rows = Object.fromEntries(metadataRows(meta));
        expect(rows.Modality).toBe("CT");
        expect(rows.Series).toBeUndefined();
        expect(rows.Size).toBe("256 × 512");
        expect(rows["Pixel spacing"]).toBe("0.5 × 0.25 mm");
        expect(rows.Rescale).toBe("× 1 + -1024 HU");
        expect(rows["Transfer syntax"]).toBe("JPEG-LS Lossless");
    });
});
