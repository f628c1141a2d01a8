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
