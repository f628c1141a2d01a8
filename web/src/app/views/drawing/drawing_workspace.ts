// The drawing page's work area: the tool bar, the label picker and shape list, and the stage of
// the image on screen, over one DrawingController. It knows the tools and shapes, not the server
// or the moves between images (DrawingFlow) or the header and footer (DrawingChrome).
import type { ImageSource } from "../../../canvas/image_layer";
import { labelColor } from "../../../canvas/palette";
import type { ToolName } from "../../../canvas/tools/tool";
import type { ApiClient } from "../../../client/api_client";
import type { Item, Project } from "../../../schema/api";
import type { Shape } from "../../../schema/shapes";
import { h } from "../../dom";
import type { DraftStatus } from "./autosave";
import type { ActionImage } from "./drawing_actions";
import { DicomControls } from "./dicom_controls";
import { DrawingController } from "./drawing_controller";
import type { OpenImage, ToolSettings } from "./drawing_image";
import { clampBrushRadius, kWindowTimers, outlineVia } from "./drawing_image";
import type { DrawingAction, KeyedImage } from "./drawing_keys";
import type { Opened, Restored } from "./drawing_session";
import { DrawingSidePanels, labelForKey } from "./drawing_side_panels";
import type { StageAreaDeps } from "./drawing_stage_area";
import { StageArea } from "./drawing_stage_area";
import { DrawingToolbar } from "./drawing_toolbar";
import type { ToolSpec } from "./drawing_tools";
import { toolsFor } from "./drawing_tools";

/** What the work area needs from the page around it. */
export interface WorkspaceHost {
    readonly client: ApiClient;
    /** A tool bar button: runs the key table's action. */
    act(a: DrawingAction): void;
    sayError(message: string): void;
    showDraftStatus(s: DraftStatus): void;
}

export class DrawingWorkspace {
    readonly ctl: DrawingController;
    private readonly labels: string[];
    private readonly specs: readonly ToolSpec[];
    private toolName: ToolName;
    private idCounter = 0;
    private readonly settings: ToolSettings = { templateSize: { w: 50, h: 50 }, brushRadius: 8 };
    private readonly toolbar: DrawingToolbar;
    private readonly panels: DrawingSidePanels;
    private readonly area: StageArea;
    /** Window/level, frames and metadata of DICOM items (hidden for other images). */
    readonly dicom: DicomControls;

    constructor(
        private readonly project: Project,
        private readonly host: WorkspaceHost,
    ) {
        this.labels = project.label_list.map((l) => l.path);
        this.specs = toolsFor(project.task_type);
        this.toolName = this.specs[0]?.name ?? "box";
        this.ctl = new DrawingController(this.labels, () => this.newId());
        this.panels = new DrawingSidePanels(project.label_list, {
            labels: this.labels,
            colorOf: (l) => this.colorOf(l),
            relabel: (id, label) => this.ctl.relabel(id, label),
            pickLabel: (path) => {
                this.pickLabel(path);
            },
        });
        this.toolbar = this.makeToolbar();
        this.area = new StageArea(this.imageDeps());
        this.dicom = new DicomControls({
            client: host.client,
            projectId: project.id,
            timers: kWindowTimers,
            sayError: (m) => {
                host.sayError(m);
            },
        });
        this.panels.right.append(this.dicom.element);
        this.panels.renderLabels(this.ctl.label);
        this.setTool(this.toolName);
    }

    /** The tool bar above, and the body: label picker, stage, shape list. */
    get elements(): HTMLElement[] {
        return [
            this.toolbar.element,
            h(
                "div",
                { class: "draw-body" },
                this.panels.left,
                this.area.element,
                this.panels.right,
            ),
        ];
    }

    /** The image on screen, null before the first and after the last. */
    get current(): OpenImage | null {
        return this.area.current;
    }

    /** Puts `opened` on the stage with its starting shapes, under the current tool. */
    open(opened: Opened, source: ImageSource, restored: Restored): OpenImage {
        const o = this.area.show(opened, source, restored, this.toolbar);
        this.ctl.open(o.doc, { width: opened.item.width, height: opened.item.height });
        this.setTool(this.toolName);
        this.renderShapes();
        void this.dicom.show(opened.item, o.stage);
        return o;
    }

    /** Call once the page shows the new image: waits for its tiles behind a preview. */
    afterOpen(o: OpenImage, source: ImageSource): void {
        o.stage.element.focus();
        this.area.swapToTilesIfPreparing(o, source);
    }

