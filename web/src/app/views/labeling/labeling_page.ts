// The classification labeling page: wires the store (state), the session (server traffic), the
// grid and panels, and the keyboard. See docs/design/ui.md for the layout and prefetch rules.
import type { Project } from "../../../schema/api";
import { isClassification } from "../../../schema/api";
import { mountDrawing } from "../drawing/drawing_page";
import type { PageSize } from "../../../schema/api";
import { kPageSizes } from "../../../schema/api";
import type { ClassificationType } from "../../../store/labeling_store";
import { LabelingStore } from "../../../store/labeling_store";
import { isPageSize } from "../../../store/page_layout";
import type { Direction } from "../../../store/page_layout";
import type { AppContext, Unmount } from "../../context";
import { errorBox, h, replaceChildren } from "../../dom";
import { renderMarkdown, safeUrl } from "../../markdown";
import { GridView } from "./grid_view";
import { HistoryMode } from "./history_mode";
import { labelPanel } from "./label_panel";
import type { BatchOutcome } from "./labeling_session";
import { LabelingSession } from "./labeling_session";
import { shortcutsDialog } from "./shortcuts";

const kRenewMs = 2 * 60 * 1000;
const kLayoutKey = "tessera.layout";
const kArrows: Record<string, Direction> = {
    ArrowLeft: "left",
    ArrowRight: "right",
    ArrowUp: "up",
    ArrowDown: "down",
};

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
    const store = new LabelingStore({
        taskType: project.task_type as ClassificationType,
        labels: project.label_list,
        layout: savedLayout(),
    });
    const session = new LabelingSession(ctx.client, project.id, store);
    const mainGrid = new GridView(store);
    let history: HistoryMode | null = null;
    let busy = false;
    let blocked: string | null = null; // why nothing can be leased (project paused, ...)
    let escArmed = false;

    const active = (): LabelingStore => history?.store ?? store;

    // Elements
    const notice = h("div", { class: "notice", role: "status" });
    const layoutButtons = kPageSizes.map((n) =>
        h(
            "button",
            {
                type: "button",
                class: "seg-button",
                "aria-label": `Show ${n} image${n === 1 ? "" : "s"} per page`,
                onclick: () => void switchLayout(n),
            },
            String(n),
        ),
    );
    const selectAllButton = h(
        "button",
        {
            type: "button",
            onclick: () => {
                active().selectAll();
                focusGrid();
            },
        },
        "Select all",
    );
    const skipButton = h("button", { type: "button", onclick: () => void skip() }, "Skip");
    const backButton = h(
        "button",
        {
            type: "button",
            "aria-label": "Back: review your earlier answers",
            onclick: () => void back(),
        },
        "← Back",
    );
    const instructionsButton = h(
        "button",
        {
            type: "button",
            "aria-expanded": "false",
            "aria-controls": "instructions-panel",
            onclick: () => {
                toggleInstructions();
            },
        },
        "Instructions",
    );
    const dialog = shortcutsDialog();
    const helpButton = h(
        "button",
        {
            type: "button",
            "aria-label": "Keyboard shortcuts",
            "aria-keyshortcuts": "?",
            onclick: () => {
                dialog.showModal();
            },
        },
        "?",
    );
    const submitReason = h("span", { id: "submit-reason", class: "reason" });
    const submitButton = h(
        "button",
        {
            type: "button",
            class: "primary",
            "aria-describedby": "submit-reason",
            onclick: () => void submit(),
        },
        "Submit",
    );
    const historyBar = h("div", { class: "history-bar", hidden: true });
    const gridHolder = h("div", { class: "grid-holder" });
    const instructions = h(
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
    instructions.append(body);
    const url = safeUrl(project.instructions.url);
    if (url !== null) {
        instructions.append(
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

    replaceChildren(
        main,
        h(
            "div",
            { class: "labeling" },
            h(
                "div",
                { class: "toolbar", role: "toolbar", "aria-label": "Labeling tools" },
                h(
                    "h1",
                    {},
                    h("a", { href: `#/projects/${project.id}`, title: "Dashboard" }, project.name),
                ),
                h("div", { class: "seg", role: "group", "aria-label": "Layout" }, layoutButtons),
                selectAllButton,
                skipButton,
                backButton,
                instructionsButton,
                helpButton,
                h("div", { class: "submit" }, submitReason, submitButton),
            ),
            notice,
            historyBar,
            h(
                "div",
                { class: "workspace" },
                gridHolder,
                labelPanel(project.label_list, (path) => {
                    active().applyLabel(path);
                    focusGrid();
                }),
                instructions,
            ),
            dialog,
        ),
    );

    function say(message: string, isError = false): void {
        replaceChildren(notice, isError ? errorBox(message) : h("p", {}, message));
    }

    function focusGrid(): void {
        (history?.grid ?? mainGrid).element.focus({ preventScroll: true });
    }

    function report(out: BatchOutcome, verb: string): void {
        if (out.failed.length > 0) {
            say(
                `${out.failed.length} image(s) could not be ${verb}: ${out.failed[0]?.error.message ?? ""}. Press Enter to retry.`,
                true,
            );
        } else if (out.lost.length > 0) {
            say(`${out.lost.length} image(s) were held too long and went back to the queue.`, true);
        } else {
            replaceChildren(notice);
        }
    }

    function render(): void {
        const s = active();
        const grid = history?.grid ?? mainGrid;
        for (const [i, b] of layoutButtons.entries()) {
            b.setAttribute("aria-pressed", kPageSizes[i] === s.layout ? "true" : "false");
        }
        const gate = s.submitGate();
        submitButton.disabled = busy || !gate.ok;
        submitButton.textContent = history === null ? "Submit" : "Save changes";
        submitReason.textContent = gate.ok ? "" : gate.reason;
        skipButton.disabled = busy || history !== null || store.visible().length === 0;
        selectAllButton.disabled = s.visible().length === 0;
        historyBar.hidden = history === null;
        if (history !== null) {
            replaceChildren(
                historyBar,
                h(
                    "span",
                    {},
                    `Your earlier answers, page ${history.page}. Change tags, then press Enter to save. `,
                ),
                h("button", { type: "button", class: "link", onclick: () => void back() }, "Older"),
                h(
                    "button",
                    {
                        type: "button",
                        class: "link",
                        onclick: () => {
                            leaveHistory();
                        },
                    },
                    "Return to labeling",
                ),
            );
        }
        if (
            history === null &&
            store.pool.length === 0 &&
            (session.exhausted || blocked !== null)
        ) {
            replaceChildren(gridHolder, blocked === null ? allDone() : blockedPanel(blocked));
            return;
        }
        if (grid.element.parentElement !== gridHolder) {
            replaceChildren(gridHolder, grid.element);
        }
        grid.render();
    }

    function allDone(): HTMLElement {
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
                    { class: "button primary", href: `#/projects/${project.id}` },
                    "Go to the dashboard",
                ),
                " ",
                h(
                    "button",
                    {
                        type: "button",
                        onclick: () => {
                            session.retryQueue();
                            void refill();
                        },
                    },
                    "Check again",
                ),
            ),
        );
    }

    function blockedPanel(message: string): HTMLElement {
        return h(
            "section",
            { class: "all-done" },
            h("h2", {}, "Nothing to label"),
            errorBox(message),
            h("a", { class: "button", href: `#/projects/${project.id}` }, "Go to the dashboard"),
        );
    }

    /** Fills the page, then leases the next one and loads its images so submit shows it at once. */
    async function refill(): Promise<void> {
        const err = await session.fill(store.layout);
        blocked = err === null ? null : err.message;
        render();
        if (err !== null) {
            return;
        }
        await session.fill(store.layout * 2);
        for (const p of store.pool.slice(store.layout)) {
            const img = new Image();
            img.src = store.layout === 1 ? p.item.image_url : p.item.thumbnail_url;
        }
        render();
    }

    async function switchLayout(n: PageSize): Promise<void> {
        localStorage.setItem(kLayoutKey, String(n));
        store.setLayout(n);
        history?.store.setLayout(n);
        focusGrid();
        await refill();
    }

    async function submit(): Promise<void> {
        const gate = active().submitGate();
        if (busy) {
            return;
        }
        if (!gate.ok) {
            say(gate.reason, true);
            return;
        }
        busy = true;
        render();
        if (history !== null) {
            const out = await history.save();
            busy = false;
            report(out, "saved");
            if (out.failed.length === 0) {
                leaveHistory();
                say(
                    out.done.length === 0
                        ? "No changes to save."
                        : `Saved ${out.done.length} change(s).`,
                );
            }
            render();
            return;
        }
        const out = await session.submitPage();
        busy = false;
        report(out, "submitted");
        render();
        await refill();
    }

    async function skip(): Promise<void> {
        if (busy || history !== null) {
            return;
        }
        busy = true;
        const out = await session.skip(store.skipTargets());
        busy = false;
        report(out, "skipped");
        await refill();
    }

    async function back(): Promise<void> {
        if (busy) {
            return;
        }
        if (history?.hasChanges()) {
            const out = await history.save();
            report(out, "saved");
            if (out.failed.length > 0) {
                return;
            }
        }
        let mode = history;
        if (mode === null) {
            mode = new HistoryMode(ctx.client, project, store.layout);
            mode.store.subscribe(render);
        }
        const r = await mode.older();
        if (typeof r !== "boolean") {
            say(r.message, true);
            return;
        }
        if (!r) {
            say(
                history === null
                    ? "You have no earlier answers in this project yet."
                    : "There are no older answers.",
            );
            return;
        }
        history = mode;
        escArmed = false;
        replaceChildren(notice);
        render();
        focusGrid();
    }

    function leaveHistory(): void {
        history = null;
        escArmed = false;
        render();
        focusGrid();
    }

    function toggleInstructions(): void {
        instructions.hidden = !instructions.hidden;
        instructionsButton.setAttribute("aria-expanded", instructions.hidden ? "false" : "true");
    }

    function escape(): void {
        const s = active();
        if (dialog.open) {
            return;
        }
        if (s.selectedIds().length > 0) {
            s.clearSelection();
        } else if (!instructions.hidden) {
            toggleInstructions();
        } else if (history !== null) {
            if (history.hasChanges() && !escArmed) {
                escArmed = true;
                say(
                    "You have unsaved changes. Press Enter to save them, or Esc again to discard them.",
                );
                return;
            }
            leaveHistory();
            replaceChildren(notice);
        }
    }

    function onKey(e: KeyboardEvent): void {
        const t = e.target;
        if (
            t instanceof HTMLInputElement ||
            t instanceof HTMLTextAreaElement ||
            t instanceof HTMLSelectElement ||
            dialog.open ||
            e.altKey
        ) {
            return;
        }
        const s = active();
        const ctrl = e.ctrlKey || e.metaKey;
        if (/^[1-9]$/.test(e.key) && !ctrl) {
            if (s.applyKey(Number(e.key))) {
                e.preventDefault();
            }
        } else if (e.key === "Enter" && !ctrl) {
            // A focused button or link keeps its own Enter behaviour.
            if (t instanceof HTMLButtonElement || t instanceof HTMLAnchorElement) {
                return;
            }
            e.preventDefault();
            void submit();
        } else if (kArrows[e.key] !== undefined && !ctrl) {
            e.preventDefault();
            s.move(kArrows[e.key] ?? "right", e.shiftKey);
        } else if (ctrl && e.key.toLowerCase() === "a") {
            e.preventDefault();
            s.selectAll();
        } else if (e.key === "Escape") {
            escape();
        } else if (e.key === "?") {
            e.preventDefault();
            dialog.showModal();
        } else if (e.key === "Backspace" && !ctrl) {
            e.preventDefault();
            void back();
        } else if (e.key.toLowerCase() === "i" && !ctrl) {
            toggleInstructions();
        }
    }

    const onPageHide = (): void => {
        session.releaseAll(true);
    };
    document.addEventListener("keydown", onKey);
    window.addEventListener("pagehide", onPageHide);
    const unsubscribe = store.subscribe(render);
    const renewTimer = window.setInterval(() => {
        void session.renewAll().then((lost) => {
            if (lost.length > 0) {
                say(`${lost.length} image(s) were held too long and went back to the queue.`, true);
                void refill();
            }
        });
    }, kRenewMs);

    render();
    focusGrid();
    void refill();

    return () => {
        document.removeEventListener("keydown", onKey);
        window.removeEventListener("pagehide", onPageHide);
        window.clearInterval(renewTimer);
        unsubscribe();
        session.releaseAll();
    };
}
