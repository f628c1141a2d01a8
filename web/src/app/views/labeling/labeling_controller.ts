// What the classification labeling page does, without the DOM: filling the page and leasing the
// next one in advance, layout switches, submit, skip, "Back" through earlier answers, Esc, and
// the key table's actions. The page renders from this state and calls in on clicks and keys.
import type { PageSize, Project } from "../../../schema/api";
import type { ClassificationType } from "../../../store/labeling_store";
import { ActivityClock } from "../../../store/activity_clock";
import { LabelingStore } from "../../../store/labeling_store";
import type { HistoryApi } from "./history_mode";
import { HistoryMode } from "./history_mode";
import type { LabelingAction } from "./labeling_keys";
import type { BatchOutcome } from "./labeling_session";
import { LabelingSession } from "./labeling_session";

/** What the controller asks of the page. */
export interface LabelingView {
    say(message: string, isError?: boolean): void;
    clearNotice(): void;
    render(): void;
    focusGrid(): void;
    showHelp(): void;
    /** Starts loading the pictures of the next page so Submit shows it at once. */
    preload(urls: readonly string[]): void;
}

export class LabelingController {
    readonly store: LabelingStore;
    readonly session: LabelingSession;
    private history_: HistoryMode | null = null;
    private busy_ = false;
    /** Why nothing can be leased (project paused, ...), or null. */
    private blocked_: string | null = null;
    private escArmed_ = false;
    private instructionsOpen_ = false;

    /** Active time on the page, shared among the items each submit sends (savings figures). */
    readonly activity = new ActivityClock();

    constructor(
        private readonly api: HistoryApi,
        private readonly project: Project,
        layout: PageSize,
        private readonly view: LabelingView,
        private readonly saveLayout: (n: PageSize) => void = () => undefined,
        private readonly now: () => number = () => performance.now(),
    ) {
        this.store = new LabelingStore({
            taskType: project.task_type as ClassificationType,
            labels: project.label_list,
            layout,
        });
        this.session = new LabelingSession(api, project.id, this.store);
    }

    get history(): HistoryMode | null {
        return this.history_;
    }
    get busy(): boolean {
        return this.busy_;
    }
    get blocked(): string | null {
        return this.blocked_;
    }
    get instructionsOpen(): boolean {
        return this.instructionsOpen_;
    }
    /** The store the grid and keys act on: history while it is open. */
    get active(): LabelingStore {
        return this.history_?.store ?? this.store;
    }
    /** Nothing left to show: the queue is drained or blocked, and no history is open. */
    get finished(): boolean {
        return (
            this.history_ === null &&
            this.store.pool.length === 0 &&
            (this.session.exhausted || this.blocked_ !== null)
        );
    }

    /** Runs one action of the key table; false when it did nothing (the key stays the browser's). */
    run(a: LabelingAction): boolean {
        this.noteActivity();
        const s = this.active;
        switch (a.kind) {
            case "label":
                return s.applyKey(a.key);
            case "submit":
                void this.submit();
                return true;
            case "move":
                s.move(a.dir, a.extend);
                return true;
            case "selectAll":
                s.selectAll();
                return true;
            case "escape":
                this.escape();
                return true;
            case "back":
                void this.back();
                return true;
            case "instructions":
                this.toggleInstructions();
                return true;
            case "help":
                this.view.showHelp();
                return true;
        }
    }

    /** A click or key on the page: the labeler is at work. */
    noteActivity(): void {
        this.activity.touch(this.now());
    }

    /** The page went out of sight (another tab, a minimised window): the clock stops. */
    notePageHidden(): void {
        this.activity.pause(this.now());
    }

    /** Fills the page, then leases the next one and preloads its pictures. */
    async refill(): Promise<void> {
        const err = await this.session.fill(this.store.layout);
        this.blocked_ = err === null ? null : err.message;
        this.view.render();
        this.noteActivity(); // a new page is on screen
        if (err !== null) {
            return;
        }
        await this.session.fill(this.store.layout * 2);
        const full = this.store.layout === 1;
        this.view.preload(
            this.store.pool
                .slice(this.store.layout)
                .map((p) => (full ? p.item.image_url : p.item.thumbnail_url)),
        );
        this.view.render();
    }