    /** Closes the image on screen; its pending draft goes out at once. */
    close(): void {
        void this.dicom.show(null, null);
        if (this.area.close()) {
            this.ctl.open(null, { width: 0, height: 0 });
        }
    }

    showAllDone(): void {
        this.close();
        this.area.showAllDone(this.project.id);
        this.renderShapes();
    }

    dispose(): void {
        this.close();
        this.area.dispose();
    }

    /** Drops a half-drawn shape and returns the shapes on screen. */
    finishShapes(): Shape[] {
        const o = this.current;
        if (o === null) {
            return [];
        }
        this.cancelTool(o);
        return o.doc.shapes();
    }

    remember(shapes: Shape[], item: Item): void {
        this.ctl.remember(shapes, item);
    }

    /** The image on screen as the actions see it. */
    actionImage(): ActionImage | null {
        const o = this.current;
        if (o === null) {
            return null;
        }
        const cancelTool = (): void => {
            this.cancelTool(o);
        };
        return { doc: o.doc, stage: o.stage, cancelTool };
    }

    /** The image on screen as the key router sees it. */
    keyedImage(): KeyedImage | null {
        const o = this.current;
        if (o === null) {
            return null;
        }
        return {
            toolKey: (key) => {
                const took = o.tools.get(this.toolName)?.key(key) === true;
                if (took) {
                    o.stage.invalidate("static", "overlay");
                }
                return took;
            },
            hasSelection: o.doc.selected !== null,
        };
    }

    pickLabelKey(key: number): void {
        const l = labelForKey(this.project.label_list, key);
        if (l !== undefined) {
            this.pickLabel(l.path);
        }
    }

    pickToolKey(key: string): void {
        const spec = this.specs.find((s) => s.key === key);
        if (spec !== undefined) {
            this.setTool(spec.name);
        }
    }

    nudgeBrush(delta: number): void {
        this.settings.brushRadius = clampBrushRadius(this.settings.brushRadius + delta);
        this.toolbar.showBrushRadius(this.settings.brushRadius);
    }

    private makeToolbar(): DrawingToolbar {
        const semantic = this.project.task_type === "semantic";
        return new DrawingToolbar(this.specs, semantic ? this.settings.brushRadius : null, {
            act: (a) => {
                this.host.act(a);
            },
            setTool: (name) => {
                this.setTool(name);
            },
            copyPrevious: () => this.ctl.copyPrevious(),
            setBrushRadius: (r) => {
                this.settings.brushRadius = r;
            },
            setFilter: (brightness, contrast) => {
                this.current?.stage.setFilter(brightness, contrast);
            },
        });
    }

    private imageDeps(): StageAreaDeps {
        return {
            settings: this.settings,
            labels: this.labels,
            specs: this.specs,
            client: this.host.client,
            projectId: this.project.id,
            storage: localStorage,
            timers: kWindowTimers,
            label: () => this.ctl.label,
            newId: () => this.newId(),
            outline: outlineVia(this.host.client, this.project.id),
            colorOf: (l) => this.colorOf(l),
            notify: (m) => {
                this.host.sayError(m);
            },
            sayError: (m) => {
                this.host.sayError(m);
            },
            onStatus: (s) => {
                this.host.showDraftStatus(s);
            },
            onChange: () => {
                this.renderShapes();
            },
        };
    }

    private renderShapes(): void {
        const o = this.current;
        this.toolbar.update({
            canUndo: o?.doc.canUndo === true,
            canRedo: o?.doc.canRedo === true,
            canCopy: o !== null && this.ctl.canCopyPrevious,
            locked: o?.doc.locked === true,
            allHidden: this.ctl.allHidden,
        });
        this.panels.renderShapes(o === null ? null : o.doc);
    }

    private cancelTool(o: OpenImage): void {
        o.tools.get(this.toolName)?.cancel();
    }

    private colorOf(label: string): string {
        return labelColor(this.labels.indexOf(label));
    }

    private newId(): string {
        this.idCounter++;
        return `s${Date.now().toString(36)}${this.idCounter.toString(36)}`;
    }

    private setTool(name: ToolName): void {
        if (!this.specs.some((s) => s.name === name)) {
            return;
        }
        this.toolName = name;
        this.toolbar.showTool(name);
        this.current?.stage.setTool(this.current.tools.get(name) ?? null);
    }

    private pickLabel(path: string): void {
        if (this.ctl.pickLabel(path)) {
            this.panels.renderLabels(this.ctl.label);
        }
    }
}
