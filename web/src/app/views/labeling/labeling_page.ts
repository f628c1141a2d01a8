// The classification labeling page: the DOM over LabelingController (state and server traffic)
// and the key table. See docs/design/ui.md for the layout and prefetch rules.
import type { Project } from "../../../schema/api";
import { isClassification } from "../../../schema/api";
import { mountDrawing } from "../drawing/drawing_page";
import type { PageSize } from "../../../schema/api";
import { isPageSize } from "../../../store/page_layout";
import type { AppContext, Unmount } from "../../context";
import { errorBox, h, replaceChildren } from "../../dom";
import { isTypingTarget, keyPress, resolveKey } from "../../keymap";
import { shortcutsDialog } from "../dialogs";
import { GridView } from "./grid_view";
import type { HistoryMode } from "./history_mode";
import { instructionsPanel } from "./instructions_panel";
import { labelPanel } from "./label_panel";
import type { LabelingView } from "./labeling_controller";
import { LabelingController } from "./labeling_controller";
import { kLabelingKeys } from "./labeling_keys";
import { allDonePanel, blockedPanel, historyBarContent } from "./labeling_panels";
import { LabelingToolbar, toolbarState } from "./labeling_toolbar";

const kRenewMs = 2 * 60 * 1000;
const kLayoutKey = "tessera.layout";

function savedLayout(): PageSize {
    const n = Number(localStorage.getItem(kLayoutKey));
    return isPageSize(n) ? n : 4;
}

export function mountLabeling(main: HTMLElement, ctx: AppContext, id: number): Unmount {
    let stop: Unmount | null = null;
    let disposed = false;
    replaceChildren(main, h("p", { class: "muted" }, "Loading…"));
    void ctx.client.getProject(id).then((r) => {
        if (disposed) {
            return;
        }
        if (!r.ok) {
            replaceChildren(main, errorBox(r.error.message));
        } else if (!isClassification(r.value.task_type)) {
            stop = mountDrawing(main, ctx, r.value);
        } else {
            stop = startLabeling(main, ctx, r.value);
        }
    });
    return () => {
        disposed = true;
        stop?.();
    };
}

function startLabeling(main: HTMLElement, ctx: AppContext, project: Project): Unmount {
    const page = new LabelingPage(main, ctx, project);
    return () => {
        page.dispose();
    };
}

class LabelingPage implements LabelingView {
    private readonly ctl: LabelingController;
    private readonly mainGrid: GridView;
    /** The grid of the history store now open, made when history opens. */
    private historyGrid: { mode: HistoryMode; grid: GridView } | null = null;
    private readonly unsubscribe: () => void;
    private readonly renewTimer: number;

    private readonly notice = h("div", { class: "notice", role: "status" });
    private readonly clusterHint = h(
        "p",
        { class: "hint cluster-hint", "data-testid": "cluster-hint", hidden: true },
        "Similar images, grouped by ML assist: when they share a class, Ctrl+A and its key tag them all.",
    );
    private readonly toolbar: LabelingToolbar;
    private readonly dialog = shortcutsDialog(kLabelingKeys);
    private readonly historyBar = h("div", { class: "history-bar", hidden: true });
    private readonly gridHolder = h("div", { class: "grid-holder" });
    private readonly instructions: HTMLElement;

    constructor(
        main: HTMLElement,
        ctx: AppContext,
        private readonly project: Project,
    ) {
        this.ctl = new LabelingController(ctx.client, project, savedLayout(), this, (n) => {
            localStorage.setItem(kLayoutKey, String(n));
        });
        this.mainGrid = new GridView(this.ctl.store);
        this.instructions = instructionsPanel(project);
        this.toolbar = new LabelingToolbar(project, {
            switchLayout: (n) => void this.ctl.switchLayout(n),
            selectAll: () => {
                this.ctl.active.selectAll();
                this.focusGrid();
            },
            skip: () => void this.ctl.skip(),
            back: () => void this.ctl.back(),
            toggleInstructions: () => {
                this.ctl.toggleInstructions();
            },
            help: () => {
                this.showHelp();
            },
            submit: () => void this.ctl.submit(),
        });
        replaceChildren(main, this.layout());
        document.addEventListener("keydown", this.onKey);
        document.addEventListener("pointerdown", this.onPointer);
        document.addEventListener("visibilitychange", this.onVisibility);
        window.addEventListener("pagehide", this.onPageHide);
        this.unsubscribe = this.ctl.store.subscribe(() => {
            this.render();
        });
        this.renewTimer = window.setInterval(() => void this.ctl.renew(), kRenewMs);
        this.render();
        this.focusGrid();
        void this.ctl.refill();
    }

