// The drawing surface: three stacked canvases. The image layer (picture or tiles, with the
// brightness/contrast filter), the static layer with every committed shape, and the overlay
// with the selection and whatever the active tool is drawing. Pointer moves inside a tool only
// repaint the overlay; the static layer repaints when shapes or the view change, drawing only
// the shapes the spatial index finds on screen. Wheel and +/- zoom, space-drag or the middle
// button pan.
import type { ImagePoint, Size } from "../geometry/point";
import { screenPoint } from "../geometry/point";
import type { Viewport } from "../geometry/viewport";
import { containFit, panBy, screenToImage, visibleImageRect, zoomAt } from "../geometry/viewport";
import type { AnnotationDocument } from "../store/annotation_document";
import type { MaskRaster } from "../geometry/mask";
import { documentRaster } from "../store/mask_layer";
import type { Shape } from "../schema/shapes";
import type { ImageSource } from "./image_layer";
import { ImageLayer } from "./image_layer";
import type { ImageRect } from "./mask_renderer";
import { MaskRenderer } from "./mask_renderer";
import { kMaxNamedShapes, paintShapeNames, paintShapes, traceRings } from "./shape_painter";
import type { Tool } from "./tools/tool";

export interface StageOptions {
    readonly image: Size;
    readonly source: ImageSource;
    readonly doc: AnnotationDocument;
    readonly labels: readonly string[];
    colorOf(label: string): string;
}

interface Layer {
    readonly canvas: HTMLCanvasElement;
    readonly ctx: CanvasRenderingContext2D;
}

function makeLayer(parent: HTMLElement, name: string): Layer {
    const canvas = document.createElement("canvas");
    canvas.className = `stage-layer stage-${name}`;
    parent.appendChild(canvas);
    const ctx = canvas.getContext("2d");
    if (ctx === null) {
        throw new Error("2D canvas unavailable");
    }
    return { canvas, ctx };
}

export class Stage {
    readonly element: HTMLDivElement;
    private readonly imageLayer_: Layer;
    private readonly static_: Layer;
    private readonly overlay_: Layer;
    private readonly image_: ImageLayer;
    private view_: Viewport = { scale: 1, offset: screenPoint(0, 0) };
    private size_: Size = { width: 0, height: 0 };
    private tool_: Tool | null = null;
    private dirty_ = { image: true, static: true, overlay: true };
    /** Pan since the last static repaint; null once anything else needs a full repaint. */
    private panOnly_: { dx: number; dy: number } | null = null;
    private frame_ = 0;
    private pan_: { x: number; y: number } | null = null;
    private space_ = false;
    private fitted_ = false;
    /** Whether shapes carry their label's name (few enough on screen at the last repaint). */
    private names_ = true;
    /** Mask tiles on screen, shared by the document's raster and a brush stroke's copy. */
    private readonly masks_ = new MaskRenderer();
    private readonly cleanups_: (() => void)[] = [];
    /** Milliseconds spent in each repaint, newest last (read by the pan benchmark). */
    readonly frameTimes: number[] = [];
    onViewChange: (() => void) | null = null;

    constructor(
        parent: HTMLElement,
        private readonly opts: StageOptions,
    ) {
        this.element = document.createElement("div");
        this.element.className = "stage";
        this.element.tabIndex = 0;
        parent.appendChild(this.element);
        this.imageLayer_ = makeLayer(this.element, "image");
        this.static_ = makeLayer(this.element, "static");
        this.overlay_ = makeLayer(this.element, "overlay");
        this.image_ = new ImageLayer(opts.image, opts.source, () => {
            this.invalidate("image");
        });
        this.cleanups_.push(
            opts.doc.subscribe(() => {
                this.invalidate("static", "overlay");
            }),
        );
        this.listen();
        const ro = new ResizeObserver(() => {
            this.resize();
        });
        ro.observe(this.element);
        this.cleanups_.push(() => {
            ro.disconnect();
        });
        this.resize();
    }

    get viewport(): Viewport {
        return this.view_;
    }

    /** Image pixels per CSS pixel: hit-test slack and line widths follow the zoom. */
    get imagePixelsPerScreenPixel(): number {
        return 1 / this.view_.scale;
    }

