// The classification labeling page: the DOM over LabelingController (state and server traffic)
// and the key table. See docs/design/ui.md for the layout and prefetch rules.
import type { Project } from "../../../schema/api";
import { isClassification } from "../../../schema/api";
import { mountDrawing } from "../drawing/drawing_page";
import type { PageSize } from "../../../schema/api";
import { kPageSizes } from "../../../schema/api";
import { isPageSize } from "../../../store/page_layout";
import type { AppContext, Unmount } from "../../context";
import { errorBox, h, replaceChildren } from "../../dom";
import { isTypingTarget, keyPress, resolveKey } from "../../keymap";
import { renderMarkdown, safeUrl } from "../../markdown";
import { shortcutsDialog } from "../dialogs";
import { GridView } from "./grid_view";
import type { HistoryMode } from "./history_mode";
import { labelPanel } from "./label_panel";
import type { LabelingView } from "./labeling_controller";
import { LabelingController } from "./labeling_controller";
import { kLabelingKeys } from "./labeling_keys";

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

function instructionsPanel(project: Project): HTMLElement {
    const panel = h(
        "aside",
        {
            id: "instructions-panel",
            class: "instructions-panel markdown",
            "aria-label": "Instructions",
            hidden: true,
        },
        h("h2", {}, "Instructions"),
    );
    const body = h("div", { class: "instructions-body" });
    body.innerHTML =
        project.instructions.text.trim() === ""
            ? "<p>No instructions were given.</p>"
            : renderMarkdown(project.instructions.text); // safe: escaped renderer
    panel.append(body);
    const url = safeUrl(project.instructions.url);
    if (url !== null) {
        panel.append(
            h(
                "p",
                {},
                h(
                    "a",
                    { href: url, target: "_blank", rel: "noopener noreferrer" },
                    "Full instructions ↗",
                ),
            ),
        );
    }
    return panel;
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
    private readonly layoutButtons: HTMLButtonElement[];
    private readonly selectAllButton = h(
        "button",
        {
            type: "button",
            onclick: () => {
                this.ctl.active.selectAll();
                this.focusGrid();
            },
        },
        "Select all",
    );
    private readonly skipButton = h(
        "button",
        { type: "button", onclick: () => void this.ctl.skip() },
        "Skip",
    );
    private readonly instructionsButton = h(
        "button",
        {
            type: "button",
            "aria-expanded": "false",
            "aria-controls": "instructions-panel",
            onclick: () => {
                this.ctl.toggleInstructions();
            },
        },
        "Instructions",
    );
    private readonly dialog = shortcutsDialog(kLabelingKeys);
    private readonly submitReason = h("span", { id: "submit-reason", class: "reason" });
    private readonly submitButton = h(
        "button",
        {
            type: "button",
            class: "primary",
            "aria-describedby": "submit-reason",
            onclick: () => void this.ctl.submit(),
        },
        "Submit",
    );
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
        this.layoutButtons = kPageSizes.map((n) =>
            h(
                "button",
                {
                    type: "button",
                    class: "seg-button",
                    "aria-label": `Show ${n} image${n === 1 ? "" : "s"} per page`,
                    onclick: () => void this.ctl.switchLayout(n),
                },
                String(n),
            ),
        );
        replaceChildren(main, this.layout());
        document.addEventListener("keydown", this.onKey);
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
        window.removeEventListener("pagehide", this.onPageHide);
        window.clearInterval(this.renewTimer);
        this.unsubscribe();
        this.ctl.session.releaseAll();
    }

    private layout(): HTMLElement {
        const pid = this.project.id;
        return h(
            "div",
            { class: "labeling" },
            h(
                "div",
                { class: "toolbar", role: "toolbar", "aria-label": "Labeling tools" },
                h(
                    "h1",
                    {},
                    h("a", { href: `#/projects/${pid}`, title: "Dashboard" }, this.project.name),
                ),
                h(
                    "div",
                    { class: "seg", role: "group", "aria-label": "Layout" },
                    this.layoutButtons,
                ),
                this.selectAllButton,
                this.skipButton,
                h(
                    "button",
                    {
                        type: "button",
                        "aria-label": "Back: review your earlier answers",
                        "aria-keyshortcuts": "Backspace , <",
                        onclick: () => void this.ctl.back(),
                    },
                    "← Back",
                ),
                this.instructionsButton,
                h(
                    "button",
                    {
                        type: "button",
                        "aria-label": "Keyboard shortcuts",
                        "aria-keyshortcuts": "?",
                        onclick: () => {
                            this.showHelp();
                        },
                    },
                    "?",
                ),
                h("div", { class: "submit" }, this.submitReason, this.submitButton),
            ),
            this.notice,
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
        for (const [i, b] of this.layoutButtons.entries()) {
            b.setAttribute("aria-pressed", kPageSizes[i] === s.layout ? "true" : "false");
        }
        const gate = s.submitGate();
        this.submitButton.disabled = ctl.busy || !gate.ok;
        this.submitButton.textContent = history === null ? "Submit" : "Save changes";
        this.submitReason.textContent = gate.ok ? "" : gate.reason;
        this.skipButton.disabled = ctl.busy || history !== null || ctl.store.visible().length === 0;
        this.selectAllButton.disabled = s.visible().length === 0;
        this.instructions.hidden = !ctl.instructionsOpen;
        this.instructionsButton.setAttribute("aria-expanded", String(ctl.instructionsOpen));
        this.historyBar.hidden = history === null;
        if (history !== null) {
            this.renderHistoryBar(history.page);
        }
        if (ctl.finished) {
            replaceChildren(
                this.gridHolder,
                ctl.blocked === null ? this.allDone() : this.blockedPanel(ctl.blocked),
            );
            return;
        }
        const grid = this.grid();
        if (grid.element.parentElement !== this.gridHolder) {
            replaceChildren(this.gridHolder, grid.element);
        }
        grid.render();
    }

    private renderHistoryBar(page: number): void {
        replaceChildren(
            this.historyBar,
            h(
                "span",
                {},
                `Your earlier answers, page ${page}. Change tags, then press Enter to save. `,
            ),
            h(
                "button",
                { type: "button", class: "link", onclick: () => void this.ctl.back() },
                "Older",
            ),
            h(
                "button",
                {
                    type: "button",
                    class: "link",
                    onclick: () => {
                        this.ctl.leaveHistory();
                    },
                },
                "Return to labeling",
            ),
        );
    }

    private allDone(): HTMLElement {
        return h(
            "section",
            { class: "all-done", "aria-labelledby": "all-done-title" },
            h("h2", { id: "all-done-title" }, "All done"),
            h("p", {}, "There are no more images to label right now."),
            h(
                "p",
                {},
                h(
                    "a",
                    { class: "button primary", href: `#/projects/${this.project.id}` },
                    "Go to the dashboard",
                ),
                " ",
                h(
                    "button",
                    {
                        type: "button",
                        onclick: () => {
                            this.ctl.session.retryQueue();
                            void this.ctl.refill();
                        },
                    },
                    "Check again",
                ),
            ),
        );
    }

    private blockedPanel(message: string): HTMLElement {
        return h(
            "section",
            { class: "all-done" },
            h("h2", {}, "Nothing to label"),
            errorBox(message),
            h(
                "a",
                { class: "button", href: `#/projects/${this.project.id}` },
                "Go to the dashboard",
            ),
        );
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

    private readonly onPageHide = (): void => {
        this.ctl.session.releaseAll(true);
    };
}
