// Draws shapes in image coordinates onto a 2D context already transformed by the viewport.
// Shapes of one label share one path, so 10,000 boxes cost a dozen fill/stroke calls.
import type { Ring } from "../geometry/polygon";
import type { Shape } from "../schema/shapes";

export function traceRings(path: Path2D | CanvasRenderingContext2D, rings: readonly Ring[]): void {
    for (const ring of rings) {
        ring.forEach((p, i) => {
            if (i === 0) {
                path.moveTo(p.x, p.y);
            } else {
                path.lineTo(p.x, p.y);
            }
        });
        path.closePath();
    }
}

export function paintShapes(
    ctx: CanvasRenderingContext2D,
    shapes: Iterable<Shape>,
    colorOf: (label: string) => string,
    lineWidth: number,
): void {
    // Boxes go through fillRect/strokeRect, which the rasteriser fast-paths; one big path of
    // thousands of rectangles is an order of magnitude slower to fill and stroke.
    const byColor = new Map<string, Shape[]>();
    for (const s of shapes) {
        if (s.geometry.kind === "mask") {
            continue;
        }
        const color = colorOf(s.label);
        const list = byColor.get(color);
        if (list === undefined) {
            byColor.set(color, [s]);
        } else {
            list.push(s);
        }
    }
    ctx.lineWidth = lineWidth;
    for (const [color, list] of byColor) {
        ctx.fillStyle = color;
        ctx.strokeStyle = color;
        const polygons = new Path2D();
        let hasPolygons = false;
        ctx.globalAlpha = 0.15;
        for (const s of list) {
            const g = s.geometry;
            if (g.kind === "box") {
                ctx.fillRect(g.box.x, g.box.y, g.box.w, g.box.h);
            } else if (g.kind === "polygon") {
                traceRings(polygons, g.rings);
                hasPolygons = true;
            }
        }
        if (hasPolygons) {
            ctx.fill(polygons, "evenodd");
        }
        ctx.globalAlpha = 1;
        for (const s of list) {
            const g = s.geometry;
            if (g.kind === "box") {
                ctx.strokeRect(g.box.x, g.box.y, g.box.w, g.box.h);
            }
        }
        if (hasPolygons) {
            ctx.stroke(polygons);
        }
    }
}

/** Above this many shapes on screen the names would be unreadable clutter (and slow). */
export const kMaxNamedShapes = 400;

/**
 * Writes each box's or polygon's label in its top-left corner, clipped to its bounds (a pan
 * repaints strips by shape bounds, so nothing may be drawn outside them). `scale` is screen
 * pixels per image pixel: the text stays 12 screen pixels high at any zoom.
 */
export function paintShapeNames(
    ctx: CanvasRenderingContext2D,
    shapes: readonly Shape[],
    colorOf: (label: string) => string,
    scale: number,
): void {
    if (shapes.length > kMaxNamedShapes) {
        return;
    }
    const px = 1 / scale;
    ctx.font = `${12 * px}px system-ui, sans-serif`;
    ctx.textBaseline = "top";
    for (const s of shapes) {
        const b = shapeBounds(s);
        // Too small on screen to hold a readable name.
        if (b === null || b.w * scale < 24 || b.h * scale < 14) {
            continue;
        }
        const width = Math.min(ctx.measureText(s.label).width + 6 * px, b.w);
        ctx.save();
        ctx.beginPath();
        ctx.rect(b.x, b.y, b.w, b.h);
        ctx.clip();
        ctx.fillStyle = colorOf(s.label);
        ctx.fillRect(b.x, b.y, width, 15 * px);
        ctx.fillStyle = "#fff";
        ctx.fillText(s.label, b.x + 3 * px, b.y + 1.5 * px);
        ctx.restore();
    }
}

function shapeBounds(s: Shape): { x: number; y: number; w: number; h: number } | null {
    const g = s.geometry;
    if (g.kind === "box") {
        return g.box;
    }
    if (g.kind !== "polygon") {
        return null;
    }
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const ring of g.rings) {
        for (const p of ring) {
            x0 = Math.min(x0, p.x);
            y0 = Math.min(y0, p.y);
            x1 = Math.max(x1, p.x);
            y1 = Math.max(y1, p.y);
        }
    }
    return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}