    setTool(tool: Tool | null): void {
        this.tool_?.cancel();
        this.tool_ = tool;
        this.element.dataset["tool"] = tool?.name ?? "";
        this.invalidate("static", "overlay");
    }

    /** Replaces the picture under the shapes, e.g. tiles once the server has built them. */
    setImageSource(source: ImageSource): void {
        this.image_.setSource(source);
    }

    setFilter(brightness: number, contrast: number): void {
        this.imageLayer_.canvas.style.filter = `brightness(${brightness}%) contrast(${contrast}%)`;
    }

    fit(): void {
        this.view_ = containFit(this.opts.image, this.size_);
        this.fitted_ = this.size_.width > 0;
        this.invalidate("image", "static", "overlay");
    }

    zoom(factor: number, at?: { x: number; y: number }): void {
        const anchor = at ?? { x: this.size_.width / 2, y: this.size_.height / 2 };
        this.view_ = zoomAt(this.view_, screenPoint(anchor.x, anchor.y), factor);
        this.invalidate("image", "static", "overlay");
    }

    pan(dx: number, dy: number): void {
        this.view_ = panBy(this.view_, dx, dy);
        // A pan scrolls the static layer's pixels and paints only the strips it uncovers.
        const fresh = !this.dirty_.static;
        this.invalidate("image", "overlay");
        if (fresh || this.panOnly_ !== null) {
            const prev = this.panOnly_ ?? { dx: 0, dy: 0 };
            this.panOnly_ = { dx: prev.dx + dx, dy: prev.dy + dy };
            this.dirty_.static = true;
        }
    }

    /** Client (event) coordinates to image pixels. */
    toImage(clientX: number, clientY: number): ImagePoint {
        const r = this.element.getBoundingClientRect();
        return screenToImage(this.view_, screenPoint(clientX - r.left, clientY - r.top));
    }

    invalidate(...layers: ("image" | "static" | "overlay")[]): void {
        for (const l of layers) {
            this.dirty_[l] = true;
            if (l === "static") {
                this.panOnly_ = null;
            }
        }
        if (this.frame_ === 0) {
            this.frame_ = requestAnimationFrame(() => {
                this.frame_ = 0;
                this.paint();
            });
        }
    }

    destroy(): void {
        cancelAnimationFrame(this.frame_);
        for (const c of this.cleanups_) {
            c();
        }
        this.element.remove();
    }

    private resize(): void {
        const r = this.element.getBoundingClientRect();
        this.size_ = { width: Math.max(1, r.width), height: Math.max(1, r.height) };
        const dpr = window.devicePixelRatio || 1;
        for (const l of [this.imageLayer_, this.static_, this.overlay_]) {
            l.canvas.width = Math.round(this.size_.width * dpr);
            l.canvas.height = Math.round(this.size_.height * dpr);
        }
        if (!this.fitted_) {
            this.fit();
        }
        this.invalidate("image", "static", "overlay");
    }

    private prepare(l: Layer): void {
        const dpr = window.devicePixelRatio || 1;
        l.ctx.setTransform(1, 0, 0, 1, 0, 0);
        l.ctx.clearRect(0, 0, l.canvas.width, l.canvas.height);
        const v = this.view_;
        l.ctx.setTransform(v.scale * dpr, 0, 0, v.scale * dpr, v.offset.x * dpr, v.offset.y * dpr);
    }

    private paint(): void {
        const t0 = performance.now();
        const dpr = window.devicePixelRatio || 1;
        if (this.dirty_.image) {
            const l = this.imageLayer_;
            l.ctx.setTransform(1, 0, 0, 1, 0, 0);
            l.ctx.clearRect(0, 0, l.canvas.width, l.canvas.height);
            const v = this.view_;
            const scaled = {
                scale: v.scale * dpr,
                offset: screenPoint(v.offset.x * dpr, v.offset.y * dpr),
            };
            this.image_.draw(l.ctx, scaled, { width: l.canvas.width, height: l.canvas.height });
            this.exposeView();
        }
        if (this.dirty_.static) {
            if (this.panOnly_ === null) {
                this.paintStatic();
            } else {
                this.scrollStatic(this.panOnly_.dx, this.panOnly_.dy);
            }
            this.panOnly_ = null;
        }
        if (this.dirty_.overlay) {
            this.paintOverlay();
        }
        this.dirty_ = { image: false, static: false, overlay: false };
        this.frameTimes.push(performance.now() - t0);
        if (this.frameTimes.length > 1000) {
            this.frameTimes.shift();
        }
        this.onViewChange?.();
    }

