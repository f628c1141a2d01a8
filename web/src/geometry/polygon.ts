// Polygons as one or more implicitly closed rings; inside is decided by the even-odd rule over
// all rings together (so a ring inside another is a hole), as on the server.
import type { Box } from "./box";
import type { ImagePoint, Size } from "./point";
import { imagePoint } from "./point";

export type Ring = readonly ImagePoint[];

/** Absolute area by the shoelace formula. */
export function ringArea(ring: Ring): number {
    let twice = 0;
    for (let i = 0; i < ring.length; i++) {
        const a = ring[i];
        const b = ring[(i + 1) % ring.length];
        if (a !== undefined && b !== undefined) {
            twice += a.x * b.y - b.x * a.y;
        }
    }
    return Math.abs(twice) / 2;
}

/** Even-odd crossing count of a ray to +x; the half-open rule counts shared vertices once. */
export function pointInRings(rings: readonly Ring[], p: ImagePoint): boolean {
    let inside = false;
    for (const ring of rings) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
            const a = ring[i];
            const b = ring[j];
            if (a === undefined || b === undefined) {
                continue;
            }
            if (a.y > p.y !== b.y > p.y) {
                const x = a.x + ((p.y - a.y) * (b.x - a.x)) / (b.y - a.y);
                if (p.x < x) {
                    inside = !inside;
                }
            }
        }
    }
    return inside;
}

export function ringsBounds(rings: readonly Ring[]): Box {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const ring of rings) {
        for (const p of ring) {
            x0 = Math.min(x0, p.x);
            y0 = Math.min(y0, p.y);
            x1 = Math.max(x1, p.x);
            y1 = Math.max(y1, p.y);
        }
    }
    if (x0 > x1) {
        return { x: 0, y: 0, w: 0, h: 0 };
    }
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export function distanceToSegment(p: ImagePoint, a: ImagePoint, b: ImagePoint): number {
    return Math.hypot(p.x - closestOnSegment(p, a, b).x, p.y - closestOnSegment(p, a, b).y);
}

export function closestOnSegment(p: ImagePoint, a: ImagePoint, b: ImagePoint): ImagePoint {
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    const t =
        len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
    return imagePoint(a.x + t * dx, a.y + t * dy);
}

export interface VertexRef {
    readonly ring: number;
    readonly index: number;
}

/** The closest vertex within `tolerance`, if any. */
export function vertexAt(
    rings: readonly Ring[],
    p: ImagePoint,
    tolerance: number,
): VertexRef | null {
    let best: VertexRef | null = null;
    let bestD = tolerance;
    rings.forEach((ring, r) => {
        ring.forEach((v, i) => {
            const d = Math.hypot(v.x - p.x, v.y - p.y);
            if (d <= bestD) {
                bestD = d;
                best = { ring: r, index: i };
            }
        });
    });
    return best;
}

/** The closest edge within `tolerance`: `index` is its first vertex, `point` the foot on it. */
export function edgeAt(
    rings: readonly Ring[],
    p: ImagePoint,
    tolerance: number,
): (VertexRef & { readonly point: ImagePoint }) | null {
    let best: (VertexRef & { point: ImagePoint }) | null = null;
    let bestD = tolerance;
    rings.forEach((ring, r) => {
        for (let i = 0; i < ring.length; i++) {
            const a = ring[i];
            const b = ring[(i + 1) % ring.length];
            if (a === undefined || b === undefined) {
                continue;
            }
            const q = closestOnSegment(p, a, b);
            const d = Math.hypot(q.x - p.x, q.y - p.y);
            if (d <= bestD) {
                bestD = d;
                best = { ring: r, index: i, point: q };
            }
        }
    });
    return best;
}

export function translateRings(rings: readonly Ring[], dx: number, dy: number): Ring[] {
    return rings.map((ring) => ring.map((p) => imagePoint(p.x + dx, p.y + dy)));
}

export function replaceVertex(rings: readonly Ring[], v: VertexRef, p: ImagePoint): Ring[] {
    return rings.map((ring, r) =>
        r === v.ring ? ring.map((q, i) => (i === v.index ? p : q)) : ring,
    );
}

/** Inserts `p` after vertex `v.index`, i.e. on the edge that starts there. */
export function insertVertex(rings: readonly Ring[], v: VertexRef, p: ImagePoint): Ring[] {
    return rings.map((ring, r) =>
        r === v.ring ? [...ring.slice(0, v.index + 1), p, ...ring.slice(v.index + 1)] : ring,
    );
}

/** Removes a vertex; a ring left with fewer than three points is dropped entirely. */
export function removeVertex(rings: readonly Ring[], v: VertexRef): Ring[] {
    return rings
        .map((ring, r) => (r === v.ring ? ring.filter((_, i) => i !== v.index) : ring))
        .filter((ring) => ring.length >= 3);
}

export function clampRings(rings: readonly Ring[], image: Size): Ring[] {
    const cx = (v: number, max: number): number => Math.min(max, Math.max(0, v));
    return rings.map((ring) =>
        ring.map((p) => imagePoint(cx(p.x, image.width), cx(p.y, image.height))),
    );
}

/** At least three distinct points and non-zero area: what the server accepts. */
export function isValidRing(ring: Ring): boolean {
    const distinct = new Set(ring.map((p) => `${p.x},${p.y}`));
    return distinct.size >= 3 && ringArea(ring) > 0;
}
