// The labeling page for bounding box, polygon and semantic segmentation projects: the DOM, the
// canvas and the key handler. What the buttons do to the shapes lives in DrawingController,
// the server traffic (lease, submit, skip, drafts, previous image) in DrawingSession, the keys
// in kDrawingKeys; see docs/design/canvas.md.
import { labelColor } from "../../../canvas/palette";
import { Stage } from "../../../canvas/stage";
import { createTool } from "../../../canvas/tools/index";
import type { Tool, ToolHost, ToolName } from "../../../canvas/tools/tool";
import type { Item, Project } from "../../../schema/api";
import { shapeToApi } from "../../../schema/shapes";
import { AnnotationDocument } from "../../../store/annotation_document";
import type { AppContext, Unmount } from "../../context";
import { errorBox, h, replaceChildren } from "../../dom";
import { isTypingTarget, keyPress, resolveKey } from "../../keymap";
import { AskDialog, shortcutsDialog } from "../dialogs";
import type { DraftStatus } from "./autosave";
import { Autosaver } from "./autosave";
import { DrawingController } from "./drawing_controller";
import type { DrawingAction } from "./drawing_keys";
import { kDrawingKeys, kKeysWithoutImage } from "./drawing_keys";
import type { Opened } from "./drawing_session";
import { DrawingSession, draftKey } from "./drawing_session";
import type { ToolSpec } from "./drawing_tools";
import { DrawingToolbar } from "./drawing_toolbar";
import { toolsFor } from "./drawing_tools";
import { imageSource, tileSource } from "./image_source";
import { selectedLabelMenu, shapeRows } from "./shape_list";
import { preparingMessage, waitForTiles } from "./tile_wait";

const kRenewMs = 120_000;

const kDraftText: Record<DraftStatus, string> = {
    changed: "Saving draft…",
    saving: "Saving draft…",
    saved: "Draft saved",
    failed: "Draft kept in this browser; the server did not take it yet",
};

/** The image on screen with its canvas, tools and (when leased) autosave. */
interface Open {
    readonly opened: Opened;
    readonly doc: AnnotationDocument;
    readonly stage: Stage;
    readonly saver: Autosaver | null;
    readonly tools: Map<ToolName, Tool>;
    readonly unsubscribe: () => void;
}

function plural(n: number, what: string): string {
    return `${n} ${what}${n === 1 ? "" : "s"}`;
}

export function mountDrawing(main: HTMLElement, ctx: AppContext, project: Project): Unmount {
    const page = new DrawingPage(main, ctx, project);
    return () => {
        page.dispose();
    };
}

class DrawingPage {
    private readonly pid: number;
    private readonly labels: string[];
    private readonly specs: readonly ToolSpec[];
    private readonly session: DrawingSession;
    private readonly ctl: DrawingController;
    private toolName: ToolName;
    private open_: Open | null = null;
    private busy = false;
    private disposed = false;
    private idCounter = 0;
    private readonly settings = { templateSize: { w: 50, h: 50 }, brushRadius: 8 };
    private readonly renewTimer: number;

    // Elements
    private readonly notice = h("div", { class: "notice", role: "status" });
    private readonly draftStatus = h("span", {
        class: "draft-status",
        role: "status",
        "data-testid": "draft-status",
    });
    private readonly progress = h("span", { class: "draw-progress", "data-testid": "progress" });
    private readonly labelList = h("ol", { class: "draw-labels", "aria-label": "Labels" });
    private readonly shapeList = h("ul", { class: "draw-shapes", "aria-label": "Shapes" });
    /** The selected shape's label menu, under the label picker. */
    private readonly selectedMenu = h("div", { class: "selected-menu" });
    private readonly stageHost = h("div", { class: "draw-stage-host" });
    private readonly preparing = h("div", {
        class: "stage-preparing",
        role: "status",
        hidden: true,
    });
    private readonly itemTitle = h("span", { class: "muted" });
    private readonly prelabelBadge = h(
        "span",
        { class: "badge prelabel", hidden: true, title: "Shapes from an imported prelabel" },
        "Prelabel — review and submit",
    );
    private readonly reviewBadge = h(
        "span",
        { class: "badge review", hidden: true },
        "Your earlier answer",
    );
    private readonly submitButton = h(
        "button",
        { type: "button", class: "primary", onclick: () => void this.submit() },
        "Submit",
    );
    private readonly skipButton = h(
        "button",
        { type: "button", onclick: () => void this.skip() },
        "Skip",
    );
    private readonly previousButton = h(
        "button",
        {
            type: "button",
            "aria-label": "Previous image",
            "aria-keyshortcuts": ", <",
            title: "Your earlier answers, newest first",
            onclick: () => void this.previous(),
        },
        "← Previous",
    );
    private readonly resumeButton = h(
        "button",
        { type: "button", hidden: true, onclick: () => void this.resume() },
        "Back to the current image",
    );
    private readonly toolbar: DrawingToolbar;
    private readonly help = shortcutsDialog(kDrawingKeys);
    private readonly askDialog = new AskDialog();

