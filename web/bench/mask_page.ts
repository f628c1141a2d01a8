// Page for bench/mask_paint.mjs: brush strokes on a 40,000 × 40,000 semantic image, through the
// real Stage and BrushTool (the tool fed pointer positions as the page would, one per frame).
import { labelColor } from "../src/canvas/palette";
import { Stage } from "../src/canvas/stage";
import { createTool } from "../src/canvas/tools/index";
import type { ToolHost } from "../src/canvas/tools/tool";
import { imagePoint } from "../src/geometry/point";
import { AnnotationDocument } from "../src/store/annotation_document";
import { documentRaster } from "../src/store/mask_layer";

const image = { width: 40_000, height: 40_000 };
const labels = ["tissue", "vessel", "background"];

function pictureUrl(): string {
    const c = document.createElement("canvas");
    c.width = 1000;
    c.height = 1000;
    const ctx = c.getContext("2d");
    if (ctx !== null) {
        const g = ctx.createLinearGradient(0, 0, 1000, 1000);
        g.addColorStop(0, "#335");
        g.addColorStop(1, "#8a6");
        ctx.fillStyle = g;
        ctx.fillRect(0, 0, 1000, 1000);
    }
    return c.toDataURL("image/png");
}

const doc = new AnnotationDocument();
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

let n = 0;
const toolHost: ToolHost = {
    doc,
    image,
    label: () => labels[0] ?? null,
    labels: () => labels,
    tolerance: () => 3,
    newId: () => `s${++n}`,
    templateSize: { w: 50, h: 50 },
    // The page's default: 8 screen pixels.
    get brushRadius() {
        return 8 / stage.viewport.scale;
    },
    set brushRadius(_v: number) {},
};
const brush = createTool("brush", toolHost);
stage.setTool(brush);

const frame = (): Promise<unknown> => new Promise((r) => requestAnimationFrame(r));

/**
 * One stroke of `frames` pointer moves along a circle of `radius` screen px around the view's
 * centre; returns frame intervals, the Stage's repaint times, the commit (pointer up to the next
 * painted frame) and the raster's chunks.
 */
async function stroke(
    frames: number,
    radius: number,
): Promise<{ intervals: number[]; paints: number[]; commitMs: number; chunks: number }> {
    const v = stage.viewport;
    const at = (i: number): ReturnType<typeof imagePoint> => {
        const a = (i / frames) * 2 * Math.PI;
        const sx = 640 + radius * Math.cos(a);
        const sy = 400 + radius * Math.sin(a);
        return imagePoint((sx - v.offset.x) / v.scale, (sy - v.offset.y) / v.scale);
    };
    const start = stage.frameTimes.length;
    brush.down(at(0));
    stage.invalidate("static", "overlay");
    await frame();
    const intervals: number[] = [];
    let last = performance.now();
    for (let i = 1; i <= frames; i++) {
        brush.move(at(i));
        stage.invalidate("overlay");
        await frame();
        const now = performance.now();
        intervals.push(now - last);
        last = now;
    }
    const paints = stage.frameTimes.slice(start);
    const t0 = performance.now();
    brush.up(at(frames));
    stage.invalidate("static", "overlay");
    await frame();
    const commitMs = performance.now() - t0;
    const chunks = documentRaster(doc, image, labels).chunkCount;
    return { intervals, paints, commitMs, chunks };
}

Object.assign(window, { tesseraBench: { stage, stroke } });
