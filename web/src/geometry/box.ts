// Axis-aligned boxes in image pixels, and the handles the move tool grabs them by.
import type { ImagePoint, Size } from "./point";
import { imagePoint } from "./point";

export interface Box {
    readonly x: number;
    readonly y: number;
    readonly w: number;
    readonly h: number;
}

/** The box spanned by two opposite corners, whichever way the drag went. */
export function boxFromCorners(a: ImagePoint, b: ImagePoint): Box {
    return {
        x: Math.min(a.x, b.x),
        y: Math.min(a.y, b.y),
        w: Math.abs(a.x - b.x),
        h: Math.abs(a.y - b.y),
    };
}

export function boxArea(b: Box): number {
    return b.w * b.h;
}

/** Clipped to the image; a box entirely outside ends up with zero area. */
export function clampBox(b: Box, image: Size): Box {
    const x0 = Math.min(image.width, Math.max(0, b.x));
    const y0 = Math.min(image.height, Math.max(0, b.y));
    const x1 = Math.min(image.width, Math.max(0, b.x + b.w));
    const y1 = Math.min(image.height, Math.max(0, b.y + b.h));
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export function boxContains(b: Box, p: ImagePoint, tolerance = 0): boolean {
    return (
        p.x >= b.x - tolerance &&
        p.x <= b.x + b.w + tolerance &&
        p.y >= b.y - tolerance &&
        p.y <= b.y + b.h + tolerance
    );
}

export function boxesIntersect(a: Box, b: Box): boolean {
    return a.x <= b.x + b.w && b.x <= a.x + a.w && a.y <= b.y + b.h && b.y <= a.y + a.h;
}

export function translateBox(b: Box, dx: number, dy: number): Box {
    return { x: b.x + dx, y: b.y + dy, w: b.w, h: b.h };
}

/** Compass names of the eight resize handles, plus the body (move). */
export type BoxHandle = "nw" | "n" | "ne" | "e" | "se" | "s" | "sw" | "w" | "body";

/** Corners win over edges, edges over the body, so small boxes stay resizable. */
export function boxHandleAt(b: Box, p: ImagePoint, tolerance: number): BoxHandle | null {
    if (!boxContains(b, p, tolerance)) {
        return null;
    }
    const nearL = Math.abs(p.x - b.x) <= tolerance;
    const nearR = Math.abs(p.x - (b.x + b.w)) <= tolerance;
    const nearT = Math.abs(p.y - b.y) <= tolerance;
    const nearB = Math.abs(p.y - (b.y + b.h)) <= tolerance;
    const v = nearT ? "n" : nearB ? "s" : "";
    const hz = nearL ? "w" : nearR ? "e" : "";
    const name = `${v}${hz}`;
    return name === "" ? "body" : (name as BoxHandle);
}

/** Moves the grabbed edges (or the whole box) by the drag; flips cleanly past the other side. */
export function dragBox(b: Box, handle: BoxHandle, dx: number, dy: number): Box {
    if (handle === "body") {
        return translateBox(b, dx, dy);
    }
    let x0 = b.x;
    let y0 = b.y;
    let x1 = b.x + b.w;
    let y1 = b.y + b.h;
    if (handle.includes("w")) {
        x0 += dx;
    }
    if (handle.includes("e")) {
        x1 += dx;
    }
    if (handle.includes("n")) {
        y0 += dy;
    }
    if (handle.includes("s")) {
        y1 += dy;
    }
    return boxFromCorners(imagePoint(x0, y0), imagePoint(x1, y1));
}

export function boxCenter(b: Box): ImagePoint {
    return imagePoint(b.x + b.w / 2, b.y + b.h / 2);
}