    constructor(
        main: HTMLElement,
        private readonly ctx: AppContext,
        private readonly project: Project,
    ) {
        this.pid = project.id;
        this.labels = project.label_list.map((l) => l.path);
        this.specs = toolsFor(project.task_type);
        this.toolName = this.specs[0]?.name ?? "box";
        this.session = new DrawingSession(ctx.client, this.pid, localStorage);
        this.ctl = new DrawingController(this.labels, () => this.newId());
        this.toolbar = new DrawingToolbar(
            this.specs,
            project.task_type === "semantic" ? this.settings.brushRadius : null,
            {
                act: (a) => {
                    this.act(a);
                },
                setTool: (name) => {
                    this.setTool(name);
                },
                copyPrevious: () => this.ctl.copyPrevious(),
                setBrushRadius: (r) => {
                    this.settings.brushRadius = r;
                },
                setFilter: (brightness, contrast) => {
                    this.open_?.stage.setFilter(brightness, contrast);
                },
            },
        );
        replaceChildren(main, this.layout());
        window.addEventListener("keydown", this.onKey);
        document.addEventListener("visibilitychange", this.onHide);
        window.addEventListener("pagehide", this.onPageHide);
        this.renewTimer = window.setInterval(() => void this.renew(), kRenewMs);
        this.renderLabels();
        this.setTool(this.toolName);
        void this.loadNext();
    }

    dispose(): void {
        this.disposed = true;
        window.removeEventListener("keydown", this.onKey);
        document.removeEventListener("visibilitychange", this.onHide);
        window.removeEventListener("pagehide", this.onPageHide);
        window.clearInterval(this.renewTimer);
        this.close();
        this.session.release();
    }

    private layout(): HTMLElement {
        const helpButton = h(
            "button",
            {
                type: "button",
                "aria-label": "Keyboard shortcuts",
                "aria-keyshortcuts": "?",
                onclick: () => {
                    this.help.showModal();
                },
            },
            "?",
        );
        return h(
            "div",
            { class: "drawing" },
            h(
                "div",
                { class: "toolbar" },
                h("h1", {}, h("a", { href: `#/projects/${this.pid}` }, this.project.name)),
                this.itemTitle,
                this.progress,
                this.reviewBadge,
                this.prelabelBadge,
                h("span", { class: "spacer" }),
                this.previousButton,
                helpButton,
            ),
            this.toolbar.element,
            h(
                "div",
                { class: "draw-body" },
                h(
                    "aside",
                    { class: "draw-side", "aria-labelledby": "draw-labels-h" },
                    h("h2", { id: "draw-labels-h" }, "Label for new shapes"),
                    this.labelList,
                    this.selectedMenu,
                ),
                this.stageHost,
                h(
                    "aside",
                    { class: "draw-side", "aria-labelledby": "draw-shapes-h" },
                    h("h2", { id: "draw-shapes-h" }, "Shapes"),
                    this.shapeList,
                ),
            ),
            h(
                "div",
                { class: "draw-actions" },
                this.notice,
                this.draftStatus,
                this.resumeButton,
                this.skipButton,
                this.submitButton,
            ),
            this.help,
            this.askDialog.element,
        );
    }

    private say(message: string, isError = false): void {
        replaceChildren(
            this.notice,
            message === "" ? null : isError ? errorBox(message) : h("p", {}, message),
        );
    }

