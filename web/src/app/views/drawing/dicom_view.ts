// What a DICOM item shows: its frame and window (centre/width in rescaled units such as HU). The
// server renders each view (docs/design/dicom.md); this module only computes views and their URLs.
import type { DicomMetadata, DicomWindow, Item } from "../../../schema/api";

export interface DicomView {
    readonly frame: number;
    /** Null: the server's default window (the file's, its VOI LUT, or the frame's range). */
    readonly window: DicomWindow | null;
}

export const kDefaultDicomView: DicomView = { frame: 0, window: null };

export function isDicom(item: Pick<Item, "format">): boolean {
    return item.format === "dicom";
}

/** Drag sensitivity: a drag across the whole image spans the default window's width. */
export function dragScale(meta: DicomMetadata): number {
    const w = meta.default_window?.width ?? 1 << meta.bits_stored;
    return Math.max(w, 2) / Math.max(meta.columns, meta.rows, 1);
}

/**
 * The window after dragging (dx, dy) image pixels from `start`: right widens, left narrows
 * (horizontal = width); down raises the centre, up lowers it (vertical = centre), as in most
 * PACS viewers. Width stays at least 1, as DICOM requires.
 */
export function dragWindow(start: DicomWindow, dx: number, dy: number, scale: number): DicomWindow {
    return {
        center: round2(start.center + dy * scale),
        width: Math.max(1, round2(start.width + dx * scale)),
    };
}

function round2(v: number): number {
    return Math.round(v * 100) / 100;
}

/** The frame after stepping by `delta`, kept within the file's frames. */
export function stepFrame(frame: number, delta: number, frames: number): number {
    return Math.min(Math.max(frame + delta, 0), Math.max(frames - 1, 0));
}

/** The image URL of `view`: the item's own URL with frame, wc and ww added where not default. */
export function dicomImageUrl(imageUrl: string, view: DicomView): string {
    const params = new URLSearchParams();
    if (view.frame !== 0) {
        params.set("frame", String(view.frame));
    }
    if (view.window !== null) {
        params.set("wc", String(view.window.center));
        params.set("ww", String(view.window.width));
    }
    const q = params.toString();
    if (q === "") {
        return imageUrl;
    }
    return imageUrl + (imageUrl.includes("?") ? "&" : "?") + q;
}

/** "C 40 / W 400" for the window shown, or the default's source when none was chosen. */
export function windowText(view: DicomView, meta: DicomMetadata): string {
    const w = view.window ?? meta.default_window;
    if (w === null) {
        return meta.window_source === "voi_lut" ? "VOI LUT (from the file)" : "—";
    }
    const from = view.window === null ? ` (${sourceName(meta.window_source)})` : "";
    return `C ${fmt(w.center)} / W ${fmt(w.width)}${from}`;
}

function sourceName(s: DicomMetadata["window_source"]): string {
    switch (s) {
        case "file":
            return "from the file";
        case "voi_lut":
            return "VOI LUT";
        case "min_max":
            return "full range";
        case "none":
            return "none";
    }
}

function fmt(v: number): string {
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** The metadata panel's rows, in reading order; absent values are left out. */
export function metadataRows(m: DicomMetadata): [string, string][] {
    const rows: [string, string][] = [
        ["Modality", m.modality],
        ["Study", m.study_description],
        ["Series", m.series_description],
        ["Size", `${m.columns} × ${m.rows}`],
        ["Frames", String(m.frames)],
        ["Bits", `${m.bits_stored} of ${m.bits_allocated}${m.signed ? ", signed" : ""}`],
        ["Photometric", m.photometric],
        ["Transfer syntax", m.transfer_syntax.name],
        [
            "Pixel spacing",
            m.pixel_spacing === null ? "" : `${m.pixel_spacing[0]} × ${m.pixel_spacing[1]} mm`,
        ],
        [
            "Rescale",
            m.rescale.slope === 1 && m.rescale.intercept === 0
                ? ""
                : `× ${m.rescale.slope} + ${m.rescale.intercept}${m.rescale.type === "" ? "" : ` ${m.rescale.type}`}`,
        ],
    ];
    return rows.filter(([, v]) => v !== "");
}
