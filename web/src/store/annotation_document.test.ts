import { describe, expect, it } from "vitest";

import { imagePoint } from "../geometry/point";
import type { Shape } from "../schema/shapes";
import type { ChangeSet } from "./annotation_document";
import { AnnotationDocument } from "./annotation_document";
import { GridIndex } from "./spatial_index";

const P = imagePoint;

function box(id: string, x: number, y: number, w = 10, h = 10, label = "Cat"): Shape {
    return { id, label, geometry: { kind: "box", box: { x, y, w, h } } };
}

describe("AnnotationDocument", () => {
    it("undoes and redoes local edits in order, and a new edit clears redo", () => {
        const doc = new AnnotationDocument();
        doc.add(box("a", 0, 0));
        doc.add(box("b", 50, 50));
        doc.update(box("a", 5, 5));
        doc.remove(["b"]);
        expect(doc.shapes().map((s) => s.id)).toEqual(["a"]);
        expect(doc.undo()).toBe(true);
        expect(doc.get("b")).toEqual(box("b", 50, 50));
        expect(doc.undo()).toBe(true);
        expect(doc.get("a")).toEqual(box("a", 0, 0));
        expect(doc.redo()).toBe(true);
        expect(doc.get("a")).toEqual(box("a", 5, 5));
        doc.add(box("c", 1, 1));
        expect(doc.canRedo).toBe(false);
        expect(doc.undo() && doc.undo() && doc.undo() && doc.undo()).toBe(true);
        expect(doc.size).toBe(0);
        expect(doc.undo()).toBe(false);
        // Every local change, undo and redo is one of the labeler's edits (savings figures);
        // opening an image starts the count again.
        expect(doc.localEdits).toBe(4 + 2 + 1 + 1 + 4);
        doc.replaceAll([box("z", 0, 0)]);
        expect(doc.localEdits).toBe(0);
    });

    it("keeps remote and silent change sets off the undo stack and tags them", () => {
        const doc = new AnnotationDocument();
        const seen: ChangeSet[] = [];
        doc.subscribe((s) => seen.push(s));
        doc.replaceAll([box("a", 0, 0), box("b", 1, 1)]);
        doc.add(box("c", 2, 2), "silent");
        expect(doc.canUndo).toBe(false);
        expect(seen.map((s) => s.origin)).toEqual(["remote", "silent"]);
        expect(seen[0]?.changes).toHaveLength(2);
        doc.remove(["a", "b", "c"]);
        expect(doc.size).toBe(0);
        doc.undo();
        expect(doc.size).toBe(3);
    });

    it("hit-tests the topmost visible shape, polygons by inside and outline", () => {
        const doc = new AnnotationDocument();
        doc.add(box("low", 0, 0, 100, 100));
        doc.add(box("high", 40, 40, 20, 20));
        doc.add({
            id: "tri",
            label: "Dog",
            geometry: { kind: "polygon", rings: [[P(200, 200), P(300, 200), P(250, 300)]] },
        });
        expect(doc.hitTest(P(50, 50), 2)).toBe("high");
        expect(doc.hitTest(P(10, 10), 2)).toBe("low");
        expect(doc.hitTest(P(250, 250), 2)).toBe("tri");
        expect(doc.hitTest(P(250, 199), 2)).toBe("tri");
        expect(doc.hitTest(P(210, 290), 2)).toBeNull();
        doc.setHidden("high", true);
        expect(doc.hitTest(P(50, 50), 2)).toBe("low");
        doc.undo();
        doc.undo();
        expect(doc.hitTest(P(50, 50), 2)).toBe("low");
        doc.undo();
        expect(doc.hitTest(P(50, 50), 2)).toBeNull();
    });

    it("drops the selection when the selected shape goes away", () => {
        const doc = new AnnotationDocument();
        doc.add(box("a", 0, 0));
        doc.select("a");
        expect(doc.selected).toBe("a");
        doc.remove(["a"]);
        expect(doc.selected).toBeNull();
        doc.select("missing");
        expect(doc.selected).toBeNull();
    });
});

describe("GridIndex", () => {
    it("answers the same as a linear scan for 2,000 random boxes", () => {
        let seed = 7;
        const rnd = (n: number): number => {
            seed = (seed * 16807) % 2147483647;
            return (seed / 2147483647) * n;
        };
        const index = new GridIndex(64);
        const boxes = new Map<string, { x: number; y: number; w: number; h: number }>();
        for (let i = 0; i < 2000; i++) {
            const b = { x: rnd(4000), y: rnd(3000), w: rnd(300), h: rnd(300) };
            boxes.set(`s${i}`, b);
            index.insert(`s${i}`, b);
        }
        for (let i = 0; i < 500; i += 3) {
            index.remove(`s${i}`);
            boxes.delete(`s${i}`);
        }
        for (let q = 0; q < 200; q++) {
            const p = P(rnd(4000), rnd(3000));
            const expected = [...boxes]
                .filter(([, b]) => p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h)
                .map(([id]) => id)
                .sort();
            expect(index.queryPoint(p).sort()).toEqual(expected);
        }
        expect(index.size).toBe(boxes.size);
    });
});