    /**
     * The view and the tiles on screen as data attributes of the stage element, so browser tests
     * can map screen to image pixels and tell which pyramid level was drawn.
     */
    private exposeView(): void {
        const d = this.element.dataset;
        const v = this.view_;
        const t = this.image_.stats;
        d["scale"] = String(v.scale);
        d["offsetX"] = String(v.offset.x);
        d["offsetY"] = String(v.offset.y);
        d["tileLevel"] = String(t.level);
        d["tilesWanted"] = String(t.wanted);
        d["tilesDrawn"] = String(t.drawn);
    }

    /** The image area shown on screen, or in `area` (screen px). */
    private imageRect(area?: { x: number; y: number; w: number; h: number }): ImageRect {
        const v = this.view_;
        return area === undefined
            ? visibleImageRect(v, this.size_)
            : {
                  x: (area.x - v.offset.x) / v.scale,
                  y: (area.y - v.offset.y) / v.scale,
                  w: area.w / v.scale,
                  h: area.h / v.scale,
              };
    }

    private visibleShapes(area?: { x: number; y: number; w: number; h: number }): Shape[] {
        const doc = this.opts.doc;
        const editing = this.tool_?.editingId() ?? null;
        const v = this.view_;
        const rect = this.imageRect(area);
        // Grown by the stroke width so outlines just outside the area still get drawn.
        const pad = 2 / v.scale;
        const ids = new Set(
            doc.idsIn({
                x: rect.x - pad,
                y: rect.y - pad,
                w: rect.w + 2 * pad,
                h: rect.h + 2 * pad,
            }),
        );
        // Drawing order stays the document's, so overlaps look the same at every zoom.
        return doc.shapes().filter((s) => ids.has(s.id) && s.id !== editing && !doc.isHidden(s.id));
    }

    private scrollStatic(dx: number, dy: number): void {
        const l = this.static_;
        const dpr = window.devicePixelRatio || 1;
        const W = l.canvas.width;
        const H = l.canvas.height;
        const sx = Math.round(dx * dpr);
        const sy = Math.round(dy * dpr);
        if (sx !== dx * dpr || sy !== dy * dpr || Math.abs(sx) >= W || Math.abs(sy) >= H) {
            // Fractional device pixels would blur; a far jump uncovers everything anyway.
            this.paintStatic();
            return;
        }
        const ctx = l.ctx;
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.globalCompositeOperation = "copy";
        ctx.drawImage(l.canvas, sx, sy);
        ctx.globalCompositeOperation = "source-over";
        const strips: [number, number, number, number][] = [];
        if (sx > 0) {
            strips.push([0, 0, sx, H]);
        } else if (sx < 0) {
            strips.push([W + sx, 0, -sx, H]);
        }
        if (sy > 0) {
            strips.push([0, 0, W, sy]);
        } else if (sy < 0) {
            strips.push([0, H + sy, W, -sy]);
        }
        for (const [x, y, w, h] of strips) {
            ctx.save();
            ctx.setTransform(1, 0, 0, 1, 0, 0);
            ctx.clearRect(x, y, w, h);
            ctx.beginPath();
            ctx.rect(x, y, w, h);
            ctx.clip();
            this.paintStatic({ x: x / dpr, y: y / dpr, w: w / dpr, h: h / dpr });
            ctx.restore();
        }
    }

