// The drawing page's DICOM controls, shown for DICOM items only: the window/level tool (drag on
// the image: horizontal = width, vertical = centre), its reset, the frame selector of a
// multi-frame file and the metadata panel. Each change asks the server for the re-rendered view,
// debounced while dragging; the shapes are in image pixels and do not move.
import type { ImageSource } from "../../../canvas/image_layer";
import type { ApiResult } from "../../../client/result";
import type { DicomMetadata, DicomWindow, Id, Item } from "../../../schema/api";
import { h } from "../../dom";
import type { Timers } from "./autosave";
import type { DicomView } from "./dicom_view";
import {
    dicomImageUrl,
    dragScale,
    dragWindow,
    isDicom,
    kDefaultDicomView,
    metadataRows,
    stepFrame,
    windowText,
} from "./dicom_view";

/** How long a drag rests before the server renders the window reached. */
export const kWindowDebounceMs = 120;

export interface DicomControlsDeps {
    readonly client: {
        dicomMetadata(id: Id, itemId: Id): Promise<ApiResult<DicomMetadata>>;
    };
    readonly projectId: Id;
    readonly timers: Timers;
    sayError(message: string): void;
}

/** The image on screen as the controls see it. */
export interface DicomStage {
    readonly element: HTMLElement;
    readonly imagePixelsPerScreenPixel: number;
    setImageSource(source: ImageSource): void;
}

interface Drag {
    readonly pointer: number;
    readonly x: number;
    readonly y: number;
    readonly start: DicomWindow;
}

export class DicomControls {
    readonly element = h("section", {
        class: "dicom-panel",
        "aria-label": "DICOM",
        hidden: true,
    });
    private readonly windowLine = h("p", { class: "dicom-window", role: "status" });
    private readonly toolButton = h(
        "button",
        { type: "button", "aria-pressed": "false", title: "Window/level: drag on the image (W)" },
        "Window/level",
    );
    private readonly resetButton = h(
        "button",
        { type: "button", title: "Back to the file's window (Shift+W)" },
        "Reset",
    );
    private readonly frameSlider = h("input", {
        type: "range",
        min: "0",
        step: "1",
        "aria-label": "Frame",
    });
    private readonly frameLabel = h("span", { class: "dicom-frame" });
    private readonly frameRow = h("label", {}, "Frame ", this.frameSlider, this.frameLabel);
    private readonly details = h("dl", { class: "dicom-meta" });

    private item: Item | null = null;
    private stage: DicomStage | null = null;
    private meta: DicomMetadata | null = null;
    private view: DicomView = kDefaultDicomView;
    private active = false;
    private drag: Drag | null = null;
    private timer: number | null = null;

    constructor(private readonly deps: DicomControlsDeps) {
        this.toolButton.addEventListener("click", () => {
            this.toggleTool();
        });
        this.resetButton.addEventListener("click", () => {
            this.resetWindow();
        });
        this.frameSlider.addEventListener("input", () => {
            this.setFrame(Number(this.frameSlider.value));
        });
        this.element.append(
            h("h2", {}, "DICOM"),
            h("div", { class: "dicom-tools" }, this.toolButton, this.resetButton),
            this.windowLine,
            this.frameRow,
            this.details,
        );
    }

    /** True while dragging on the image changes the window instead of drawing. */
    get toolActive(): boolean {
        return this.active;
    }

    /** Follows the image on screen: shows the controls for a DICOM item, hides them otherwise. */
    async show(item: Item | null, stage: DicomStage | null): Promise<void> {
        this.detach();
        this.item = item;
        this.stage = stage;
        this.meta = null;
        this.view = kDefaultDicomView;
        this.element.hidden = true;
        if (item === null || stage === null || !isDicom(item)) {
            return;
        }
        stage.element.addEventListener("pointerdown", this.onDown, { capture: true });
        const r = await this.deps.client.dicomMetadata(this.deps.projectId, item.id);
        if (this.item !== item) {
            return; // another image opened meanwhile
        }
        if (!r.ok) {
            this.deps.sayError(`DICOM details are not available: ${r.error.message}`);
            return;
        }
        this.meta = r.value;
        this.render();
    }

