// Tools driven by pointer scripts: each step is what the page would feed from DOM events.
import { describe, expect, it } from "vitest";

import { encodeRuns } from "../../geometry/mask";
import { imagePoint } from "../../geometry/point";
import { AnnotationDocument } from "../../store/annotation_document";
import { rasterFromDocument } from "../../store/mask_layer";
import { createTool } from "./index";
import type { Tool, ToolHost, ToolName } from "./tool";

type Step = ["down" | "move" | "up" | "dbl", number, number] | ["key", string];

function makeHost(label: string | null = "Cat"): ToolHost & { current: string | null } {
    let n = 0;
    const host = {
        doc: new AnnotationDocument(),
        image: { width: 200, height: 100 },
        current: label,
        label: () => host.current,
        labels: () => ["Cat", "Dog"],
        tolerance: () => 3,
        newId: () => `s${++n}`,
        templateSize: { w: 50, h: 50 },
        brushRadius: 2,
    };
    return host;
}

function run(tool: Tool, steps: Step[]): void {
    for (const s of steps) {
        if (s[0] === "key") {
            tool.key(s[1]);
        } else {
            const p = imagePoint(s[1], s[2]);
            if (s[0] === "down") {
                tool.down(p);
            } else if (s[0] === "move") {
                tool.move(p);
            } else if (s[0] === "up") {
                tool.up(p);
            } else {
                tool.doubleClick(p);
            }
        }
    }
}

function tool(name: ToolName, host: ToolHost): Tool {
    return createTool(name, host);
}

describe("box tool (R)", () => {
    it("draws a box by dragging, clamped to the image, and remembers its size", () => {
        const host = makeHost();
        const t = tool("box", host);
        run(t, [
            ["down", 150, 80],
            ["move", 170, 90],
        ]);
        expect(t.busy).toBe(true);
        expect(t.preview()).toEqual({ kind: "box", box: { x: 150, y: 80, w: 20, h: 10 } });
        expect(host.doc.size).toBe(0);
        run(t, [["up", 260, 40]]);
        expect(host.doc.shapes()).toEqual([
            {
                id: "s1",
                label: "Cat",
                geometry: { kind: "box", box: { x: 150, y: 40, w: 50, h: 40 } },
            },
        ]);
        expect(host.doc.selected).toBe("s1");
        expect(host.templateSize).toEqual({ w: 50, h: 40 });
        expect(t.busy).toBe(false);
    });

    it("leaves nothing behind on Esc, a click, or without a label", () => {
        const host = makeHost();
        const t = tool("box", host);
        run(t, [
            ["down", 10, 10],
            ["move", 50, 50],
            ["key", "Escape"],
            ["up", 50, 50],
        ]);
        run(t, [
            ["down", 10, 10],
            ["up", 10.5, 10.5],
        ]);
        host.current = null;
        run(t, [
            ["down", 10, 10],
            ["move", 50, 50],
            ["up", 50, 50],
        ]);
        expect(host.doc.size).toBe(0);
        expect(t.preview()).toBeNull();
    });
});

describe("template tool (T)", () => {
    it("stamps 50×50 first, then the last box size", () => {
        const host = makeHost();
        const t = tool("template", host);
        run(t, [
            ["down", 100, 50],
            ["up", 100, 50],
        ]);
        run(tool("box", host), [
            ["down", 0, 0],
            ["up", 10, 20],
        ]);
        run(t, [["down", 100, 50]]);
        const boxes = host.doc
            .shapes()
            .map((s) => (s.geometry.kind === "box" ? s.geometry.box : null));
        expect(boxes).toEqual([
            { x: 75, y: 25, w: 50, h: 50 },
            { x: 0, y: 0, w: 10, h: 20 },
            { x: 95, y: 40, w: 10, h: 20 },
        ]);
    });
});

describe("polygon tool (P)", () => {
    it("closes with Enter after three clicks; undo removes it in one step", () => {
        const host = makeHost("Dog");
        const t = tool("polygon", host);
        run(t, [
            ["down", 10, 10],
            ["down", 50, 10],
            ["key", "Enter"],
        ]);
        expect(host.doc.size).toBe(0);
        expect(t.busy).toBe(true);
        run(t, [
            ["down", 30, 40],
            ["key", "Enter"],
        ]);
        expect(host.doc.shapes()[0]?.geometry).toEqual({
            kind: "polygon",
            rings: [[imagePoint(10, 10), imagePoint(50, 10), imagePoint(30, 40)]],
        });
        expect(host.doc.shapes()[0]?.label).toBe("Dog");
        host.doc.undo();
        expect(host.doc.size).toBe(0);
    });

    it("closes on double-click without a duplicate vertex, and on the first vertex", () => {
        const host = makeHost();
        const t = tool("polygon", host);
        run(t, [
            ["down", 10, 10],
            ["down", 50, 10],
            ["down", 30, 40],
            ["down", 30, 40],
            ["dbl", 30, 40],
        ]);
        run(t, [
            ["down", 100, 10],
            ["down", 150, 10],
            ["down", 120, 60],
            ["down", 101, 11],
        ]);
        const rings = host.doc
            .shapes()
            .map((s) => (s.geometry.kind === "polygon" ? s.geometry.rings[0]?.length : 0));
        expect(rings).toEqual([3, 3]);
    });

    it("Esc discards the polygon being drawn", () => {
        const host = makeHost();
        const t = tool("polygon", host);
        run(t, [
            ["down", 10, 10],
            ["down", 50, 10],
            ["down", 30, 40],
            ["key", "Escape"],
            ["key", "Enter"],
        ]);
        expect(host.doc.size).toBe(0);
        expect(t.preview()).toBeNull();
    });
});

