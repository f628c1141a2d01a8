// Page for bench/canvas_pan.mjs: a 6000 × 4000 image with 10,000 boxes on the real Stage;
// `usePolygons(n)` swaps them for n polygons of 12–48 vertices (the 2,000-polygon case).
import { Stage } from "../src/canvas/stage";
import { labelColor } from "../src/canvas/palette";
import { imagePoint } from "../src/geometry/point";
import { AnnotationDocument, type Change } from "../src/store/annotation_document";

const image = { width: 6000, height: 4000 };
const labels = ["a", "b", "c", "d", "e"];

function pictureUrl(): string {
    const c = document.createElement("canvas");
    c.width = 1500;
    c.height = 1000;
    const ctx = c.getContext("2d");
    if (ctx !== null) {
        const g = ctx.createLinearGradient(0, 0, 1500, 1000);
        g.addColorStop(0, "#335");
        g.addColorStop(1, "#8a6");
        ctx.fillStyle = g;
        ctx.fillRect(0, 0, 1500, 1000);
    }
    return c.toDataURL("image/png");
}

let seed = 42;
function rnd(n: number): number {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647) * n;
}

const doc = new AnnotationDocument();
const changes = [];
for (let i = 0; i < 10_000; i++) {
    const id = `b${i}`;
    changes.push({
        id,
        before: null,
        after: {
            id,
            label: labels[i % labels.length] ?? "a",
            geometry: {
                kind: "box" as const,
                box: { x: rnd(5900), y: rnd(3900), w: 8 + rnd(90), h: 8 + rnd(90) },
            },
        },
    });
}
doc.apply(changes, "remote");

const host = document.createElement("div");
host.style.cssText = "position:relative;width:1280px;height:800px";
document.body.appendChild(host);
const stage = new Stage(host, {
    image,
    source: { kind: "image", url: pictureUrl() },
    doc,
    labels,
    colorOf: (l) => labelColor(labels.indexOf(l)),
});
const style = document.createElement("style");
style.textContent =
    ".stage{position:absolute;inset:0}.stage-layer{position:absolute;inset:0;width:100%;height:100%}";
document.head.appendChild(style);

/** Pans for `frames` animation frames; returns frame intervals and repaint times in ms. */
async function pan(
    frames: number,
): Promise<{ intervals: number[]; paints: number[]; hitMs: number }> {
    const intervals: number[] = [];
    // The Stage keeps its last 1,000 repaint times; start each measurement from none.
    stage.frameTimes.length = 0;
    let last = performance.now();
    for (let i = 0; i < frames; i++) {
        stage.pan(i % 120 < 60 ? -7 : 7, i % 90 < 45 ? -4 : 4);
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        intervals.push(now - last);
        last = now;
    }
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) {
        doc.hitTest(imagePoint(rnd(6000), rnd(4000)), 3);
    }
    const hitMs = (performance.now() - t0) / 1000;
    return { intervals, paints: [...stage.frameTimes], hitMs };
}

/** Pixels where the scrolled static layer differs from a full repaint (should be ~0). */
async function scrollDrift(): Promise<number> {
    const layer = document.querySelector<HTMLCanvasElement>(".stage-static");
    const read = (): Uint8ClampedArray =>
        layer?.getContext("2d")?.getImageData(0, 0, layer.width, layer.height).data ??
        new Uint8ClampedArray();
    const frame = (): Promise<unknown> => new Promise((r) => requestAnimationFrame(r));
    for (let i = 0; i < 30; i++) {
        stage.pan(i % 2 === 0 ? 13 : -5, i % 3 === 0 ? -9 : 4);
        await frame();
    }
    const scrolled = read();
    stage.invalidate("static");
    await frame();
    const full = read();
    let diff = 0;
    for (let i = 0; i < full.length; i += 4) {
        if (Math.abs((full[i + 3] ?? 0) - (scrolled[i + 3] ?? 0)) > 8) {
            diff++;
        }
    }
    return diff;
}

/** Replaces every shape with `n` polygons of 12–48 vertices around random centres. */
function usePolygons(n: number): void {
    const swap: Change[] = doc.shapes().map((s) => ({ id: s.id, before: s, after: null }));
    for (let i = 0; i < n; i++) {
        const id = `p${i}`;
        const cx = 60 + rnd(5880);
        const cy = 60 + rnd(3880);
        const vertices = 12 + Math.floor(rnd(37));
        const ring = [];
        for (let v = 0; v < vertices; v++) {
            const angle = (v / vertices) * 2 * Math.PI;
            const r = 15 + rnd(45);
            ring.push(imagePoint(cx + r * Math.cos(angle), cy + r * Math.sin(angle)));
        }
        swap.push({
            id,
            before: null,
            after: {
                id,
                label: labels[i % labels.length] ?? "a",
                geometry: { kind: "polygon" as const, rings: [ring] },
            },
        });
    }
    doc.apply(swap, "remote");
}

Object.assign(window, { tesseraBench: { pan, stage, scrollDrift, usePolygons } });
