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
