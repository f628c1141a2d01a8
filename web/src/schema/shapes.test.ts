import { describe, expect, it } from "vitest";

import { imagePoint } from "../geometry/point";
import type { Shape } from "./shapes";
import { shapeFromApi, shapeToApi, shapesFromApi } from "./shapes";

describe("shape JSON", () => {
    it("round-trips boxes, single and multi-ring polygons and masks", () => {
        const shapes: Shape[] = [
            { id: "a", label: "Cat", geometry: { kind: "box", box: { x: 1, y: 2, w: 3, h: 4 } } },
            {
                id: "b",
                label: "Dog",
                confidence: 0.5,
                geometry: {
                    kind: "polygon",
                    rings: [[imagePoint(0, 0), imagePoint(5, 0), imagePoint(5, 5)]],
                },
            },
            {
                id: "c",
                label: "Dog",
                geometry: {
                    kind: "polygon",
                    rings: [
                        [imagePoint(0, 0), imagePoint(5, 0), imagePoint(5, 5)],
                        [imagePoint(10, 0), imagePoint(15, 0), imagePoint(15, 5)],
                    ],
                },
            },
            { id: "d", label: "Road", geometry: { kind: "mask", runs: [0, 4, 10, 2] } },
        ];
        const api = shapes.map(shapeToApi);
        expect(api[0]).toEqual({ id: "a", label: "Cat", type: "box", x: 1, y: 2, w: 3, h: 4 });
        expect(api[1]).toMatchObject({
            points: [
                [0, 0],
                [5, 0],
                [5, 5],
            ],
            confidence: 0.5,
        });
        expect(api[2]).toHaveProperty("rings");
        expect(api[3]).toEqual({ id: "d", label: "Road", type: "mask", rle: [0, 4, 10, 2] });
        expect(shapesFromApi(JSON.parse(JSON.stringify(api)), "x")).toEqual(shapes);
    });

    it("skips malformed shapes instead of throwing, and fills in missing ids", () => {
        const parsed = shapesFromApi(
            [
                { type: "box", label: "Cat", x: 1, y: 1, w: "wide", h: 1 },
                { type: "polygon", label: "Cat", points: [[0, 0], [1]] },
                { type: "mask", label: "Cat", rle: [-1, 2] },
                { type: "circle", label: "Cat" },
                null,
                { type: "box", label: "Cat", x: 1, y: 1, w: 2, h: 2 },
            ],
            "p",
        );
        expect(parsed.map((s) => s.id)).toEqual(["p5"]);
        expect(shapeFromApi({ type: "box", x: 0, y: 0, w: 1, h: 1 }, "q")).toBeNull();
        expect(shapesFromApi({ not: "a list" }, "p")).toEqual([]);
    });
});
