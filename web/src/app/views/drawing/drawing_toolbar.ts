// The drawing page's tool bar: tool buttons, brush size, zoom, undo/redo, lock, hide, delete all,
// copy from previous, brightness and contrast. Buttons run the same actions as the key table.
import type { ToolName } from "../../../canvas/tools/tool";
import { h } from "../../dom";
import type { DrawingAction } from "./drawing_keys";
import type { ToolSpec } from "./drawing_tools";

export interface ToolbarHandlers {
    act(a: DrawingAction): void;
    setTool(name: ToolName): void;
    copyPrevious(): void;
    setBrushRadius(screenPixels: number): void;
    setFilter(brightness: number, contrast: number): void;
}

export interface ToolbarState {
    readonly canUndo: boolean;
    readonly canRedo: boolean;
    readonly canCopy: boolean;
    readonly locked: boolean;
    readonly allHidden: boolean;
}

export class DrawingToolbar {
    readonly element: HTMLElement;
    private readonly toolButtons_ = new Map<ToolName, HTMLButtonElement>();
    private readonly brush_: HTMLInputElement;
    private readonly undo_: HTMLButtonElement;
    private readonly redo_: HTMLButtonElement;
    private readonly lock_: HTMLButtonElement;
    private readonly hide_: HTMLButtonElement;
    private readonly copy_: HTMLButtonElement;
    private readonly filter_ = { brightness: 100, contrast: 100 };

    constructor(
        specs: readonly ToolSpec[],
        brushRadius: number | null,
        private readonly on: ToolbarHandlers,
    ) {
        const button = (text: string, action: DrawingAction): HTMLButtonElement =>
            h(
                "button",
                {
                    type: "button",
                    onclick: () => {
                        on.act(action);
                    },
                },
                text,
            );
        this.brush_ = h("input", {
            type: "range",
            min: 1,
            max: 64,
            value: brushRadius ?? 8,
            "aria-label": "Brush size",
            oninput: (e: Event) => {
                on.setBrushRadius(Number((e.target as HTMLInputElement).value));
            },
        });
        this.undo_ = button("Undo", { kind: "undo" });
        this.redo_ = button("Redo", { kind: "redo" });
        this.lock_ = button("Lock (L)", { kind: "lock" });
        this.hide_ = button("Hide all (H)", { kind: "hide" });
        this.copy_ = h(
            "button",
            {
                type: "button",
                onclick: () => {
                    on.copyPrevious();
                },
            },
            "Copy from previous image",
        );
        this.element = h(
            "div",
            { class: "draw-toolbar", role: "toolbar", "aria-label": "Drawing tools" },
            specs.map((s) => this.toolButton(s)),
            brushRadius === null ? null : h("label", {}, "Brush ", this.brush_),
            button("+", { kind: "zoomIn" }),
            button("−", { kind: "zoomOut" }),
            button("Fit", { kind: "fit" }),
            this.undo_,
            this.redo_,
            this.lock_,
            this.hide_,
            button("Delete all (D)", { kind: "deleteAll" }),
            this.copy_,
            h("label", {}, "Brightness ", this.slider("brightness")),
            h("label", {}, "Contrast ", this.slider("contrast")),
        );
    }

    get brightness(): number {
        return this.filter_.brightness;
    }
    get contrast(): number {
        return this.filter_.contrast;
    }

    /** Marks `name` as the active tool. */
    showTool(name: ToolName): void {
        for (const [n, b] of this.toolButtons_) {
            b.classList.toggle("active", n === name);
            b.setAttribute("aria-pressed", n === name ? "true" : "false");
        }
    }

    showBrushRadius(screenPixels: number): void {
        this.brush_.value = String(screenPixels);
    }

    update(s: ToolbarState): void {
        this.undo_.disabled = !s.canUndo;
        this.redo_.disabled = !s.canRedo;
        this.copy_.disabled = !s.canCopy;
        this.lock_.textContent = s.locked ? "Unlock (L)" : "Lock (L)";
        this.hide_.textContent = s.allHidden ? "Show all (H)" : "Hide all (H)";
    }

    private toolButton(s: ToolSpec): HTMLButtonElement {
        const b = h(
            "button",
            {
                type: "button",
                class: "seg-button",
                title: s.title,
                "data-tool": s.name,
                "aria-keyshortcuts": s.key.toUpperCase(),
                onclick: () => {
                    this.on.setTool(s.name);
                },
            },
            `${s.name} (${s.key.toUpperCase()})`,
        );
        this.toolButtons_.set(s.name, b);
        return b;
    }

    private slider(name: "brightness" | "contrast"): HTMLInputElement {
        return h("input", {
            type: "range",
            min: 20,
            max: 300,
            value: 100,
            "aria-label": name === "brightness" ? "Brightness" : "Contrast",
            oninput: (e: Event) => {
                this.filter_[name] = Number((e.target as HTMLInputElement).value);
                this.on.setFilter(this.filter_.brightness, this.filter_.contrast);
            },
        });
    }
}