    toggleTool(): void {
        if (this.meta?.monochrome !== true) {
            return;
        }
        this.active = !this.active;
        this.render();
    }

    resetWindow(): void {
        if (this.meta === null || this.view.window === null) {
            return;
        }
        this.view = { ...this.view, window: null };
        this.applyNow();
    }

    /** Steps the frame of a multi-frame file (keys PageUp / PageDown). */
    stepFrame(delta: number): void {
        if (this.meta !== null) {
            this.setFrame(stepFrame(this.view.frame, delta, this.meta.frames));
        }
    }

    private setFrame(frame: number): void {
        if (this.meta === null || frame === this.view.frame) {
            return;
        }
        this.view = { ...this.view, frame: stepFrame(frame, 0, this.meta.frames) };
        this.applyNow();
    }

    private render(): void {
        const m = this.meta;
        if (m === null) {
            return;
        }
        this.element.hidden = false;
        this.toolButton.hidden = !m.monochrome;
        this.resetButton.hidden = !m.monochrome;
        this.toolButton.setAttribute("aria-pressed", String(this.active));
        this.toolButton.classList.toggle("active", this.active);
        this.stage?.element.classList.toggle("window-level", this.active);
        this.windowLine.hidden = !m.monochrome;
        this.windowLine.textContent = windowText(this.view, m);
        this.frameRow.hidden = m.frames < 2;
        this.frameSlider.max = String(m.frames - 1);
        this.frameSlider.value = String(this.view.frame);
        this.frameLabel.textContent = ` ${this.view.frame + 1} of ${m.frames}`;
        this.details.replaceChildren(
            ...metadataRows(m).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
        );
    }

    private applyNow(): void {
        this.cancelTimer();
        this.render();
        const item = this.item;
        if (item !== null) {
            this.stage?.setImageSource({
                kind: "image",
                url: dicomImageUrl(item.image_url, this.view),
            });
        }
    }

    private applySoon(): void {
        this.render();
        this.cancelTimer();
        this.timer = this.deps.timers.set(() => {
            this.timer = null;
            this.applyNow();
        }, kWindowDebounceMs);
    }

    private cancelTimer(): void {
        if (this.timer !== null) {
            this.deps.timers.clear(this.timer);
            this.timer = null;
        }
    }

    private detach(): void {
        this.cancelTimer();
        this.endDrag();
        this.stage?.element.removeEventListener("pointerdown", this.onDown, { capture: true });
        this.stage?.element.classList.remove("window-level");
    }

    // Captured before the drawing tools see the press: while the tool is on, drags are ours.
    private readonly onDown = (e: PointerEvent): void => {
        const m = this.meta;
        const start = this.view.window ?? m?.default_window ?? null;
        if (!this.active || m === null || start === null || e.button !== 0) {
            return;
        }
        e.preventDefault();
        e.stopPropagation();
        this.drag = { pointer: e.pointerId, x: e.clientX, y: e.clientY, start };
        window.addEventListener("pointermove", this.onMove, { capture: true });
        window.addEventListener("pointerup", this.onUp, { capture: true });
        window.addEventListener("pointercancel", this.onUp, { capture: true });
    };

    private readonly onMove = (e: PointerEvent): void => {
        const d = this.drag;
        if (d === null || e.pointerId !== d.pointer || this.meta === null || this.stage === null) {
            return;
        }
        e.stopPropagation();
        const k = this.stage.imagePixelsPerScreenPixel;
        const window = dragWindow(
            d.start,
            (e.clientX - d.x) * k,
            (e.clientY - d.y) * k,
            dragScale(this.meta),
        );
        this.view = { ...this.view, window };
        this.applySoon();
    };

    private readonly onUp = (e: PointerEvent): void => {
        if (this.drag === null || e.pointerId !== this.drag.pointer) {
            return;
        }
        e.stopPropagation();
        this.endDrag();
        this.applyNow();
    };

    private endDrag(): void {
        this.drag = null;
        window.removeEventListener("pointermove", this.onMove, { capture: true });
        window.removeEventListener("pointerup", this.onUp, { capture: true });
        window.removeEventListener("pointercancel", this.onUp, { capture: true });
    }
}
