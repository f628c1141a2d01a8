// Opening one image on the drawing page: the stage over the picture, the tools bound to it, the
// autosaver of a leased image, and the later swap from a preview to the full-resolution tiles.
import type { ImageSource } from "../../../canvas/image_layer";
import { Stage } from "../../../canvas/stage";
import { createTool } from "../../../canvas/tools/index";
import type { OutlineResult, Tool, ToolHost, ToolName } from "../../../canvas/tools/tool";
import type { ApiClient } from "../../../client/api_client";
import type { Box } from "../../../geometry/box";
import { imagePoint } from "../../../geometry/point";
import type { Id, Item } from "../../../schema/api";
import { shapeToApi } from "../../../schema/shapes";
import { AnnotationDocument } from "../../../store/annotation_document";
import type { DraftStatus, DraftStorage, Timers } from "./autosave";
import { Autosaver } from "./autosave";
import type { Opened, Restored } from "./drawing_session";
import { draftKey } from "./drawing_session";
import type { ToolSpec } from "./drawing_tools";
import type { TileApi } from "./image_source";
import { tileSource } from "./image_source";
import { preparingMessage, waitForTiles } from "./tile_wait";

/** What the tools share across images; the brush radius is in screen pixels. */
export interface ToolSettings {
    templateSize: { w: number; h: number };
    brushRadius: number;
}

export const kBrushRange = { min: 1, max: 64 } as const;

export function clampBrushRadius(r: number): number {
    return Math.min(kBrushRange.max, Math.max(kBrushRange.min, r));
}

/** The page's side of the tools: the label for new shapes, ids, and where messages go. */
export interface ToolHostDeps {
    readonly settings: ToolSettings;
    readonly labels: readonly string[];
    label(): string | null;
    newId(): string;
    notify(message: string): void;
    /** The server's outline of the object in a box of item `itemId` (the outline tool). */
    readonly outline?: (itemId: Id, box: Box) => Promise<OutlineResult>;
}

/** The outline tool's server call: the ring in image points, or the error's message. */
export function outlineVia(
    client: Pick<ApiClient, "outline">,
    projectId: Id,
): (itemId: Id, box: Box) => Promise<OutlineResult> {
    return async (itemId, box) => {
        const r = await client.outline(projectId, itemId, box);
        return r.ok
            ? { ok: true, ring: r.value.points.map(([x, y]) => imagePoint(x, y)) }
            : { ok: false, message: r.error.message };
    };
}

/** The tools' host on one image; sizes convert between screen and image pixels at the stage's zoom. */
export function toolHost(
    doc: AnnotationDocument,
    image: Item,
    stage: { readonly imagePixelsPerScreenPixel: number },
    deps: ToolHostDeps,
): ToolHost {
    const settings = deps.settings;
    const outline = deps.outline;
    return {
        doc,
        image: { width: image.width, height: image.height },
        label: () => deps.label(),
        labels: () => deps.labels,
        tolerance: () => 6 * stage.imagePixelsPerScreenPixel,
        newId: () => deps.newId(),
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
            deps.notify(message);
        },
        ...(outline && { outline: (box: Box) => outline(image.id, box) }),
    };
}

/** The browser's timers, for the autosaver's debounce. */
export const kWindowTimers: Timers = {
    set: (fn, ms) => window.setTimeout(fn, ms),
    clear: (t) => {
        window.clearTimeout(t);
    },
};

export interface DraftDeps {
    readonly client: Pick<ApiClient, "saveDraft">;
    readonly projectId: Id;
    readonly storage: DraftStorage;
    readonly timers: Timers;
    onStatus(s: DraftStatus): void;
}

/** The autosaver of a leased image (earlier answers are saved explicitly, not drafted). */
export function autosaverFor(
    opened: Opened,
    doc: AnnotationDocument,
    deps: DraftDeps,
): Autosaver | null {
    if (opened.kind !== "leased") {
        return null;
    }
    const pid = deps.projectId;
    const id = opened.item.id;
    const saver = new Autosaver(
        draftKey(pid, id),
        () => doc.shapes().map(shapeToApi),
        async (s, keepalive) => (await deps.client.saveDraft(pid, id, s, keepalive)).ok,
        deps.storage,
        deps.timers,
    );
    saver.onStatus = (s) => {
        deps.onStatus(s);
    };
    return saver;
}

/** The image on screen with its canvas, tools and (when leased) autosave. */
export interface OpenImage {
    readonly opened: Opened;
    readonly doc: AnnotationDocument;
    readonly stage: Stage;
    readonly saver: Autosaver | null;
    readonly tools: Map<ToolName, Tool>;
    readonly unsubscribe: () => void;
}

export interface OpenImageDeps extends ToolHostDeps, DraftDeps {
    readonly specs: readonly ToolSpec[];
    colorOf(label: string): string;
    /** Called after every change of the document (and its selection). */
    onChange(): void;
}

/** Builds the stage for `opened` in `host` (emptied first) with the restored shapes. */
export function openImage(
    host: HTMLElement,
    opened: Opened,
    source: ImageSource,
    restored: Restored,
    deps: OpenImageDeps,
): OpenImage {
    const item = opened.item;
    const doc = new AnnotationDocument();
    doc.replaceAll(restored.shapes);
    host.replaceChildren();
    const stage = new Stage(host, {
        image: { width: item.width, height: item.height },
        source,
        doc,
        labels: deps.labels,
        colorOf: (l) => deps.colorOf(l),
    });
    stage.element.setAttribute("role", "application");
    stage.element.setAttribute("aria-roledescription", "drawing canvas");
    stage.element.setAttribute("aria-label", `Image ${item.name}: draw shapes here`);
    const th = toolHost(doc, item, stage, deps);
    const tools = new Map(deps.specs.map((s) => [s.name, createTool(s.name, th)]));
    const saver = autosaverFor(opened, doc, deps);
    const unsubscribe = doc.subscribe((set) => {
        if (set.origin === "local") {
            saver?.changed();
        }
        deps.onChange();
    });
    return { opened, doc, stage, saver, tools, unsubscribe };
}

/** Sends the pending draft at once and takes the stage down. */
export function closeImage(o: OpenImage): void {
    void o.saver?.flush(true);
    o.unsubscribe();
    o.stage.destroy();
}

export interface TileSwapDeps {
    readonly client: TileApi;
    readonly projectId: Id;
    /** The "Preparing the full-resolution image…" line over the preview. */
    readonly preparing: HTMLElement;
    cancelled(): boolean;
    sayError(message: string): void;
}

/** Shows the build's progress over the preview, then swaps the stage to tiles. */
export async function swapToTilesWhenReady(o: OpenImage, deps: TileSwapDeps): Promise<void> {
    const item = o.opened.item;
    deps.preparing.hidden = false;
    deps.preparing.textContent = preparingMessage(0);
    const r = await waitForTiles({
        fetchInfo: () => deps.client.tileInfo(deps.projectId, item.id),
        onProgress: (p) => {
            deps.preparing.textContent = preparingMessage(p);
        },
        sleep: (ms) =>
            new Promise((resolve) => {
                window.setTimeout(resolve, ms);
            }),
        cancelled: () => deps.cancelled(),
    });
    if (r === null) {
        return;
    }
    deps.preparing.hidden = true;
    if (!r.ok) {
        deps.sayError(`The full-resolution image is not available: ${r.error.message}`);
        return;
    }
    o.stage.setImageSource(tileSource(deps.client, deps.projectId, item, r.value));
}