    /** Repaints the whole static layer, or only `area` (screen px) with the caller's clip. */
    private paintStatic(area?: { x: number; y: number; w: number; h: number }): void {
        const l = this.static_;
        if (area === undefined) {
            this.prepare(l);
        } else {
            const dpr = window.devicePixelRatio || 1;
            const v = this.view_;
            l.ctx.setTransform(
                v.scale * dpr,
                0,
                0,
                v.scale * dpr,
                v.offset.x * dpr,
                v.offset.y * dpr,
            );
        }
        const doc = this.opts.doc;
        const preview = this.tool_?.preview();
        if (preview?.kind !== "mask") {
            const masks = this.documentMask();
            if (masks !== null) {
                this.drawMask(l.ctx, masks, this.imageRect(area));
            }
        }
        const shapes = doc.size > 0 ? this.visibleShapes(area) : [];
        const colorOf = (label: string): string => this.opts.colorOf(label);
        paintShapes(l.ctx, shapes, colorOf, 2 / this.view_.scale);
        // Strips painted during a pan follow the last full repaint, so names never half-show.
        if (area === undefined) {
            this.names_ = shapes.length <= kMaxNamedShapes;
        }
        if (this.names_) {
            paintShapeNames(l.ctx, shapes, colorOf, this.view_.scale);
        }
    }

    /** The document's class raster (cached by the mask layer), or null without masks. */
    private documentMask(): MaskRaster | null {
        const doc = this.opts.doc;
        const hasMask = doc.shapes().some((s) => s.geometry.kind === "mask" && !doc.isHidden(s.id));
        return hasMask ? documentRaster(doc, this.opts.image, this.opts.labels) : null;
    }

    /** Draws a mask's tiles over `rect`; hidden mask shapes hide their label's pixels. */
    private drawMask(ctx: CanvasRenderingContext2D, raster: MaskRaster, rect: ImageRect): void {
        const doc = this.opts.doc;
        const hidden = new Set<number>();
        for (const s of doc.shapes()) {
            if (s.geometry.kind === "mask" && doc.isHidden(s.id)) {
                hidden.add(this.opts.labels.indexOf(s.label) + 1);
            }
        }
        this.masks_.setStyle(this.colors(), hidden);
        const dpr = window.devicePixelRatio || 1;
        this.masks_.draw(ctx, raster, rect, this.view_.scale * dpr);
        // For browser tests: the raster's memory (chunks of 128 KiB) and the tile renders.
        this.element.dataset["maskChunks"] = String(raster.chunkCount);
        this.element.dataset["maskTilesRendered"] = String(this.masks_.rendered);
    }

    private colors(): string[] {
        return this.opts.labels.map((l) => this.opts.colorOf(l));
    }

    private paintOverlay(): void {
        const l = this.overlay_;
        this.prepare(l);
        const ctx = l.ctx;
        const doc = this.opts.doc;
        const px = 1 / this.view_.scale;
        const preview = this.tool_?.preview() ?? null;
        const selected = doc.selected === null ? undefined : doc.get(doc.selected);
        const editing = this.tool_?.editingId() ?? null;
        if (selected !== undefined && selected.id !== editing) {
            this.outline(ctx, selected, "#ffffff", 3 * px, true);
        }
        if (preview === null) {
            return;
        }
        const color = "#ffd400";
        switch (preview.kind) {
            case "box":
                ctx.lineWidth = 2 * px;
                ctx.strokeStyle = color;
                ctx.strokeRect(preview.box.x, preview.box.y, preview.box.w, preview.box.h);
                break;
            case "path": {
                ctx.lineWidth = 2 * px;
                ctx.strokeStyle = color;
                ctx.beginPath();
                const pts =
                    preview.cursor === null ? preview.points : [...preview.points, preview.cursor];
                pts.forEach((p, i) => {
                    if (i === 0) {
                        ctx.moveTo(p.x, p.y);
                    } else {
                        ctx.lineTo(p.x, p.y);
                    }
                });
                ctx.stroke();
                ctx.fillStyle = color;
                for (const p of preview.points) {
                    ctx.fillRect(p.x - 3 * px, p.y - 3 * px, 6 * px, 6 * px);
                }
                break;
            }
            case "shape":
                this.outline(ctx, preview.shape, color, 2 * px, true);
                break;
            case "mask":
                this.drawMask(ctx, preview.raster, this.imageRect());
                break;
        }
    }

