// Semantic annotations keep one mask shape per label (id "mask:<label>"). Brush, eraser and fill
// edit a raster built from those shapes; committing turns the raster back into per-label runs
// and records only the labels whose runs changed, as one undoable change set. The raster of the
// document is built once per set of mask shapes and shared (read-only) by the tools and the
// stage; a tool edits a copy-on-write clone, which becomes the shared raster when committed.
import type { Size } from "../geometry/point";
import type { Runs } from "../geometry/mask";
import { MaskRaster, decodeRuns, encodeAllRuns, spliceRuns } from "../geometry/mask";
import type { Shape } from "../schema/shapes";
import type { AnnotationDocument, Change } from "./annotation_document";

export function maskId(label: string): string {
    return `mask:${label}`;
}

function maskShapes(doc: AnnotationDocument): Shape[] {
    return doc.shapes().filter((s) => s.geometry.kind === "mask");
}

/** Pixel value of a label: its index in `labels` plus one (0 means no label). */
export function rasterFromDocument(
    doc: AnnotationDocument,
    image: Size,
    labels: readonly string[],
): MaskRaster {
    const raster = new MaskRaster(image.width, image.height);
    for (const s of maskShapes(doc)) {
        const value = labels.indexOf(s.label) + 1;
        if (s.geometry.kind === "mask" && value > 0) {
            decodeRuns(raster, s.geometry.runs, value);
        }
    }
    return raster;
}

interface CachedRaster {
    /** The mask shapes the raster was built from; shapes are immutable, so identity suffices. */
    readonly shapes: readonly Shape[];
    readonly key: string;
    readonly raster: MaskRaster;
    /**
     * Each label's runs are exactly what the raster holds for it (one "mask:<label>" shape per
     * label, sorted disjoint runs, no overlaps): committing an edit of a clone may then re-encode
     * only the chunk rows the edit wrote and keep the other runs.
     */
    readonly exact: boolean;
}

const cache = new WeakMap<AnnotationDocument, CachedRaster>();

function cacheKey(image: Size, labels: readonly string[]): string {
    return JSON.stringify([image.width, image.height, labels]);
}

function sameShapes(a: readonly Shape[], b: readonly Shape[]): boolean {
    return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * The document's class raster, rebuilt only when its mask shapes change (selection, boxes or
 * hiding do not). Shared: never write to it; `clone()` it and write to the clone.
 */
export function documentRaster(
    doc: AnnotationDocument,
    image: Size,
    labels: readonly string[],
): MaskRaster {
    const shapes = maskShapes(doc);
    const key = cacheKey(image, labels);
    const hit = cache.get(doc);
    if (hit !== undefined && hit.key === key && sameShapes(hit.shapes, shapes)) {
        return hit.raster;
    }
    const raster = rasterFromDocument(doc, image, labels);
    cache.set(doc, { shapes, key, raster, exact: isExact(shapes, raster, labels) });
    return raster;
}

/** Whether `shapes` hold exactly the raster's pixels per label (see CachedRaster.exact). */
function isExact(shapes: readonly Shape[], raster: MaskRaster, labels: readonly string[]): boolean {
    const encoded = encodeAllRuns(raster);
    if (shapes.length !== encoded.size) {
        return false;
    }
    return shapes.every((s) => {
        const runs = encoded.get(labels.indexOf(s.label) + 1);
        return (
            s.id === maskId(s.label) &&
            s.geometry.kind === "mask" &&
            runs !== undefined &&
            sameRuns(s.geometry.runs, runs)
        );
    });
}

/**
 * Every label's runs after the edit. When the document's cached raster is exact and `raster`
 * has its size (normally a clone of it), only the chunk rows whose chunks differ are encoded
 * again; otherwise the whole raster is.
 */
function editedRuns(
    doc: AnnotationDocument,
    raster: MaskRaster,
    labels: readonly string[],
): Map<number, number[]> {
    const hit = cache.get(doc);
    const base = hit?.raster;
    if (
        hit === undefined ||
        base === undefined ||
        !hit.exact ||
        base.width !== raster.width ||
        base.height !== raster.height ||
        hit.key !== cacheKey(raster, labels) ||
        !sameShapes(hit.shapes, maskShapes(doc))
    ) {
        return encodeAllRuns(raster);
    }
    const old = new Map<number, Runs>();
    for (const s of hit.shapes) {
        if (s.geometry.kind === "mask") {
            old.set(labels.indexOf(s.label) + 1, s.geometry.runs);
        }
    }
    return spliceRuns(raster, old, raster.changedChunkRows(base));
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
    const all = editedRuns(doc, raster, labels);
    labels.forEach((label, i) => {
        const id = maskId(label);
        const before = doc.get(id) ?? null;
        const runs = all.get(i + 1) ?? [];
        const old = before?.geometry.kind === "mask" ? before.geometry.runs : [];
        if (sameRuns(old, runs)) {
            return;
        }
        const after: Shape | null =
            runs.length === 0 ? null : { id, label, geometry: { kind: "mask", runs } };
        changes.push({ id, before, after });
    });
    if (changes.length > 0) {
        // A mask stored under another id (the server keeps the id of a label's first shape, e.g.
        // a polygon it merged) is folded into "mask:<label>": left in place, pixels erased from
        // the raster would come back from it.
        for (const s of maskShapes(doc)) {
            if (s.id !== maskId(s.label) && labels.includes(s.label)) {
                changes.push({ id: s.id, before: s, after: null });
            }
        }
    }
    return changes;
}

/**
 * Applies an edited raster to the document as one local change set and keeps the raster as the
 * document's shared one (it holds exactly the new runs), so the next stroke and the stage's
 * repaint start from it instead of decoding every label again. Returns whether anything changed.
 */
export function commitRaster(
    doc: AnnotationDocument,
    image: Size,
    raster: MaskRaster,
    labels: readonly string[],
): boolean {
    const changes = maskChanges(doc, raster, labels);
    if (changes.length === 0) {
        return false;
    }
    doc.apply(changes);
    // Every label's runs now come from this raster, one "mask:<label>" shape each; only masks
    // of labels outside `labels` (which the raster does not show) can make it inexact.
    const shapes = maskShapes(doc);
    const exact = shapes.every((s) => s.id === maskId(s.label) && labels.includes(s.label));
    cache.set(doc, { shapes, key: cacheKey(image, labels), raster, exact });
    return true;
}