    private renderLabels(): void {
        replaceChildren(
            this.labelList,
            this.project.label_list.map((l) =>
                h(
                    "li",
                    {},
                    h(
                        "button",
                        {
                            type: "button",
                            class: l.path === this.ctl.label ? "label-pick active" : "label-pick",
                            "aria-pressed": l.path === this.ctl.label ? "true" : "false",
                            style: `--label-color: ${this.colorOf(l.path)}`,
                            onclick: () => {
                                this.pickLabel(l.path);
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

    private renderShapes(): void {
        const o = this.open_;
        this.toolbar.update({
            canUndo: o?.doc.canUndo === true,
            canRedo: o?.doc.canRedo === true,
            canCopy: o !== null && this.ctl.canCopyPrevious,
            locked: o?.doc.locked === true,
            allHidden: this.ctl.allHidden,
        });
        const opts = {
            labels: this.labels,
            colorOf: (l: string) => this.colorOf(l),
            relabel: (id: string, label: string) => this.ctl.relabel(id, label),
        };
        replaceChildren(this.shapeList, o === null ? null : shapeRows(o.doc, opts));
        replaceChildren(this.selectedMenu, o === null ? null : selectedLabelMenu(o.doc, opts));
    }

    /** Buttons and status that depend on labeling vs reviewing an earlier answer. */
    private renderMode(): void {
        const reviewing = this.session.reviewing;
        const has = this.open_ !== null;
        this.submitButton.textContent = reviewing ? "Save changes" : "Submit";
        this.submitButton.disabled = this.busy || !has;
        this.skipButton.disabled = this.busy || !has || reviewing;
        this.previousButton.disabled = this.busy;
        this.resumeButton.hidden = !reviewing;
        this.reviewBadge.hidden = !reviewing;
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
        this.open_?.stage.setTool(this.open_.tools.get(name) ?? null);
    }

    private pickLabel(path: string): void {
        if (this.ctl.pickLabel(path)) {
            this.renderLabels();
        }
    }

    /** Runs one action of the key table (also what the toolbar buttons call). */
    private act(a: DrawingAction): void {
        const o = this.open_;
        switch (a.kind) {
            case "label": {
                const l = this.project.label_list.find((x) => x.key === a.key);
                if (l !== undefined) {
                    this.pickLabel(l.path);
                }
                return;
            }
            case "tool": {
                const spec = this.specs.find((s) => s.key === a.key);
                if (spec !== undefined) {
                    this.setTool(spec.name);
                }
                return;
            }
            case "brush":
                this.settings.brushRadius = Math.min(
                    64,
                    Math.max(1, this.settings.brushRadius + a.delta),
                );
                this.toolbar.showBrushRadius(this.settings.brushRadius);
                return;
            case "help":
                this.help.showModal();
                return;
            case "submit":
                void this.submit();
                return;
            case "lock":
                this.ctl.toggleLock();
                return;
            case "hide":
                this.ctl.toggleHideAll();
                return;
            case "deleteSelected":
                this.ctl.deleteSelected();
                return;
            case "deleteAll":
                this.ctl.deleteAll();
                return;
            case "undo":
                o?.tools.get(this.toolName)?.cancel();
                o?.doc.undo();
                return;
            case "redo":
                o?.doc.redo();
                return;
            case "deselect":
                o?.doc.select(null);
                return;
            case "zoomIn":
                o?.stage.zoom(1.25);
                return;
            case "zoomOut":
                o?.stage.zoom(0.8);
                return;
            case "fit":
                o?.stage.fit();
                return;
            case "previous":
                void this.previous();
                return;
        }
    }

    private readonly onKey = (e: KeyboardEvent): void => {
        const o = this.open_;
        if (isTypingTarget(e.target) || this.help.open || this.askDialog.open) {
            return;
        }
        const k = keyPress(e);
        // The tool claims its own keys first (Enter closes a polygon, Esc drops a drag).
        if (o !== null && !k.ctrl && !k.alt && o.tools.get(this.toolName)?.key(k.key) === true) {
            e.preventDefault();
            o.stage.invalidate("static", "overlay");
            return;
        }
        const action = resolveKey(kDrawingKeys, k);
        // With no image open ("All done"), only the keys of the page's own buttons apply.
        if (action === null || (o === null && !kKeysWithoutImage.has(action.kind))) {
            return;
        }
        // Backspace is "delete the selected shape" only when one is selected.
        if (action.kind !== "deleteSelected" || (o !== null && o.doc.selected !== null)) {
            e.preventDefault();
        }
        this.act(action);
    };

    private readonly onHide = (): void => {
        if (document.visibilityState === "hidden") {
            void this.open_?.saver?.flush(true);
        }
    };

    private readonly onPageHide = (): void => {
        void this.open_?.saver?.flush(true);
        this.session.release(true);
    };

    /** Shows the build's progress over the preview, then swaps the stage to tiles. */
    private async swapToTilesWhenReady(o: Open): Promise<void> {
        this.preparing.hidden = false;
        this.preparing.textContent = preparingMessage(0);
        const r = await waitForTiles({
            fetchInfo: () => this.ctx.client.tileInfo(this.pid, o.opened.item.id),
            onProgress: (p) => {
                this.preparing.textContent = preparingMessage(p);
            },
            sleep: (ms) =>
                new Promise((resolve) => {
                    window.setTimeout(resolve, ms);
                }),
            cancelled: () => this.disposed || this.open_ !== o,
        });
        if (r === null) {
            return;
        }
        this.preparing.hidden = true;
        if (!r.ok) {
            this.say(`The full-resolution image is not available: ${r.error.message}`, true);
            return;
        }
        o.stage.setImageSource(tileSource(this.ctx.client, this.pid, o.opened.item, r.value));
    }

    /** Closes the image on screen; its pending draft goes out at once. */
    private close(): void {
        this.prelabelBadge.hidden = true;
        this.preparing.hidden = true;
        const o = this.open_;
        if (o === null) {
            return;
        }
        void o.saver?.flush(true);
        o.unsubscribe();
        o.stage.destroy();
        this.open_ = null;
        this.ctl.open(null, { width: 0, height: 0 });
    }

    private toolHost(doc: AnnotationDocument, image: Item, stage: Stage): ToolHost {
        const settings = this.settings;
        return {
            doc,
            image: { width: image.width, height: image.height },
            label: () => this.ctl.label,
            labels: () => this.labels,
            tolerance: () => 6 * stage.imagePixelsPerScreenPixel,
            newId: () => this.newId(),
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
                this.say(message, true);
            },
        };
    }

    /** The autosaver of a leased image (earlier answers are saved explicitly, not drafted). */
    private autosaver(opened: Opened, doc: AnnotationDocument): Autosaver | null {
        if (opened.kind !== "leased") {
            return null;
        }
        const id = opened.item.id;
        const saver = new Autosaver(
            draftKey(this.pid, id),
            () => doc.shapes().map(shapeToApi),
            async (s, keepalive) =>
                (await this.ctx.client.saveDraft(this.pid, id, s, keepalive)).ok,
            localStorage,
            {
                set: (fn, ms) => window.setTimeout(fn, ms),
                clear: (t) => {
                    window.clearTimeout(t);
                },
            },
        );
        saver.onStatus = (s) => {
            this.draftStatus.textContent = kDraftText[s];
        };
        return saver;
    }

    private async show(opened: Opened): Promise<void> {
        const item = opened.item;
        const [source, restored] = await Promise.all([
            imageSource(this.ctx.client, this.pid, item),
            this.session.restore(opened),
        ]);
        if (this.disposed) {
            return;
        }
        this.close();
        const doc = new AnnotationDocument();
        doc.replaceAll(restored.shapes);
        this.stageHost.replaceChildren();
        const image = { width: item.width, height: item.height };
        const stage = new Stage(this.stageHost, {
            image,
            source,
            doc,
            labels: this.labels,
            colorOf: (l) => this.colorOf(l),
        });
        stage.element.setAttribute("role", "application");
        stage.element.setAttribute("aria-roledescription", "drawing canvas");
        stage.element.setAttribute("aria-label", `Image ${item.name}: draw shapes here`);
        this.stageHost.append(this.preparing);
        stage.setFilter(this.toolbar.brightness, this.toolbar.contrast);
        const host = this.toolHost(doc, item, stage);
        const tools = new Map(this.specs.map((s) => [s.name, createTool(s.name, host)]));
        const saver = this.autosaver(opened, doc);
        const unsubscribe = doc.subscribe((set) => {
            if (set.origin === "local") {
                saver?.changed();
            }
            this.renderShapes();
        });
        this.open_ = { opened, doc, stage, saver, tools, unsubscribe };
        this.ctl.open(doc, image);
        this.setTool(this.toolName);
        this.itemTitle.textContent = `${item.name} (${item.width} × ${item.height})`;
        this.draftStatus.textContent = restored.draft ? "Draft restored" : "";
        this.renderShapes();
        this.renderMode();
        this.prelabelBadge.hidden = !restored.prelabel || restored.shapes.length === 0;
        const n = restored.shapes.length;
        if (opened.kind === "review") {
            this.say("Change your earlier answer, then Save changes.");
        } else if (restored.prelabel && n > 0) {
            this.say(`${plural(n, "shape")} from a prelabel: review, correct and submit.`);
        } else if (restored.draft && n > 0) {
            this.say(`Restored ${plural(n, "shape")} from your draft.`);
        }
        stage.element.focus();
        if (source.kind === "preparing") {
            void this.swapToTilesWhenReady(this.open_);
        }
        void this.showProgress(opened);
    }

    private async showProgress(opened: Opened): Promise<void> {
        if (opened.kind === "review") {
            this.progress.textContent = "Earlier answer";
            return;
        }
        const text = await this.session.progress();
        if (text !== null && this.open_?.opened === opened) {
            this.progress.textContent = text;
        }
    }

    private showAllDone(): void {
        this.close();
        this.stageHost.replaceChildren(
            h(
                "div",
                { class: "done" },
                h("h2", {}, "All done"),
                h("a", { href: `#/projects/${this.pid}` }, "Back to the dashboard"),
            ),
        );
        this.progress.textContent = "";
        this.itemTitle.textContent = "";
        this.draftStatus.textContent = "";
        this.renderShapes();
        this.renderMode();
    }

    private async loadNext(): Promise<void> {
        this.say("");
        const r = await this.session.next();
        if (this.disposed) {
            return;
        }
        if (!r.ok) {
            this.say(r.error.message, true);
            return;
        }
        if (r.value === null) {
            this.showAllDone();
            return;
        }
        await this.show(r.value);
    }

    private async submit(): Promise<void> {
        const o = this.open_;
        if (o === null || this.busy) {
            return;
        }
        o.tools.get(this.toolName)?.cancel();
        const shapes = o.doc.shapes();
        const reviewing = o.opened.kind === "review";
        if (
            !reviewing &&
            !(await this.askDialog.ask({
                title: "Submit this image?",
                detail: `${o.opened.item.name}: ${plural(shapes.length, "shape")} will be stored as your answer.`,
                confirm: "Submit",
            }))
        ) {
            return;
        }
        this.busy = true;
        this.renderMode();
        const r = await this.session.submit(shapes.map(shapeToApi));
        this.busy = false;
        this.renderMode();
        if (!r.ok) {
            this.say(r.error.message, true);
            return;
        }
        o.saver?.discard();
        if (reviewing) {
            await this.resume();
            this.say("Saved your earlier answer.");
            return;
        }
        this.ctl.remember(shapes, o.opened.item);
        await this.loadNext();
    }

    private async skip(): Promise<void> {
        const o = this.open_;
        if (o === null || this.busy || o.opened.kind !== "leased") {
            return;
        }
        const yes = await this.askDialog.ask({
            title: "Skip this image?",
            detail: `${o.opened.item.name} goes back without an answer; its shapes are dropped.`,
            confirm: "Skip",
        });
        if (!yes) {
            return;
        }
        this.busy = true;
        this.renderMode();
        const r = await this.session.skip();
        this.busy = false;
        this.renderMode();
        if (!r.ok) {
            this.say(r.error.message, true);
            return;
        }
        o.saver?.discard();
        await this.loadNext();
    }

    /** Opens the answer before the one on screen; the leased image waits with its draft. */
    private async previous(): Promise<void> {
        if (this.busy) {
            return;
        }
        await this.open_?.saver?.flush(false);
        const r = await this.session.previous();
        if (this.disposed) {
            return;
        }
        if (!r.ok) {
            this.say(r.error.message, true);
        } else if (r.value === null) {
            this.say(
                this.session.reviewing
                    ? "There are no older answers."
                    : "You have no earlier answers in this project yet.",
            );
        } else {
            await this.show(r.value);
        }
    }

    /** Back from an earlier answer to the leased image (reopened from its draft). */
    private async resume(): Promise<void> {
        const held = this.session.resume();
        if (held === null) {
            await this.loadNext();
        } else {
            await this.show(held);
        }
    }

    private async renew(): Promise<void> {
        const kept = await this.session.renew();
        if (kept || this.disposed) {
            return;
        }
        this.say(
            "Your lease on this image ran out; your draft is kept. Loading the next one.",
            true,
        );
        if (!this.session.reviewing) {
            await this.loadNext();
        }
    }
}