    private outline(
        ctx: CanvasRenderingContext2D,
        s: Shape,
        color: string,
        width: number,
        handles: boolean,
    ): void {
        const g = s.geometry;
        const px = 1 / this.view_.scale;
        ctx.lineWidth = width;
        ctx.strokeStyle = color;
        ctx.fillStyle = color;
        const handle = (x: number, y: number): void => {
            ctx.fillRect(x - 4 * px, y - 4 * px, 8 * px, 8 * px);
        };
        if (g.kind === "box") {
            const b = g.box;
            ctx.strokeRect(b.x, b.y, b.w, b.h);
            if (handles) {
                for (const [x, y] of [
                    [b.x, b.y],
                    [b.x + b.w / 2, b.y],
                    [b.x + b.w, b.y],
                    [b.x + b.w, b.y + b.h / 2],
                    [b.x + b.w, b.y + b.h],
                    [b.x + b.w / 2, b.y + b.h],
                    [b.x, b.y + b.h],
                    [b.x, b.y + b.h / 2],
                ] as const) {
                    handle(x, y);
                }
            }
        } else if (g.kind === "polygon") {
            ctx.beginPath();
            traceRings(ctx, g.rings);
            ctx.stroke();
            if (handles) {
                for (const ring of g.rings) {
                    for (const p of ring) {
                        handle(p.x, p.y);
                    }
                }
            }
        }
    }

    private listen(): void {
        const el = this.element;
        const on = <K extends keyof HTMLElementEventMap>(
            target: HTMLElement | Window,
            type: K,
            fn: (e: HTMLElementEventMap[K]) => void,
            opts?: AddEventListenerOptions,
        ): void => {
            target.addEventListener(type, fn as EventListener, opts);
            this.cleanups_.push(() => {
                target.removeEventListener(type, fn as EventListener, opts);
            });
        };
        on(el, "pointerdown", (e) => {
            el.focus();
            if (e.button === 1 || (e.button === 0 && this.space_)) {
                e.preventDefault();
                this.pan_ = { x: e.clientX, y: e.clientY };
                el.setPointerCapture(e.pointerId);
                return;
            }
            if (e.button === 0 && this.tool_ !== null) {
                el.setPointerCapture(e.pointerId);
                this.tool_.down(this.toImage(e.clientX, e.clientY));
                this.invalidate("static", "overlay");
            }
        });
        on(el, "pointermove", (e) => {
            if (this.pan_ !== null) {
                this.pan(e.clientX - this.pan_.x, e.clientY - this.pan_.y);
                this.pan_ = { x: e.clientX, y: e.clientY };
                return;
            }
            if (this.tool_ !== null) {
                this.tool_.move(this.toImage(e.clientX, e.clientY));
                this.invalidate("overlay");
            }
        });
        const release = (e: PointerEvent): void => {
            if (this.pan_ !== null) {
                this.pan_ = null;
                return;
            }
            if (this.tool_ !== null && e.button === 0) {
                this.tool_.up(this.toImage(e.clientX, e.clientY));
                this.invalidate("static", "overlay");
            }
        };
        on(el, "pointerup", release);
        on(el, "pointercancel", () => {
            this.pan_ = null;
            this.tool_?.cancel();
            this.invalidate("static", "overlay");
        });
        on(el, "dblclick", (e) => {
            this.tool_?.doubleClick(this.toImage(e.clientX, e.clientY));
            this.invalidate("static", "overlay");
        });
        on(el, "auxclick", (e) => {
            e.preventDefault();
        });
        on(
            el,
            "wheel",
            (e) => {
                e.preventDefault();
                const r = el.getBoundingClientRect();
                const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
                this.zoom(factor, { x: e.clientX - r.left, y: e.clientY - r.top });
            },
            { passive: false },
        );
        on(window, "keydown", (e) => {
            if (e.key === " " && e.target === el) {
                e.preventDefault();
                this.space_ = true;
                el.classList.add("panning");
            }
        });
        on(window, "keyup", (e) => {
            if (e.key === " ") {
                this.space_ = false;
                el.classList.remove("panning");
            }
        });
    }
}
