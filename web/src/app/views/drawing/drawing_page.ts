// The labeling page for bounding box, polygon and semantic segmentation projects: one image at a
// time (POST /next {"count": 1}), the label list with keys 1-9, the tools, a shape list, and
// Submit (PUT .../annotation {"lease", "shapes"}). Work in progress autosaves as a draft.
import type { ImageSource } from "../../../canvas/image_layer";
import { kTiledThreshold } from "../../../canvas/image_layer";
import { labelColor } from "../../../canvas/palette";
import { Stage } from "../../../canvas/stage";
import { preparingMessage, waitForTiles } from "./tile_wait";
import { createTool } from "../../../canvas/tools/index";
import type { Tool, ToolHost, ToolName } from "../../../canvas/tools/tool";
import { clampBox } from "../../../geometry/box";
import { clampRings } from "../../../geometry/polygon";
import type { Item, Project, TileInfo } from "../../../schema/api";
import type { Shape } from "../../../schema/shapes";
import { shapeToApi, shapesFromApi } from "../../../schema/shapes";
import { AnnotationDocument } from "../../../store/annotation_document";
import type { AppContext, Unmount } from "../../context";
import { errorBox, h, replaceChildren } from "../../dom";
import { Autosaver } from "./autosave";
import type { ToolSpec } from "./drawing_tools";
import { kDrawingShortcuts, toolsFor } from "./drawing_tools";

const kRenewMs = 120_000;

interface Current {
    readonly item: Item;
    readonly lease: string;
    readonly doc: AnnotationDocument;
    readonly stage: Stage;
    readonly saver: Autosaver;
    readonly tools: Map<ToolName, Tool>;
    readonly unsubscribe: () => void;
}

function isTyping(e: KeyboardEvent): boolean {
    const t = e.target;
    return (
        t instanceof HTMLInputElement ||
        t instanceof HTMLTextAreaElement ||
        t instanceof HTMLSelectElement
    );
}

function shapeSummary(s: Shape): string {
    const g = s.geometry;
    switch (g.kind) {
        case "box":
            return `box ${Math.round(g.box.w)}×${Math.round(g.box.h)}`;
        case "polygon":
            return `polygon, ${g.rings.reduce((n, r) => n + r.length, 0)} points`;
        case "mask":
            return "mask";
    }
}

function withoutConfidence(s: Shape): Shape {
    return { id: s.id, label: s.label, geometry: s.geometry };
}

