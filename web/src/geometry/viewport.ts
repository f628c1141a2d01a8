// Maps between image pixels and screen pixels for an image drawn scaled and offset inside a
// viewport. Classification only needs "contain" fitting; the drawing tools will add pan/zoom.
import type { ImagePoint, ScreenPoint, Size } from "./point";
import { imagePoint, screenPoint } from "./point";

export interface Viewport {
    /** Screen pixels per image pixel. */
    readonly scale: number;
    /** Where the image's top-left corner lands on screen. */
    readonly offset: ScreenPoint;
}

/** Largest scale that shows the whole image inside `box`, centred; never upscales past `maxScale`. */
export function containFit(image: Size, box: Size, maxScale = Number.POSITIVE_INFINITY): Viewport {
    if (image.width <= 0 || image.height <= 0 || box.width <= 0 || box.height <= 0) {
        return { scale: 1, offset: screenPoint(0, 0) };
    }
    const scale = Math.min(box.width / image.width, box.height / image.height, maxScale);
    const x = (box.width - image.width * scale) / 2;
    const y = (box.height - image.height * scale) / 2;
    return { scale, offset: screenPoint(x, y) };
}

export function imageToScreen(v: Viewport, p: ImagePoint): ScreenPoint {
    return screenPoint(v.offset.x + p.x * v.scale, v.offset.y + p.y * v.scale);
}

export function screenToImage(v: Viewport, p: ScreenPoint): ImagePoint {
    return imagePoint((p.x - v.offset.x) / v.scale, (p.y - v.offset.y) / v.scale);
}

/** Zooms by `factor` keeping the image point under `anchor` where it is on screen. */
export function zoomAt(
    v: Viewport,
    anchor: ScreenPoint,
    factor: number,
    minScale = 1 / 512,
    maxScale = 64,
): Viewport {
    const scale = Math.min(maxScale, Math.max(minScale, v.scale * factor));
    const p = screenToImage(v, anchor);
    return { scale, offset: screenPoint(anchor.x - p.x * scale, anchor.y - p.y * scale) };
}

export function panBy(v: Viewport, dx: number, dy: number): Viewport {
    return { scale: v.scale, offset: screenPoint(v.offset.x + dx, v.offset.y + dy) };
}

/** The part of image space a `view`-sized screen area shows (may reach outside the image). */
export function visibleImageRect(
    v: Viewport,
    view: Size,
): { x: number; y: number; w: number; h: number } {
    const a = screenToImage(v, screenPoint(0, 0));
    return { x: a.x, y: a.y, w: view.width / v.scale, h: view.height / v.scale };
}

/**
 * Pyramid level for drawing at `scale` screen px per image px: level L halves the resolution L
 * times, so the coarsest level whose pixels are still no larger than a screen pixel.
 */
export function pyramidLevel(scale: number, levels: number): number {
    if (scale >= 1 || levels <= 1) {
        return 0;
    }
    return Math.min(levels - 1, Math.max(0, Math.floor(Math.log2(1 / scale))));
}
