import { describe, expect, it } from "vitest";

import { imagePoint } from "../geometry/point";
import type { Shape } from "../schema/shapes";
import { kMaxNamedShapes, paintShapeNames } from "./shape_painter";

/** Records the text written and the clip rectangles; everything else is a no-op. */
function recordingContext(): { ctx: CanvasRenderingContext2D; texts: string[]; clips: number[][] } {
    const texts: string[] = [];
    const clips: number[][] = [];
    const ctx = {
        font: "",
        textBaseline: "",
        fillStyle: "",
        measureText: (t: string) => ({ width: t.length * 7 }),
        save: () => undefined,
        restore: () => undefined,
        beginPath: () => undefined,
        rect: (...r: number[]) => clips.push(r),
        clip: () => undefined,
        fillRect: () => undefined,
        fillText: (t: string) => texts.push(t),
    };
    return { ctx: ctx as unknown as CanvasRenderingContext2D, texts, clips };
}

const box = (label: string, w: number): Shape => ({
    id: label,
    label,
    geometry: { kind: "box", box: { x: 10, y: 20, w, h: 40 } },
});

describe("paintShapeNames", () => {
    it("writes each shape's label inside its bounds, skipping shapes too small to hold it", () => {
        const { ctx, texts, clips } = recordingContext();
        const polygon: Shape = {
            id: "p",
            label: "WBC",
            geometry: {
                kind: "polygon",
                rings: [[imagePoint(0, 0), imagePoint(50, 10), imagePoint(20, 60)]],
            },
        };
        paintShapeNames(ctx, [box("RBC", 100), box("Tiny", 5), polygon], () => "#f00", 1);
        expect(texts).toEqual(["RBC", "WBC"]);
        expect(clips).toEqual([
            [10, 20, 100, 40],
            [0, 0, 50, 60],
        ]);
    });

    it("writes nothing when too many shapes are on screen", () => {
        const { ctx, texts } = recordingContext();
        const many = Array.from({ length: kMaxNamedShapes + 1 }, (_, i) => box(`L${i}`, 100));
        paintShapeNames(ctx, many, () => "#f00", 1);
        expect(texts).toEqual([]);
    });
});