export function mountDrawing(main: HTMLElement, ctx: AppContext, project: Project): Unmount {
    const pid = project.id;
    const labels = project.label_list.map((l) => l.path);
    const colorOf = (label: string): string => labelColor(labels.indexOf(label));
    const specs = toolsFor(project.task_type);
    let label: string | null = labels[0] ?? null;
    let toolName: ToolName = specs[0]?.name ?? "box";
    let current: Current | null = null;
    let previousShapes: Shape[] = [];
    let previousSize = { width: 0, height: 0 };
    let idCounter = 0;
    let disposed = false;
    let allHidden = false;
    const settings = { templateSize: { w: 50, h: 50 }, brushRadius: 8 };
    const filter = { brightness: 100, contrast: 100 };

    const notice = h("div", { class: "notice", role: "status" });
    const labelList = h("ol", { class: "draw-labels", "aria-label": "Labels" });
    const shapeList = h("ul", { class: "draw-shapes", "aria-label": "Shapes" });
    const stageHost = h("div", { class: "draw-stage-host" });
    const preparing = h("div", { class: "stage-preparing", role: "status", hidden: true });
    const toolButtons = new Map<ToolName, HTMLButtonElement>();
    const title = h("span", { class: "muted" });
    const prelabelBadge = h(
        "span",
        { class: "badge prelabel", hidden: true, title: "Shapes from an imported prelabel" },
        "Prelabel — review and submit",
    );
    const submitButton = h(
        "button",
        { type: "button", class: "primary", onclick: () => void submit() },
        "Submit",
    );
    const skipButton = h("button", { type: "button", onclick: () => void skip() }, "Skip");
    const lockButton = h("button", { type: "button", onclick: toggleLock }, "Lock (L)");
    const hideButton = h("button", { type: "button", onclick: toggleHideAll }, "Hide all (H)");
    const undoButton = h("button", { type: "button", onclick: undo }, "Undo");
    const redoButton = h("button", { type: "button", onclick: redo }, "Redo");
    const copyButton = h(
        "button",
        { type: "button", onclick: copyPrevious },
        "Copy from previous image",
    );
    const brushSize = h("input", {
        type: "range",
        min: 1,
        max: 64,
        value: settings.brushRadius,
        "aria-label": "Brush size",
        oninput: (e: Event) => {
            settings.brushRadius = Number((e.target as HTMLInputElement).value);
        },
    });
    const slider = (name: "brightness" | "contrast"): HTMLInputElement =>
        h("input", {
            type: "range",
            min: 20,
            max: 300,
            value: 100,
            "aria-label": name === "brightness" ? "Brightness" : "Contrast",
            oninput: (e: Event) => {
                filter[name] = Number((e.target as HTMLInputElement).value);
                current?.stage.setFilter(filter.brightness, filter.contrast);
            },
        });

    const toolbar = h(
        "div",
        { class: "draw-toolbar", role: "toolbar", "aria-label": "Drawing tools" },
        specs.map((s: ToolSpec) => {
            const b = h(
                "button",
                {
                    type: "button",
                    class: "seg-button",
                    title: s.title,
                    "data-tool": s.name,
                    "aria-keyshortcuts": s.key.toUpperCase(),
                    onclick: () => {
                        setTool(s.name);
                    },
                },
                `${s.name} (${s.key.toUpperCase()})`,
            );
            toolButtons.set(s.name, b);
            return b;
        }),
        project.task_type === "semantic" ? h("label", {}, "Brush ", brushSize) : null,
        h("button", { type: "button", onclick: () => current?.stage.zoom(1.25) }, "+"),
        h("button", { type: "button", onclick: () => current?.stage.zoom(0.8) }, "−"),
        h("button", { type: "button", onclick: () => current?.stage.fit() }, "Fit"),
        undoButton,
        redoButton,
        lockButton,
        hideButton,
        h("button", { type: "button", onclick: deleteAll }, "Delete all (D)"),
        copyButton,
        h("label", {}, "Brightness ", slider("brightness")),
        h("label", {}, "Contrast ", slider("contrast")),
    );

    replaceChildren(
        main,
        h(
            "div",
            { class: "drawing" },
            h(
                "div",
                { class: "toolbar" },
                h("h1", {}, h("a", { href: `#/projects/${pid}` }, project.name)),
                title,
                prelabelBadge,
            ),
            toolbar,
            h(
                "div",
                { class: "draw-body" },
                h("aside", { class: "draw-side" }, h("h2", {}, "Labels"), labelList),
                stageHost,
                h("aside", { class: "draw-side" }, h("h2", {}, "Shapes"), shapeList),
            ),
            h(
                "div",
                { class: "draw-actions" },
                notice,
                h(
                    "details",
                    {},
                    h("summary", {}, "Keyboard shortcuts"),
                    h(
                        "dl",
                        {},
                        kDrawingShortcuts
                            .map(([k, v]) => [h("dt", {}, h("kbd", {}, k)), h("dd", {}, v)])
                            .flat(),
                    ),
                ),
                skipButton,
                submitButton,
            ),
        ),
    );

    function say(message: string, isError = false): void {
        replaceChildren(
            notice,
            message === "" ? null : isError ? errorBox(message) : h("p", {}, message),
        );
    }

    function renderLabels(): void {
        replaceChildren(
            labelList,
            project.label_list.map((l) =>
                h(
                    "li",
                    {},
                    h(
                        "button",
                        {
                            type: "button",
                            class: l.path === label ? "label-pick active" : "label-pick",
                            "aria-pressed": l.path === label ? "true" : "false",
                            style: `--label-color: ${colorOf(l.path)}`,
                            onclick: () => {
                                pickLabel(l.path);
                            },
                        },
                        l.key === null || l.key === undefined ? "" : h("kbd", {}, String(l.key)),
                        " ",
                        l.path,
                    ),
                ),
            ),
        );
    }

    function renderShapes(): void {
        const c = current;
        undoButton.disabled = c === null || !c.doc.canUndo;
        redoButton.disabled = c === null || !c.doc.canRedo;
        copyButton.disabled = previousShapes.length === 0;
        lockButton.textContent = c?.doc.locked === true ? "Unlock (L)" : "Lock (L)";
        hideButton.textContent = allHidden ? "Show all (H)" : "Hide all (H)";
        if (c === null) {
            replaceChildren(shapeList);
            return;
        }
        const shapes = c.doc.shapes();
        // Ten thousand rows would stall the page; the canvas is the real list beyond that.
        const shown = shapes.slice(-300);
        replaceChildren(
            shapeList,
            shapes.length > shown.length
                ? h("li", { class: "muted" }, `${shapes.length - shown.length} more…`)
                : null,
            shown.map((s) =>
                h(
                    "li",
                    {
                        class: s.id === c.doc.selected ? "shape-row selected" : "shape-row",
                        "data-shape-id": s.id,
                    },
                    h(
                        "button",
                        {
                            type: "button",
                            class: "link",
                            style: `color: ${colorOf(s.label)}`,
                            onclick: () => {
                                c.doc.select(s.id);
                            },
                        },
                        `${s.label} · ${shapeSummary(s)}`,
                    ),
                    h(
                        "button",
                        {
                            type: "button",
                            class: "link",
                            "aria-label": c.doc.isHidden(s.id) ? "Show" : "Hide",
                            onclick: () => {
                                c.doc.setHidden(s.id, !c.doc.isHidden(s.id));
                            },
                        },
                        c.doc.isHidden(s.id) ? "show" : "hide",
                    ),
                    h(
                        "button",
                        {
                            type: "button",
                            class: "link",
                            "aria-label": "Delete",
                            onclick: () => {
                                c.doc.remove([s.id]);
                            },
                        },
                        "×",
                    ),
                ),
            ),
        );
    }

    function setTool(name: ToolName): void {
        if (!specs.some((s) => s.name === name)) {
            return;
        }
        toolName = name;
        for (const [n, b] of toolButtons) {
            b.classList.toggle("active", n === name);
            b.setAttribute("aria-pressed", n === name ? "true" : "false");
        }
        if (current !== null) {
            current.stage.setTool(current.tools.get(name) ?? null);
        }
    }

    function pickLabel(path: string): void {
        label = path;
        renderLabels();
        const c = current;
        const sel = c?.doc.selected ?? null;
        const s = sel === null ? undefined : c?.doc.get(sel);
        if (c !== null && s !== undefined && s.label !== path && s.geometry.kind !== "mask") {
            c.doc.update({ ...s, label: path });
        }
    }

    function toggleLock(): void {
        current?.doc.setLocked(!current.doc.locked);
    }

    function toggleHideAll(): void {
        const c = current;
        if (c === null) {
            return;
        }
        allHidden = !allHidden;
        for (const s of c.doc.shapes()) {
            c.doc.setHidden(s.id, allHidden);
        }
    }

    function deleteAll(): void {
        current?.doc.remove(current.doc.shapes().map((s) => s.id));
    }

    function undo(): void {
        current?.tools.get(toolName)?.cancel();
        current?.doc.undo();
    }

    function redo(): void {
        current?.doc.redo();
    }

    function newId(): string {
        idCounter++;
        return `s${Date.now().toString(36)}${idCounter.toString(36)}`;
    }

    function copyPrevious(): void {
        const c = current;
        if (c === null) {
            return;
        }
        const size = { width: c.item.width, height: c.item.height };
        const copies: Shape[] = [];
        for (const s of previousShapes) {
            const g = s.geometry;
            if (g.kind === "box") {
                const box = clampBox(g.box, size);
                if (box.w > 0 && box.h > 0) {
                    copies.push({ id: newId(), label: s.label, geometry: { kind: "box", box } });
                }
            } else if (g.kind === "polygon") {
                const rings = clampRings(g.rings, size);
                copies.push({ id: newId(), label: s.label, geometry: { kind: "polygon", rings } });
            } else if (
                previousSize.width === size.width &&
                previousSize.height === size.height &&
                c.doc.get(s.id) === undefined
            ) {
                // Masks are pixel runs: they only carry over between images of the same size.
                copies.push(s);
            }
        }
        c.doc.apply(copies.map((s) => ({ id: s.id, before: null, after: s })));
    }

    function draftKey(item: Item): string {
        return `tessera.draft.${pid}.${item.id}`;
    }

    function tileSource(item: Item, info: TileInfo): ImageSource {
        return {
            kind: "tiles",
            tiles: {
                tileSize: info.tile_size,
                levels: info.levels,
                url: (level, col, row) => ctx.client.tileUrl(pid, item.id, level, col, row),
            },
        };
    }

    /** The picture to open with: "preparing" (the thumbnail) while the pyramid is built. */
    async function imageSource(item: Item): Promise<ImageSource> {
        if (item.width > kTiledThreshold || item.height > kTiledThreshold) {
            const r = await ctx.client.tileInfo(pid, item.id);
            if (r.ok) {
                return r.value.status === "building"
                    ? { kind: "preparing", preview: item.thumbnail_url }
                    : tileSource(item, r.value);
            }
        }
        return { kind: "image", url: item.image_url };
    }

    /** Shows the build's progress over the preview, then swaps the stage to tiles. */
    async function swapToTilesWhenReady(c: Current): Promise<void> {
        preparing.hidden = false;
        preparing.textContent = preparingMessage(0);
        const r = await waitForTiles({
            fetchInfo: () => ctx.client.tileInfo(pid, c.item.id),
            onProgress: (p) => {
                preparing.textContent = preparingMessage(p);
            },
            sleep: (ms) =>
                new Promise((resolve) => {
                    window.setTimeout(resolve, ms);
                }),
            cancelled: () => disposed || current !== c,
        });
        if (r === null) {
            return;
        }
        preparing.hidden = true;
        if (!r.ok) {
            say(`The full-resolution image is not available: ${r.error.message}`, true);
            return;
        }
        c.stage.setImageSource(tileSource(c.item, r.value));
    }

    /**
     * The shapes to start from: the local or server draft, else the caller's answer, else the
     * item's imported prelabel (`prelabel` true: shown for review, submitted as usual).
     */
    async function restoreShapes(item: Item): Promise<{ shapes: Shape[]; prelabel: boolean }> {
        const local = Autosaver.localCopy(localStorage, draftKey(item));
        if (local !== null) {
            return { shapes: shapesFromApi(local, "l"), prelabel: false };
        }
        const draft = await ctx.client.draft(pid, item.id);
        if (draft.ok && draft.value !== null && Array.isArray(draft.value.shapes)) {
            return { shapes: shapesFromApi(draft.value.shapes, "d"), prelabel: false };
        }
        const stored = await ctx.client.annotation(pid, item.id);
        if (!stored.ok || stored.value === null) {
            return { shapes: [], prelabel: false };
        }
        const prelabel = stored.value.source === "prelabel";
        const shapes = shapesFromApi(stored.value.shapes, prelabel ? "p" : "a");
        // Once reviewed, the shapes are the labeler's answer: the importer's scores would
        // otherwise be stored with it and exported as model confidences (COCO "score").
        return { shapes: prelabel ? shapes.map(withoutConfidence) : shapes, prelabel };
    }

    function closeCurrent(): void {
        prelabelBadge.hidden = true;
        preparing.hidden = true;
        if (current === null) {
            return;
        }
        void current.saver.flush(true);
        current.unsubscribe();
        current.stage.destroy();
        current = null;
    }

    async function open(item: Item, lease: string): Promise<void> {
        const [source, restored] = await Promise.all([imageSource(item), restoreShapes(item)]);
        const { shapes, prelabel } = restored;
        if (disposed) {
            return;
        }
        closeCurrent();
        const doc = new AnnotationDocument();
        doc.replaceAll(shapes);
        stageHost.replaceChildren();
        const image = { width: item.width, height: item.height };
        const stage = new Stage(stageHost, { image, source, doc, labels, colorOf });
        stageHost.append(preparing);
        stage.setFilter(filter.brightness, filter.contrast);
        const host: ToolHost = {
            doc,
            image,
            label: () => label,
            labels: () => labels,
            tolerance: () => 6 * stage.imagePixelsPerScreenPixel,
            newId,
            get templateSize() {
                return settings.templateSize;
            },
            set templateSize(v) {
                settings.templateSize = v;
            },
            get brushRadius() {
                return settings.brushRadius * stage.imagePixelsPerScreenPixel;
            },
            set brushRadius(v) {
                settings.brushRadius = v / stage.imagePixelsPerScreenPixel;
            },
            notify: (message) => {
                say(message, true);
            },
        };
        const tools = new Map<ToolName, Tool>(specs.map((s) => [s.name, createTool(s.name, host)]));
        const saver = new Autosaver(
            draftKey(item),
            () => doc.shapes().map(shapeToApi),
            async (s, keepalive) => (await ctx.client.saveDraft(pid, item.id, s, keepalive)).ok,
            localStorage,
            {
                set: (fn, ms) => window.setTimeout(fn, ms),
                clear: (t) => {
                    window.clearTimeout(t);
                },
            },
        );
        const unsubscribe = doc.subscribe((set) => {
            if (set.origin === "local") {
                saver.changed();
            }
            renderShapes();
        });
        current = { item, lease, doc, stage, saver, tools, unsubscribe };
        allHidden = false;
        setTool(toolName);
        title.textContent = `${item.name} (${item.width} × ${item.height})`;
        renderShapes();
        prelabelBadge.hidden = !prelabel || shapes.length === 0;
        if (prelabel && shapes.length > 0) {
            say(
                `${shapes.length} shape${shapes.length === 1 ? "" : "s"} from a prelabel: review, correct and submit.`,
            );
        } else if (shapes.length > 0) {
            say(
                `Restored ${shapes.length} shape${shapes.length === 1 ? "" : "s"} from your draft.`,
            );
        }
        stage.element.focus();
        if (source.kind === "preparing") {
            void swapToTilesWhenReady(current);
        }
    }

    async function loadNext(): Promise<void> {
        say("");
        const r = await ctx.client.next(pid, 1);
        if (disposed) {
            return;
        }
        if (!r.ok) {
            say(r.error.message, true);
            return;
        }
        const item = r.value.items[0];
        if (item === undefined) {
            closeCurrent();
            stageHost.replaceChildren(
                h(
                    "div",
                    { class: "done" },
                    h("h2", {}, "All done"),
                    h("a", { href: `#/projects/${pid}` }, "Back to the dashboard"),
                ),
            );
            submitButton.disabled = true;
            skipButton.disabled = true;
            renderShapes();
            return;
        }
        submitButton.disabled = false;
        skipButton.disabled = false;
        await open(item, r.value.lease);
    }

    async function submit(): Promise<void> {
        const c = current;
        if (c === null || submitButton.disabled) {
            return;
        }
        c.tools.get(toolName)?.cancel();
        submitButton.disabled = true;
        const shapes = c.doc.shapes();
        const r = await ctx.client.submitShapes(pid, c.item.id, c.lease, shapes.map(shapeToApi));
        submitButton.disabled = false;
        if (!r.ok) {
            say(r.error.message, true);
            return;
        }
        c.saver.discard();
        previousShapes = shapes;
        previousSize = { width: c.item.width, height: c.item.height };
        await loadNext();
    }

    async function skip(): Promise<void> {
        const c = current;
        if (c === null) {
            return;
        }
        const r = await ctx.client.skip(pid, c.item.id, c.lease);
        if (!r.ok) {
            say(r.error.message, true);
            return;
        }
        c.saver.discard();
        await loadNext();
    }

    function onKey(e: KeyboardEvent): void {
        const c = current;
        if (isTyping(e) || c === null) {
            return;
        }
        const tool = c.tools.get(toolName);
        const k = e.key;
        const mod = e.ctrlKey || e.metaKey;
        if (mod && k.toLowerCase() === "z") {
            e.preventDefault();
            if (e.shiftKey) {
                redo();
            } else {
                undo();
            }
            return;
        }
        if (mod && k === "Enter") {
            e.preventDefault();
            void submit();
            return;
        }
        if (mod || e.altKey) {
            return;
        }
        if (tool?.key(k) === true) {
            e.preventDefault();
            c.stage.invalidate("static", "overlay");
            return;
        }
        const spec = specs.find((s) => s.key === k.toLowerCase());
        if (spec !== undefined) {
            setTool(spec.name);
            return;
        }
        const byKey = project.label_list.find((l) => l.key !== null && String(l.key) === k);
        if (byKey !== undefined) {
            pickLabel(byKey.path);
            return;
        }
        switch (k) {
            case "Delete":
            case "Backspace":
                if (c.doc.selected !== null) {
                    e.preventDefault();
                    c.doc.remove([c.doc.selected]);
                }
                break;
            case "d":
            case "D":
                deleteAll();
                break;
            case "l":
            case "L":
                toggleLock();
                break;
            case "h":
            case "H":
                toggleHideAll();
                break;
            case "Escape":
                c.doc.select(null);
                break;
            case "+":
            case "=":
                c.stage.zoom(1.25);
                break;
            case "-":
                c.stage.zoom(0.8);
                break;
            case "0":
                c.stage.fit();
                break;
            case "[":
                settings.brushRadius = Math.max(1, settings.brushRadius - 2);
                brushSize.value = String(settings.brushRadius);
                break;
            case "]":
                settings.brushRadius = Math.min(64, settings.brushRadius + 2);
                brushSize.value = String(settings.brushRadius);
                break;
        }
    }

    function onHide(): void {
        if (document.visibilityState === "hidden") {
            void current?.saver.flush(true);
        }
    }
    function onPageHide(): void {
        const c = current;
        if (c !== null) {
            void c.saver.flush(true);
            void ctx.client.release(pid, c.lease, true);
        }
    }

    window.addEventListener("keydown", onKey);
    document.addEventListener("visibilitychange", onHide);
    window.addEventListener("pagehide", onPageHide);
    const renew = window.setInterval(() => {
        const c = current;
        if (c !== null) {
            void ctx.client.renew(pid, c.lease).then((r) => {
                if (!r.ok && r.error.code === "lease_invalid" && current === c) {
                    say(
                        "Your lease on this image ran out; your draft is kept. Loading the next one.",
                        true,
                    );
                    void loadNext();
                }
            });
        }
    }, kRenewMs);

    renderLabels();
    setTool(toolName);
    void loadNext();

    return () => {
        disposed = true;
        window.removeEventListener("keydown", onKey);
        document.removeEventListener("visibilitychange", onHide);
        window.removeEventListener("pagehide", onPageHide);
        window.clearInterval(renew);
        const c = current;
        closeCurrent();
        if (c !== null) {
            void ctx.client.release(pid, c.lease);
        }
    };
}
