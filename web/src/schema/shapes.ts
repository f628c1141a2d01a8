// Shapes drawn on an image (server/src/domain/shapes.hpp is the contract). The wire form uses
// [x, y] arrays; inside the UI, polygon rings are ImagePoint arrays so the geometry is typed.
import type { Box } from "../geometry/box";
import type { Ring } from "../geometry/polygon";
import { imagePoint } from "../geometry/point";

export type ApiShape =
    | ({ type: "box"; x: number; y: number; w: number; h: number } & ApiShapeCommon)
    | ({ type: "polygon"; points?: number[][]; rings?: number[][][] } & ApiShapeCommon)
    | ({ type: "mask"; rle: number[] } & ApiShapeCommon);

interface ApiShapeCommon {
    label: string;
    id?: string;
    confidence?: number;
}

export type Geometry =
    | { readonly kind: "box"; readonly box: Box }
    | { readonly kind: "polygon"; readonly rings: readonly Ring[] }
    | { readonly kind: "mask"; readonly runs: readonly number[] };

export interface Shape {
    readonly id: string;
    readonly label: string;
    readonly geometry: Geometry;
    readonly confidence?: number;
}

export function shapeToApi(s: Shape): ApiShape {
    const common: ApiShapeCommon = { label: s.label, id: s.id };
    if (s.confidence !== undefined) {
        common.confidence = s.confidence;
    }
    const g = s.geometry;
    switch (g.kind) {
        case "box":
            return { ...common, type: "box", x: g.box.x, y: g.box.y, w: g.box.w, h: g.box.h };
        case "polygon": {
            const rings = g.rings.map((r) => r.map((p) => [p.x, p.y]));
            return rings.length === 1
                ? { ...common, type: "polygon", points: rings[0] ?? [] }
                : { ...common, type: "polygon", rings };
        }
        case "mask":
            return { ...common, type: "mask", rle: [...g.runs] };
    }
}

function isFiniteNumber(v: unknown): v is number {
    return typeof v === "number" && Number.isFinite(v);
}

function parseRing(v: unknown): Ring | null {
    if (!Array.isArray(v)) {
        return null;
    }
    const ring = [];
    for (const p of v as unknown[]) {
        if (!Array.isArray(p) || !isFiniteNumber(p[0]) || !isFiniteNumber(p[1])) {
            return null;
        }
        ring.push(imagePoint(p[0], p[1]));
    }
    return ring;
}

/**
 * Reads one shape of a server answer or a stored draft; anything malformed is null (skipped by
 * the caller), never a throw. Shapes without an id get `fallbackId`.
 */
export function shapeFromApi(v: unknown, fallbackId: string): Shape | null {
    if (typeof v !== "object" || v === null) {
        return null;
    }
    const o = v as Record<string, unknown>;
    if (typeof o["label"] !== "string") {
        return null;
    }
    const id = typeof o["id"] === "string" && o["id"] !== "" ? o["id"] : fallbackId;
    const base = { id, label: o["label"] };
    const conf = isFiniteNumber(o["confidence"]) ? { confidence: o["confidence"] } : {};
    if (o["type"] === "box") {
        const { x, y, w, h } = o;
        if (isFiniteNumber(x) && isFiniteNumber(y) && isFiniteNumber(w) && isFiniteNumber(h)) {
            return { ...base, ...conf, geometry: { kind: "box", box: { x, y, w, h } } };
        }
        return null;
    }
    if (o["type"] === "polygon") {
        const raw = Array.isArray(o["rings"]) ? (o["rings"] as unknown[]) : [o["points"]];
        const rings: Ring[] = [];
        for (const r of raw) {
            const ring = parseRing(r);
            if (ring === null) {
                return null;
            }
            rings.push(ring);
        }
        return { ...base, ...conf, geometry: { kind: "polygon", rings } };
    }
    if (o["type"] === "mask" && Array.isArray(o["rle"])) {
        const runs = o["rle"] as unknown[];
        if (!runs.every((n) => isFiniteNumber(n) && n >= 0)) {
            return null;
        }
        return { ...base, ...conf, geometry: { kind: "mask", runs: runs as number[] } };
    }
    return null;
}

export function shapesFromApi(v: unknown, idPrefix: string): Shape[] {
    if (!Array.isArray(v)) {
        return [];
    }
    const out: Shape[] = [];
    (v as unknown[]).forEach((s, i) => {
        const shape = shapeFromApi(s, `${idPrefix}${i}`);
        if (shape !== null) {
            out.push(shape);
        }
    });
    return out;
}