    dispose(): void {
        document.removeEventListener("keydown", this.onKey);
        document.removeEventListener("pointerdown", this.onPointer);
        document.removeEventListener("visibilitychange", this.onVisibility);
        window.removeEventListener("pagehide", this.onPageHide);
        window.clearInterval(this.renewTimer);
        this.unsubscribe();
        this.ctl.session.releaseAll();
    }

    private layout(): HTMLElement {
        return h(
            "div",
            { class: "labeling" },
            this.toolbar.element,
            this.notice,
            this.clusterHint,
            this.historyBar,
            h(
                "div",
                { class: "workspace" },
                this.gridHolder,
                labelPanel(this.project.label_list, (path) => {
                    this.ctl.active.applyLabel(path);
                    this.focusGrid();
                }),
                this.instructions,
            ),
            this.dialog,
        );
    }

    say(message: string, isError = false): void {
        replaceChildren(this.notice, isError ? errorBox(message) : h("p", {}, message));
    }

    clearNotice(): void {
        replaceChildren(this.notice);
    }

    showHelp(): void {
        this.dialog.showModal();
    }

    preload(urls: readonly string[]): void {
        for (const url of urls) {
            const img = new Image();
            img.src = url;
        }
    }

    focusGrid(): void {
        this.grid().element.focus({ preventScroll: true });
    }

    /** The grid on screen: history's while it is open. */
    private grid(): GridView {
        const mode = this.ctl.history;
        if (mode === null) {
            return this.mainGrid;
        }
        if (this.historyGrid?.mode !== mode) {
            this.historyGrid = { mode, grid: new GridView(mode.store) };
        }
        return this.historyGrid.grid;
    }

    render(): void {
        const ctl = this.ctl;
        const s = ctl.active;
        const history = ctl.history;
        this.toolbar.render(
            toolbarState({
                layout: s.layout,
                gate: s.submitGate(),
                busy: ctl.busy,
                inHistory: history !== null,
                shownCount: s.visible().length,
                queuedCount: ctl.store.visible().length,
                instructionsOpen: ctl.instructionsOpen,
            }),
        );
        this.instructions.hidden = !ctl.instructionsOpen;
        this.clusterHint.hidden = history !== null || !ctl.store.clusteredOnScreen();
        this.historyBar.hidden = history === null;
        if (history !== null) {
            replaceChildren(
                this.historyBar,
                historyBarContent(history.page, {
                    older: () => void this.ctl.back(),
                    leave: () => {
                        this.ctl.leaveHistory();
                    },
                }),
            );
        }
        if (ctl.finished) {
            replaceChildren(this.gridHolder, this.finishedPanel(ctl.blocked));
            return;
        }
        const grid = this.grid();
        if (grid.element.parentElement !== this.gridHolder) {
            replaceChildren(this.gridHolder, grid.element);
        }
        grid.render();
    }

    private finishedPanel(blocked: string | null): HTMLElement {
        const pid = this.project.id;
        if (blocked !== null) {
            return blockedPanel(pid, blocked);
        }
        return allDonePanel(pid, () => {
            this.ctl.session.retryQueue();
            void this.ctl.refill();
        });
    }

    private readonly onKey = (e: KeyboardEvent): void => {
        if (isTypingTarget(e.target) || this.dialog.open) {
            return;
        }
        const action = resolveKey(kLabelingKeys, keyPress(e));
        if (action === null) {
            return;
        }
        // A focused button or link keeps its own Enter behaviour.
        const t = e.target;
        if (
            action.kind === "submit" &&
            (t instanceof HTMLButtonElement || t instanceof HTMLAnchorElement)
        ) {
            return;
        }
        if (this.ctl.run(action) && action.kind !== "escape" && action.kind !== "instructions") {
            e.preventDefault();
        }
    };

    private readonly onPointer = (): void => {
        this.ctl.noteActivity();
    };

    private readonly onVisibility = (): void => {
        if (document.visibilityState === "hidden") {
            this.ctl.notePageHidden();
        } else {
            this.ctl.noteActivity();
        }
    };

    private readonly onPageHide = (): void => {
        this.ctl.session.releaseAll(true);
    };
}