    async switchLayout(n: PageSize): Promise<void> {
        this.saveLayout(n);
        this.store.setLayout(n);
        this.history_?.store.setLayout(n);
        this.view.focusGrid();
        await this.refill();
    }

    async submit(): Promise<void> {
        const gate = this.active.submitGate();
        if (this.busy_) {
            return;
        }
        if (!gate.ok) {
            this.view.say(gate.reason, true);
            return;
        }
        this.busy_ = true;
        this.view.render();
        const history = this.history_;
        if (history !== null) {
            const out = await history.save();
            this.busy_ = false;
            this.report(out, "saved");
            if (out.failed.length === 0) {
                this.leaveHistory();
                this.view.say(
                    out.done.length === 0
                        ? "No changes to save."
                        : `Saved ${out.done.length} change(s).`,
                );
            }
            this.view.render();
            return;
        }
        const out = await this.session.submitPage(false, this.activity.lap(this.now()));
        this.busy_ = false;
        this.report(out, "submitted");
        this.view.render();
        await this.refill();
    }

    async skip(): Promise<void> {
        if (this.busy_ || this.history_ !== null) {
            return;
        }
        this.busy_ = true;
        this.activity.lap(this.now()); // time on skipped items counts for no answer
        const out = await this.session.skip(this.store.skipTargets());
        this.busy_ = false;
        this.report(out, "skipped");
        await this.refill();
    }

    /** Opens (or pages further back through) the caller's earlier answers. */
    async back(): Promise<void> {
        if (this.busy_) {
            return;
        }
        if (this.history_?.hasChanges() === true) {
            const out = await this.history_.save();
            this.report(out, "saved");
            if (out.failed.length > 0) {
                return;
            }
        }
        let mode = this.history_;
        if (mode === null) {
            mode = new HistoryMode(this.api, this.project, this.store.layout);
            mode.store.subscribe(() => {
                this.view.render();
            });
        }
        const r = await mode.older();
        if (typeof r !== "boolean") {
            this.view.say(r.message, true);
            return;
        }
        if (!r) {
            this.view.say(
                this.history_ === null
                    ? "You have no earlier answers in this project yet."
                    : "There are no older answers.",
            );
            return;
        }
        this.history_ = mode;
        this.escArmed_ = false;
        this.view.clearNotice();
        this.view.render();
        this.view.focusGrid();
    }

    leaveHistory(): void {
        this.history_ = null;
        this.escArmed_ = false;
        this.view.render();
        this.view.focusGrid();
    }

    toggleInstructions(): void {
        this.instructionsOpen_ = !this.instructionsOpen_;
        this.view.render();
    }

    /** Clears the selection, else closes the instructions, else leaves history (twice if unsaved). */
    escape(): void {
        const s = this.active;
        if (s.selectedIds().length > 0) {
            s.clearSelection();
        } else if (this.instructionsOpen_) {
            this.toggleInstructions();
        } else if (this.history_ !== null) {
            if (this.history_.hasChanges() && !this.escArmed_) {
                this.escArmed_ = true;
                this.view.say(
                    "You have unsaved changes. Press Enter to save them, or Esc again to discard them.",
                );
                return;
            }
            this.leaveHistory();
            this.view.clearNotice();
        }
    }

    /** Renews every lease; items whose lease is gone leave the page with a notice. */
    async renew(): Promise<void> {
        const lost = await this.session.renewAll();
        if (lost.length > 0) {
            this.view.say(
                `${lost.length} image(s) were held too long and went back to the queue.`,
                true,
            );
            await this.refill();
        }
    }

    private report(out: BatchOutcome, verb: string): void {
        if (out.failed.length > 0) {
            this.view.say(
                `${out.failed.length} image(s) could not be ${verb}: ${out.failed[0]?.error.message ?? ""}. Press Enter to retry.`,
                true,
            );
        } else if (out.lost.length > 0) {
            this.view.say(
                `${out.lost.length} image(s) were held too long and went back to the queue.`,
                true,
            );
        } else {
            this.view.clearNotice();
        }
    }
}