describe("move tool (M)", () => {
    it("moves a box by its body and resizes by a corner, one undo step each", () => {
        const host = makeHost();
        host.doc.add({
            id: "b",
            label: "Cat",
            geometry: { kind: "box", box: { x: 10, y: 10, w: 40, h: 20 } },
        });
        const t = tool("move", host);
        run(t, [
            ["down", 30, 20],
            ["move", 40, 25],
        ]);
        expect(t.editingId()).toBe("b");
        expect(host.doc.get("b")?.geometry).toEqual({
            kind: "box",
            box: { x: 10, y: 10, w: 40, h: 20 },
        });
        run(t, [["up", 40, 30]]);
        expect(host.doc.get("b")?.geometry).toEqual({
            kind: "box",
            box: { x: 20, y: 20, w: 40, h: 20 },
        });
        run(t, [
            ["down", 60, 40],
            ["move", 80, 50],
            ["up", 80, 50],
        ]);
        expect(host.doc.get("b")?.geometry).toEqual({
            kind: "box",
            box: { x: 20, y: 20, w: 60, h: 30 },
        });
        host.doc.undo();
        expect(host.doc.get("b")?.geometry).toEqual({
            kind: "box",
            box: { x: 20, y: 20, w: 40, h: 20 },
        });
    });

    it("drags a polygon vertex and does nothing when shapes are locked", () => {
        const host = makeHost();
        const rings = [[imagePoint(10, 10), imagePoint(50, 10), imagePoint(30, 40)]];
        host.doc.add({ id: "p", label: "Cat", geometry: { kind: "polygon", rings } });
        const t = tool("move", host);
        host.doc.setLocked(true);
        run(t, [
            ["down", 50, 10],
            ["move", 60, 20],
            ["up", 60, 20],
        ]);
        expect(host.doc.get("p")?.geometry).toEqual({ kind: "polygon", rings });
        host.doc.setLocked(false);
        run(t, [
            ["down", 50, 10],
            ["move", 60, 20],
            ["up", 70, 20],
        ]);
        expect(host.doc.get("p")?.geometry).toEqual({
            kind: "polygon",
            rings: [[imagePoint(10, 10), imagePoint(70, 20), imagePoint(30, 40)]],
        });
    });
});

describe("vertex tool (U)", () => {
    it("adds a vertex on an edge click and removes it on a vertex click", () => {
        const host = makeHost();
        const square = [
            imagePoint(10, 10),
            imagePoint(50, 10),
            imagePoint(50, 50),
            imagePoint(10, 50),
        ];
        host.doc.add({ id: "p", label: "Cat", geometry: { kind: "polygon", rings: [square] } });
        const t = tool("vertex", host);
        run(t, [["down", 30, 11]]);
        const g = host.doc.get("p")?.geometry;
        expect(g?.kind === "polygon" ? g.rings[0] : null).toHaveLength(5);
        run(t, [["down", 30, 10]]);
        expect(host.doc.get("p")?.geometry).toEqual({ kind: "polygon", rings: [square] });
        run(t, [["down", 10, 10]]);
        run(t, [["down", 50, 10]]);
        // A triangle keeps its last three vertices.
        const left = host.doc.get("p")?.geometry;
        expect(left?.kind === "polygon" ? left.rings[0] : null).toHaveLength(3);
    });
});

describe("mask tools", () => {
    it("paints, erases and fills as undoable per-label runs", () => {
        const host = makeHost();
        Object.assign(host, { image: { width: 20, height: 10 } });
        const brush = tool("brush", host);
        run(brush, [
            ["down", 2, 2],
            ["move", 8, 2],
            ["up", 8, 2],
        ]);
        const cat = host.doc.get("mask:Cat");
        expect(cat?.geometry.kind).toBe("mask");
        const raster = rasterFromDocument(host.doc, host.image, host.labels());
        expect(raster.get(5, 2)).toBe(1);
        expect(raster.get(5, 8)).toBe(0);

        host.current = "Dog";
        const fill = tool("fill", host);
        run(fill, [["down", 15, 8]]);
        const after = rasterFromDocument(host.doc, host.image, host.labels());
        // Only the corner pixel cut off by the stroke's round cap stays unlabeled.
        expect(encodeRuns(after, 0)).toEqual([0, 1]);
        expect(after.get(5, 2)).toBe(1);

        const eraser = tool("eraser", host);
        run(eraser, [
            ["down", 5, 2],
            ["key", "Escape"],
            ["up", 5, 2],
        ]);
        expect(rasterFromDocument(host.doc, host.image, host.labels()).get(5, 2)).toBe(1);
        run(eraser, [
            ["down", 5, 2],
            ["up", 5, 2],
        ]);
        expect(rasterFromDocument(host.doc, host.image, host.labels()).get(5, 2)).toBe(0);

        host.doc.undo();
        host.doc.undo();
        expect(host.doc.get("mask:Dog")).toBeUndefined();
        expect(rasterFromDocument(host.doc, host.image, host.labels()).get(5, 2)).toBe(1);
    });
});
