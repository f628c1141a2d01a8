// Tools driven by pointer scripts: each step is what the page would feed from DOM events.
import { describe, expect, it } from "vitest";

import type { Box } from "../../geometry/box";
import { encodeRuns } from "../../geometry/mask";
import type { ImagePoint } from "../../geometry/point";
import { imagePoint } from "../../geometry/point";
import { AnnotationDocument } from "../../store/annotation_document";
import { documentRaster, rasterFromDocument } from "../../store/mask_layer";
import { createTool } from "./index";
import { kNoObjectFound } from "./outline_tool";
import type { OutlineResult, Tool, ToolHost, ToolName } from "./tool";

type Point = readonly [number, number];
type Step = ["down" | "move" | "up" | "dbl", number, number] | ["key", string];
type Host = ToolHost & { current: string | null };

function makeHost(label: string | null = "Cat", image = { width: 200, height: 100 }): Host {
    let n = 0;
    const host = {
        doc: new AnnotationDocument(),
        image,
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

/** Presses only: the polygon and vertex tools act on the press. */
function presses(...points: Point[]): Step[] {
    return points.map(([x, y]) => ["down", x, y]);
}

function click(x: number, y: number): Step[] {
    return [
        ["down", x, y],
        ["up", x, y],
    ];
}

/** Press at `from` and move to `to`, still holding: the gesture is under way. */
function hold(from: Point, to: Point): Step[] {
    return [
        ["down", ...from],
        ["move", ...to],
    ];
}

/** A whole drag, released at `release` (where the pointer ends, if not at `to`). */
function drag(from: Point, to: Point, release: Point = to): Step[] {
    return [...hold(from, to), ["up", ...release]];
}

const points = (...ps: Point[]): ImagePoint[] => ps.map(([x, y]) => imagePoint(x, y));

function boxOf(host: Host, id: string): Box | undefined {
    const g = host.doc.get(id)?.geometry;
    return g?.kind === "box" ? g.box : undefined;
}

function ringOf(host: Host, id: string): readonly ImagePoint[] | undefined {
    const g = host.doc.get(id)?.geometry;
    return g?.kind === "polygon" ? g.rings[0] : undefined;
}

function addBox(host: Host, box: Box): void {
    host.doc.add({ id: "b", label: "Cat", geometry: { kind: "box", box } });
}

function addPolygon(host: Host, ring: ImagePoint[]): void {
    host.doc.add({ id: "p", label: "Cat", geometry: { kind: "polygon", rings: [ring] } });
}

const kTriangle: Point[] = [
    [10, 10],
    [50, 10],
    [30, 40],
];

/** The label index the mask layer holds at one pixel (0: unlabeled). */
function maskAt(host: Host, x: number, y: number): number {
    return rasterFromDocument(host.doc, host.image, host.labels()).get(x, y);
}

describe("box tool (R)", () => {
    it("draws a box by dragging, clamped to the image, and remembers its size", () => {
        const host = makeHost();
        const t = createTool("box", host);
        run(t, hold([150, 80], [170, 90]));
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
});

describe("drawing that is cancelled leaves nothing behind", () => {
    const cases: { what: string; tool: ToolName; label?: null; steps: Step[] }[] = [
        {
            what: "box: Esc while dragging",
            tool: "box",
            steps: [...hold([10, 10], [50, 50]), ["key", "Escape"], ["up", 50, 50]],
        },
        { what: "box: a click", tool: "box", steps: drag([10, 10], [10.5, 10.5]) },
        { what: "box: no label", tool: "box", label: null, steps: drag([10, 10], [50, 50]) },
        {
            what: "polygon: Esc, then Enter",
            tool: "polygon",
            steps: [...presses(...kTriangle), ["key", "Escape"], ["key", "Enter"]],
        },
    ];
    it.each(cases)("$what", ({ tool, label, steps }) => {
        const host = makeHost(label);
        const t = createTool(tool, host);
        run(t, steps);
        expect(host.doc.size).toBe(0);
        expect(t.preview()).toBeNull();
    });
});

describe("template tool (T)", () => {
    it("stamps 50×50 first, then the last box size", () => {
        const host = makeHost();
        const t = createTool("template", host);
        run(t, click(100, 50));
        run(createTool("box", host), [
            ["down", 0, 0],
            ["up", 10, 20],
        ]);
        run(t, presses([100, 50]));
        expect(host.doc.shapes().map((s) => boxOf(host, s.id))).toEqual([
            { x: 75, y: 25, w: 50, h: 50 },
            { x: 0, y: 0, w: 10, h: 20 },
            { x: 95, y: 40, w: 10, h: 20 },
        ]);
    });
});

describe("polygon tool (P)", () => {
    it("needs three points for Enter; undo removes the polygon in one step", () => {
        const host = makeHost("Dog");
        const t = createTool("polygon", host);
        run(t, [...presses([10, 10], [50, 10]), ["key", "Enter"]]);
        expect(host.doc.size).toBe(0);
        expect(t.busy).toBe(true);
        run(t, [...presses([30, 40]), ["key", "Enter"]]);
        expect(host.doc.shapes()[0]?.geometry).toEqual({
            kind: "polygon",
            rings: [points(...kTriangle)],
        });
        expect(host.doc.shapes()[0]?.label).toBe("Dog");
        host.doc.undo();
        expect(host.doc.size).toBe(0);
    });

    // The three clicks are the polygon; `close` is what ends it.
    const closings: { how: string; clicks: Point[]; close: Step[] }[] = [
        { how: "Enter", clicks: kTriangle, close: [["key", "Enter"]] },
        {
            how: "a double-click, without a duplicate vertex",
            clicks: kTriangle,
            close: [...presses([30, 40]), ["dbl", 30, 40]],
        },
        {
            how: "a click on the first vertex",
            clicks: [
                [100, 10],
                [150, 10],
                [120, 60],
            ],
            close: presses([101, 11]),
        },
    ];
    it.each(closings)("closes on $how", ({ clicks, close }) => {
        const host = makeHost();
        const t = createTool("polygon", host);
        run(t, [...presses(...clicks), ...close]);
        expect(host.doc.size).toBe(1);
        expect(ringOf(host, "s1")).toEqual(points(...clicks));
        expect(t.busy).toBe(false);
    });
});

describe("move tool (M)", () => {
    const start = { x: 10, y: 10, w: 40, h: 20 };
    const grabs: { what: string; from: Point; via: Point; to: Point; box: Box }[] = [
        {
            what: "moves a box by its body",
            from: [30, 20],
            via: [40, 25],
            to: [40, 30],
            box: { x: 20, y: 20, w: 40, h: 20 },
        },
        {
            what: "resizes a box by its corner",
            from: [50, 30],
            via: [60, 35],
            to: [70, 40],
            box: { x: 10, y: 10, w: 60, h: 30 },
        },
    ];
    it.each(grabs)("$what on release, as one undo step", ({ from, via, to, box }) => {
        const host = makeHost();
        addBox(host, start);
        const t = createTool("move", host);
        run(t, hold(from, via));
        expect(t.editingId()).toBe("b");
        expect(boxOf(host, "b")).toEqual(start);
        run(t, [["up", ...to]]);
        expect(boxOf(host, "b")).toEqual(box);
        host.doc.undo();
        expect(boxOf(host, "b")).toEqual(start);
    });

    it("moves then resizes, and undo takes back only the resize", () => {
        const host = makeHost();
        addBox(host, start);
        const t = createTool("move", host);
        run(t, drag([30, 20], [40, 30]));
        run(t, drag([60, 40], [80, 50]));
        expect(boxOf(host, "b")).toEqual({ x: 20, y: 20, w: 60, h: 30 });
        host.doc.undo();
        expect(boxOf(host, "b")).toEqual({ x: 20, y: 20, w: 40, h: 20 });
    });

    const triangle = points(...kTriangle);
    it.each([
        {
            what: "drags a polygon vertex to where it is released",
            locked: false,
            ring: points([10, 10], [70, 20], [30, 40]),
        },
        { what: "does nothing when shapes are locked", locked: true, ring: triangle },
    ])("$what", ({ locked, ring }) => {
        const host = makeHost();
        addPolygon(host, triangle);
        host.doc.setLocked(locked);
        run(createTool("move", host), drag([50, 10], [60, 20], [70, 20]));
        expect(ringOf(host, "p")).toEqual(ring);
    });
});

describe("vertex tool (U)", () => {
    it("adds a vertex on an edge click and removes it on a vertex click", () => {
        const host = makeHost();
        const square = points([10, 10], [50, 10], [50, 50], [10, 50]);
        addPolygon(host, square);
        const t = createTool("vertex", host);
        run(t, presses([30, 11]));
        expect(ringOf(host, "p")).toHaveLength(5);
        run(t, presses([30, 10]));
        expect(ringOf(host, "p")).toEqual(square);
        run(t, presses([10, 10], [50, 10]));
        // A triangle keeps its last three vertices.
        expect(ringOf(host, "p")).toHaveLength(3);
    });
});

describe("mask tools", () => {
    it("paints, erases and fills as undoable per-label runs", () => {
        const host = makeHost("Cat", { width: 20, height: 10 });
        run(createTool("brush", host), drag([2, 2], [8, 2]));
        expect(host.doc.get("mask:Cat")?.geometry.kind).toBe("mask");
        expect(maskAt(host, 5, 2)).toBe(1);
        expect(maskAt(host, 5, 8)).toBe(0);

        host.current = "Dog";
        run(createTool("fill", host), presses([15, 8]));
        // Only the corner pixel cut off by the stroke's round cap stays unlabeled.
        expect(encodeRuns(rasterFromDocument(host.doc, host.image, host.labels()), 0)).toEqual([
            0, 1,
        ]);
        expect(maskAt(host, 5, 2)).toBe(1);

        const eraser = createTool("eraser", host);
        run(eraser, [
            ["down", 5, 2],
            ["key", "Escape"],
            ["up", 5, 2],
        ]);
        expect(maskAt(host, 5, 2)).toBe(1);
        run(eraser, click(5, 2));
        expect(maskAt(host, 5, 2)).toBe(0);

        host.doc.undo();
        host.doc.undo();
        expect(host.doc.get("mask:Dog")).toBeUndefined();
        expect(maskAt(host, 5, 2)).toBe(1);
    });

    it("paints and erases on a 40,000 × 40,000 image in a few chunks, undo included", () => {
        const host = makeHost("Cat", { width: 40_000, height: 40_000 });
        host.brushRadius = 20;
        run(createTool("brush", host), drag([20_000, 20_000], [20_400, 20_000]));
        const painted = documentRaster(host.doc, host.image, host.labels());
        // x 19,980..20,420 and y 19,980..20,020 lie in chunk row 78, columns 78..79.
        expect(painted.chunkCount).toBe(2);
        run(createTool("eraser", host), drag([20_100, 20_000], [20_150, 20_000]));
        expect(maskAt(host, 20_120, 20_000)).toBe(0);
        expect(maskAt(host, 20_050, 20_000)).toBe(1);
        const g = host.doc.get("mask:Cat")?.geometry;
        const runs = g?.kind === "mask" ? g.runs : [];
        // A few runs per row of the 40-row band (more where the stamped discs scallop its
        // edges), all inside it: the encoding never walked the empty rest of the image.
        expect(runs.length).toBeGreaterThan(2 * 2 * 40);
        expect(runs.length).toBeLessThan(2 * 6 * 40);
        expect(runs[0]).toBeGreaterThanOrEqual(19_980 * 40_000);
        expect((runs.at(-2) ?? 0) + (runs.at(-1) ?? 0)).toBeLessThanOrEqual(20_020 * 40_000);

        // A fill of the unpainted background would allocate the whole image: refused, and the
        // labeler is told why.
        host.current = "Dog";
        const notices: string[] = [];
        run(createTool("fill", { ...host, notify: (m) => notices.push(m) }), presses([5, 5]));
        expect(host.doc.get("mask:Dog")).toBeUndefined();
        expect(notices).toHaveLength(1);
        expect(notices[0]).toContain("Fill stopped");

        host.doc.undo();
        expect(maskAt(host, 20_120, 20_000)).toBe(1);
        expect(documentRaster(host.doc, host.image, host.labels()).chunkCount).toBe(2);
    }, 60_000); // correctness, not speed: a loaded CI machine may take longer than the 5 s default

    it("shares one raster between strokes and folds masks stored under other ids", () => {
        const host = makeHost("Cat", { width: 20, height: 10 });
        // The server keeps the id of a label's first shape (here a merged polygon's).
        host.doc.add(
            { id: "s9", label: "Cat", geometry: { kind: "mask", runs: [0, 20] } },
            "remote",
        );
        const first = documentRaster(host.doc, host.image, host.labels());
        expect(documentRaster(host.doc, host.image, host.labels())).toBe(first);
        run(createTool("eraser", host), click(5, 0));
        expect(host.doc.get("s9")).toBeUndefined();
        const g = host.doc.get("mask:Cat")?.geometry;
        expect(g?.kind === "mask" ? g.runs : []).toEqual([0, 3, 7, 13]);
        // The committed raster is the document's from now on, and equals a rebuild.
        const after = documentRaster(host.doc, host.image, host.labels());
        expect(after).not.toBe(first);
        expect(encodeRuns(after, 1)).toEqual(
            encodeRuns(rasterFromDocument(host.doc, host.image, host.labels()), 1),
        );
        expect(first.get(5, 0)).toBe(1);
    });

    it("keeps the stored runs equal to a full re-encode over many strokes", () => {
        const host = makeHost("Cat", { width: 900, height: 700 });
        host.brushRadius = 30;
        let seed = 5;
        const rnd = (n: number): number => {
            seed = (seed * 16807) % 2147483647;
            return (seed / 2147483647) * n;
        };
        for (let i = 0; i < 12; i++) {
            host.current = i % 3 === 2 ? "Dog" : "Cat";
            const name = i % 4 === 3 ? "eraser" : i % 5 === 4 ? "fill" : "brush";
            const from: Point = [rnd(900), rnd(700)];
            run(
                createTool(name, host),
                name === "fill" ? presses(from) : drag(from, [rnd(900), rnd(700)]),
            );
            // Commits after the first splice the re-encoded chunk rows into the old runs.
            const fresh = rasterFromDocument(host.doc, host.image, host.labels());
            for (const [v, label] of [
                [1, "Cat"],
                [2, "Dog"],
            ] as const) {
                const g = host.doc.get(`mask:${label}`)?.geometry;
                expect(g?.kind === "mask" ? g.runs : [], `step ${i} ${label}`).toEqual(
                    encodeRuns(fresh, v),
                );
            }
        }
    });
});

describe("outline tool", () => {
    /** A host whose server answers each box with the next of `answers`, when told to. */
    function outlineHost(answers: OutlineResult[]) {
        const host = makeHost();
        const said: string[] = [];
        const asked: Box[] = [];
        const resolvers: (() => void)[] = [];
        const withOutline: Host = {
            ...host,
            label: () => host.current,
            notify: (m: string) => said.push(m),
            outline: (box: Box) => {
                asked.push(box);
                const answer = answers.shift() ?? { ok: false, message: "no answer" };
                return new Promise<OutlineResult>((resolve) => {
                    resolvers.push(() => {
                        resolve(answer);
                    });
                });
            },
        };
        const answerAll = async (): Promise<void> => {
            for (const r of resolvers.splice(0)) {
                r();
            }
            await Promise.resolve();
            await Promise.resolve();
        };
        return { host: withOutline, said, asked, answerAll };
    }
    const ring = [imagePoint(20, 10), imagePoint(40, 10), imagePoint(30, 30)];

    it("asks the server for the box's object and adds its polygon, selected", async () => {
        const { host, asked, answerAll } = outlineHost([{ ok: true, ring }]);
        const tool = createTool("outline", host);
        run(tool, drag([10, 5], [50, 40]));
        expect(asked).toEqual([{ x: 10, y: 5, w: 40, h: 35 }]);
        expect(tool.preview()).toEqual({ kind: "box", box: { x: 10, y: 5, w: 40, h: 35 } });
        await answerAll();
        const shapes = host.doc.shapes();
        expect(shapes).toHaveLength(1);
        expect(shapes[0]?.label).toBe("Cat");
        expect(shapes[0]?.geometry).toEqual({ kind: "polygon", rings: [ring] });
        expect(host.doc.selected).toBe(shapes[0]?.id);
        expect(tool.preview()).toBeNull();
    });

    it("says why when there is no object or the server refuses", async () => {
        const { host, said, answerAll } = outlineHost([
            { ok: true, ring: [] },
            { ok: false, message: "the box must lie inside the image" },
        ]);
        const tool = createTool("outline", host);
        run(tool, drag([10, 5], [50, 40]));
        await answerAll();
        run(tool, drag([10, 5], [50, 40]));
        await answerAll();
        expect(said).toEqual([kNoObjectFound, "the box must lie inside the image"]);
        expect(host.doc.size).toBe(0);
    });

    it("drops an answer that Esc or a newer box superseded, and ignores tiny boxes", async () => {
        const { host, asked, answerAll } = outlineHost([
            { ok: true, ring },
            { ok: true, ring },
            { ok: true, ring },
        ]);
        const tool = createTool("outline", host);
        run(tool, [...drag([10, 5], [50, 40]), ["key", "Escape"]]);
        expect(tool.preview()).toBeNull();
        run(tool, drag([10, 5], [50, 40]));
        run(tool, drag([60, 5], [90, 40])); // the second box replaces the first
        run(tool, drag([1, 1], [3, 3])); // under 4 pixels: nothing asked
        await answerAll();
        expect(asked).toHaveLength(3);
        expect(host.doc.size).toBe(1);
    });
});
