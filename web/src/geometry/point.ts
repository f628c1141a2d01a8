// Each coordinate space gets its own branded type so that passing a screen point where an image
// point is expected fails to compile. Pure math: no DOM, no imports.

declare const kBrand: unique symbol;
type Brand<T, B extends string> = T & { readonly [kBrand]: B };

/** Pixels of the original image, origin top-left. */
export type ImagePoint = Brand<{ readonly x: number; readonly y: number }, "image">;
/** CSS pixels of the viewport the image is drawn in, origin top-left. */
export type ScreenPoint = Brand<{ readonly x: number; readonly y: number }, "screen">;
/** Fractions of the image size, both axes in [0, 1] for points inside the image. */
export type NormalizedPoint = Brand<{ readonly x: number; readonly y: number }, "normalized">;

export interface Size {
    readonly width: number;
    readonly height: number;
}

export function imagePoint(x: number, y: number): ImagePoint {
    return { x, y } as ImagePoint;
}

export function screenPoint(x: number, y: number): ScreenPoint {
    return { x, y } as ScreenPoint;
}

export function normalizedPoint(x: number, y: number): NormalizedPoint {
    return { x, y } as NormalizedPoint;
}

/** A zero-sized image has no meaningful fractions; such points map to the origin. */
export function toNormalized(p: ImagePoint, image: Size): NormalizedPoint {
    const x = image.width > 0 ? p.x / image.width : 0;
    const y = image.height > 0 ? p.y / image.height : 0;
    return normalizedPoint(x, y);
}

export function fromNormalized(p: NormalizedPoint, image: Size): ImagePoint {
    return imagePoint(p.x * image.width, p.y * image.height);
}

export function clampNormalized(p: NormalizedPoint): NormalizedPoint {
    return normalizedPoint(Math.min(1, Math.max(0, p.x)), Math.min(1, Math.max(0, p.y)));
}
