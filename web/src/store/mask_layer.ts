// Semantic annotations keep one mask shape per label (id "mask:<label>"). Brush, eraser and fill
// edit a raster built from those shapes; committing turns the raster back into per-label runs
// and records only the labels whose runs changed, as one undoable change set.
import type { Size } from "../geometry/point";
import { MaskRaster, decodeRuns, encodeRuns } from "../geometry/mask";
import type { Shape } from "../schema/shapes";
import type { AnnotationDocument, Change } from "./annotation_document";

export function maskId(label: string): string {
    return `mask:${label}`;
}

/** Pixel value of a label: its index in `labels` plus one (0 means no label). */
export function rasterFromDocument(
    doc: AnnotationDocument,
    image: Size,
    labels: readonly string[],
): MaskRaster {
    const raster = new MaskRaster(image.width, image.height);
    for (const s of doc.shapes()) {
        const value = labels.indexOf(s.label) + 1;
        if (s.geometry.kind === "mask" && value > 0) {
            decodeRuns(raster, s.geometry.runs, value);
        }
    }
    return raster;
}

function sameRuns(a: readonly number[], b: readonly number[]): boolean {
    return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function maskChanges(
    doc: AnnotationDocument,
    raster: MaskRaster,
    labels: readonly string[],
): Change[] {
    const changes: Change[] = [];
    labels.forEach((label, i) => {
        const id = maskId(label);
        const before = doc.get(id) ?? null;
        const runs = encodeRuns(raster, i + 1);
        const old = before?.geometry.kind === "mask" ? before.geometry.runs : [];
        if (sameRuns(old, runs)) {
            return;
        }
        const after: Shape | null =
            runs.length === 0 ? null : { id, label, geometry: { kind: "mask", runs } };
        changes.push({ id, before, after });
    });
    return changes;
}
