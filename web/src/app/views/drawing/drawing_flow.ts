// The drawing page's moves from one image to the next: load the next lease, submit and skip
// (each confirmed first), Previous through the caller's earlier answers and back, and what a
// lost lease does. The session does the server traffic; the view shows what it is given.
import type { ApiResult } from "../../../client/result";
import type { AnswerEffort, Item } from "../../../schema/api";
import type { ApiShape, Shape } from "../../../schema/shapes";
import { shapeToApi } from "../../../schema/shapes";
import type { Autosaver } from "./autosave";
import type { Opened } from "./drawing_session";

/** The part of DrawingSession the flow drives. */
export interface FlowSession {
    readonly reviewing: boolean;
    next(): Promise<ApiResult<Opened | null>>;
    submit(shapes: readonly ApiShape[], effort?: AnswerEffort): Promise<ApiResult<unknown>>;
    skip(): Promise<ApiResult<null>>;
    previous(): Promise<ApiResult<Opened | null>>;
    resume(): Opened | null;
    renew(): Promise<boolean>;
}

/** The image on screen, as far as the flow cares. */
export interface FlowImage {
    readonly opened: Opened;
    readonly saver: Pick<Autosaver, "flush" | "discard"> | null;
}

/** What the flow asks of the page. */
export interface FlowView {
    readonly disposed: boolean;
    current(): FlowImage | null;
    /** Drops a half-drawn shape and returns the shapes of the image on screen. */
    finishShapes(): Shape[];
    /** The active time since the last call and the edits made to the image on screen. */
    effort(): AnswerEffort;
    show(opened: Opened): Promise<void>;
    showAllDone(): void;
    say(message: string, isError?: boolean): void;
    /** Submit, Skip and Previous are enabled only while the flow is not busy. */
    busyChanged(): void;
    confirmSubmit(item: Item, shapeCount: number): Promise<boolean>;
    confirmSkip(item: Item): Promise<boolean>;
    /** The submitted shapes, for "copy from previous". */
    remember(shapes: Shape[], item: Item): void;
}

export const kNoOlderAnswers = "There are no older answers.";
export const kNoAnswersYet = "You have no earlier answers in this project yet.";
export const kSavedEarlierAnswer = "Saved your earlier answer.";
export const kLeaseLost =
    "Your lease on this image ran out; your draft is kept. Loading the next one.";

export class DrawingFlow {
    private busy_ = false;

    constructor(
        private readonly session: FlowSession,
        private readonly view: FlowView,
    ) {}

    /** A submit or skip is on its way to the server. */
    get busy(): boolean {
        return this.busy_;
    }

    async loadNext(): Promise<void> {
        this.view.say("");
        const r = await this.session.next();
        if (this.view.disposed) {
            return;
        }
        if (!r.ok) {
            this.view.say(r.error.message, true);
            return;
        }
        if (r.value === null) {
            this.view.showAllDone();
            return;
        }
        await this.view.show(r.value);
    }

    /** Stores the shapes as the answer (asking first unless saving an earlier answer). */
    async submit(): Promise<void> {
        const o = this.view.current();
        if (o === null || this.busy_) {
            return;
        }
        const shapes = this.view.finishShapes();
        const reviewing = o.opened.kind === "review";
        if (!reviewing && !(await this.view.confirmSubmit(o.opened.item, shapes.length))) {
            return;
        }
        const effort = this.view.effort();
        const sent = () =>
            this.session.submit(shapes.map(shapeToApi), reviewing ? undefined : effort);
        if (!(await this.send(sent))) {
            return;
        }
        o.saver?.discard();
        if (reviewing) {
            await this.resume();
            this.view.say(kSavedEarlierAnswer);
            return;
        }
        this.view.remember(shapes, o.opened.item);
        await this.loadNext();
    }

    /** Gives the leased image back without an answer, after asking. */
    async skip(): Promise<void> {
        const o = this.view.current();
        if (o === null || this.busy_ || o.opened.kind !== "leased") {
            return;
        }
        if (!(await this.view.confirmSkip(o.opened.item))) {
            return;
        }
        this.view.effort(); // time spent on a skipped image counts for no answer
        if (!(await this.send(() => this.session.skip()))) {
            return;
        }
        o.saver?.discard();
        await this.loadNext();
    }

    /** Opens the answer before the one on screen; the leased image waits with its draft. */
    async previous(): Promise<void> {
        if (this.busy_) {
            return;
        }
        await this.view.current()?.saver?.flush(false);
        const r = await this.session.previous();
        if (this.view.disposed) {
            return;
        }
        if (!r.ok) {
            this.view.say(r.error.message, true);
        } else if (r.value === null) {
            this.view.say(this.session.reviewing ? kNoOlderAnswers : kNoAnswersYet);
        } else {
            await this.view.show(r.value);
        }
    }

    /** Back from an earlier answer to the leased image (reopened from its draft). */
    async resume(): Promise<void> {
        const held = this.session.resume();
        if (held === null) {
            await this.loadNext();
        } else {
            await this.view.show(held);
        }
    }

    /** Keeps the lease alive; a lost one moves on to the next image (not while reviewing). */
    async renew(): Promise<void> {
        const kept = await this.session.renew();
        if (kept || this.view.disposed) {
            return;
        }
        this.view.say(kLeaseLost, true);
        if (!this.session.reviewing) {
            await this.loadNext();
        }
    }

    /** Runs one server call with the buttons disabled; says its error and returns false. */
    private async send(call: () => Promise<ApiResult<unknown>>): Promise<boolean> {
        this.busy_ = true;
        this.view.busyChanged();
        const r = await call();
        this.busy_ = false;
        this.view.busyChanged();
        if (!r.ok) {
            this.view.say(r.error.message, true);
            return false;
        }
        return true;
    }
}
