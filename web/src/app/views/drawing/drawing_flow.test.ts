import { describe, expect, it } from "vitest";

import type { ApiResult } from "../../../client/result";
import { fail, ok } from "../../../client/result";
import type { AnswerEffort, Id, Item } from "../../../schema/api";
import type { ApiShape, Shape } from "../../../schema/shapes";
import type { FlowImage, FlowSession, FlowView } from "./drawing_flow";
import {
    DrawingFlow,
    kLeaseLost,
    kNoAnswersYet,
    kNoOlderAnswers,
    kSavedEarlierAnswer,
} from "./drawing_flow";
import type { Opened } from "./drawing_session";

const item = (id: Id): Item => ({
    id,
    name: `i${id}`,
    width: 100,
    height: 100,
    image_url: "",
    thumbnail_url: "",
});
const leased = (id: Id): Opened => ({ kind: "leased", item: item(id), lease: `L${id}` });
const review = (id: Id): Opened => ({ kind: "review", item: item(id), updatedAt: 1, shapes: [] });
const box = (id: string): Shape => ({
    id,
    label: "Cat",
    geometry: { kind: "box", box: { x: 1, y: 2, w: 3, h: 4 } },
});
const gone = fail({ status: 409, code: "lease_invalid", message: "lease gone" });

/** A scripted session: queues of answers for next/previous, and what was sent. */
class FakeSession implements FlowSession {
    reviewing = false;
    queue: Opened[] = [];
    older: Opened[] = [];
    held: Opened | null = null;
    submitResult: ApiResult<unknown> = ok(null);
    skipResult: ApiResult<null> = ok(null);
    renewKept = true;
    submitted: (readonly ApiShape[])[] = [];
    efforts: (AnswerEffort | undefined)[] = [];
    skipped = 0;

    next(): Promise<ApiResult<Opened | null>> {
        return Promise.resolve(ok(this.queue.shift() ?? null));
    }
    submit(shapes: readonly ApiShape[], effort?: AnswerEffort): Promise<ApiResult<unknown>> {
        this.submitted.push(shapes);
        this.efforts.push(effort);
        return Promise.resolve(this.submitResult);
    }
    skip(): Promise<ApiResult<null>> {
        this.skipped++;
        return Promise.resolve(this.skipResult);
    }
    previous(): Promise<ApiResult<Opened | null>> {
        const o = this.older.shift() ?? null;
        if (o !== null) {
            this.reviewing = true;
        }
        return Promise.resolve(ok(o));
    }
    resume(): Opened | null {
        this.reviewing = false;
        const h = this.held;
        this.held = null;
        return h;
    }
    renew(): Promise<boolean> {
        return Promise.resolve(this.renewKept);
    }
}

/** A view that records what it was told; `answer` is every confirmation's reply. */
class FakeView implements FlowView {
    disposed = false;
    answer = true;
    image: FlowImage | null = null;
    shapes: Shape[] = [box("a"), box("b")];
    shown: Opened[] = [];
    said: { message: string; isError: boolean }[] = [];
    asked: string[] = [];
    allDone = 0;
    busyStates: boolean[] = [];
    remembered: Shape[][] = [];
    flushed: boolean[] = [];
    discarded = 0;
    toolCancelled = 0;
    flow: DrawingFlow | null = null;

    current(): FlowImage | null {
        return this.image;
    }
    finishShapes(): Shape[] {
        this.toolCancelled++;
        return this.shapes;
    }
    /** Each call is a lap: 1 s more than the one before, and the edits made. */
    laps = 0;
    edits = 3;
    effort(): AnswerEffort {
        this.laps++;
        return { active_ms: this.laps * 1000, edits: this.edits };
    }
    show(opened: Opened): Promise<void> {
        this.shown.push(opened);
        this.image = {
            opened,
            saver:
                opened.kind === "leased"
                    ? {
                          flush: (keepalive: boolean) => {
                              this.flushed.push(keepalive);
                              return Promise.resolve();
                          },
                          discard: () => {
                              this.discarded++;
                          },
                      }
                    : null,
        };
        return Promise.resolve();
    }
    showAllDone(): void {
        this.image = null;
        this.allDone++;
    }
    say(message: string, isError = false): void {
        this.said.push({ message, isError });
    }
    busyChanged(): void {
        this.busyStates.push(this.flow?.busy === true);
    }
    confirmSubmit(it: Item, n: number): Promise<boolean> {
        this.asked.push(`submit ${it.name} ${n}`);
        return Promise.resolve(this.answer);
    }
    confirmSkip(it: Item): Promise<boolean> {
        this.asked.push(`skip ${it.name}`);
        return Promise.resolve(this.answer);
    }
    remember(shapes: Shape[]): void {
        this.remembered.push(shapes);
    }
    lastSaid(): string | undefined {
        return this.said.at(-1)?.message;
    }
}

function setup(queue: Opened[] = [leased(1), leased(2)]) {
    const session = new FakeSession();
    session.queue = [...queue];
    const view = new FakeView();
    const flow = new DrawingFlow(session, view);
    view.flow = flow;
    return { session, view, flow };
}

describe("DrawingFlow", () => {
    it("loads the next image, and All done when the queue is empty", async () => {
        const { view, flow } = setup([leased(1)]);
        await flow.loadNext();
        expect(view.shown.map((o) => o.item.id)).toEqual([1]);
        await flow.loadNext();
        expect(view.allDone).toBe(1);
    });

    it("submits only after the confirmation, then remembers the shapes and moves on", async () => {
        const { session, view, flow } = setup();
        await flow.loadNext();
        view.answer = false;
        await flow.submit();
        expect(view.asked).toEqual(["submit i1 2"]);
        expect(session.submitted).toEqual([]);
        expect(view.shown).toHaveLength(1);

        view.answer = true;
        await flow.submit();
        expect(session.submitted).toHaveLength(1);
        expect(session.submitted[0]?.map((s) => s.type)).toEqual(["box", "box"]);
        // The answer carries the page's active time and the edits made to the image.
        expect(session.efforts).toEqual([{ active_ms: 1000, edits: 3 }]);
        expect(view.busyStates).toEqual([true, false]);
        expect(view.discarded).toBe(1);
        expect(view.remembered).toEqual([view.shapes]);
        expect(view.shown.map((o) => o.item.id)).toEqual([1, 2]);
        expect(view.toolCancelled).toBe(2);
    });

    it("keeps the image, its draft and the buttons usable when the server refuses", async () => {
        const { session, view, flow } = setup();
        await flow.loadNext();
        session.submitResult = gone;
        await flow.submit();
        expect(view.said.at(-1)).toEqual({ message: "lease gone", isError: true });
        expect(view.discarded).toBe(0);
        expect(flow.busy).toBe(false);
        expect(view.shown).toHaveLength(1);
    });

    it("skips a leased image after asking, and never an earlier answer", async () => {
        const { session, view, flow } = setup();
        await flow.loadNext();
        await flow.skip();
        expect(view.asked).toEqual(["skip i1"]);
        expect(session.skipped).toBe(1);
        expect(view.shown.map((o) => o.item.id)).toEqual([1, 2]);

        session.older = [review(1)];
        await flow.previous();
        await flow.skip();
        expect(session.skipped).toBe(1);
        expect(view.asked).toHaveLength(1);
    });

    it("Previous flushes the draft, opens older answers and says when there are none", async () => {
        const { session, view, flow } = setup();
        await flow.previous();
        expect(view.lastSaid()).toBe(kNoAnswersYet);

        await flow.loadNext();
        session.older = [review(7)];
        await flow.previous();
        expect(view.flushed).toEqual([false]);
        expect(view.shown.at(-1)).toEqual(review(7));
        await flow.previous();
        expect(view.lastSaid()).toBe(kNoOlderAnswers);
    });

    it("saving an earlier answer asks nothing and goes back to the held image", async () => {
        const { session, view, flow } = setup();
        await flow.loadNext();
        session.older = [review(7)];
        await flow.previous();
        session.held = leased(1);
        await flow.submit();
        expect(view.asked).toEqual([]);
        expect(session.submitted).toHaveLength(1);
        expect(session.efforts).toEqual([undefined]); // a review is not a first answer's cost
        expect(view.remembered).toEqual([]);
        expect(view.shown.at(-1)).toEqual(leased(1));
        expect(view.lastSaid()).toBe(kSavedEarlierAnswer);
    });

    it("resume without a held image leases the next one", async () => {
        const { view, flow } = setup();
        await flow.resume();
        expect(view.shown.map((o) => o.item.id)).toEqual([1]);
    });

    it("a lost lease is said and moves on, except while reviewing", async () => {
        const { session, view, flow } = setup();
        await flow.loadNext();
        session.renewKept = false;
        await flow.renew();
        expect(view.said).toContainEqual({ message: kLeaseLost, isError: true });
        expect(view.shown.map((o) => o.item.id)).toEqual([1, 2]);

        session.reviewing = true;
        await flow.renew();
        expect(view.shown).toHaveLength(2);
        expect(view.said.at(-1)).toEqual({ message: kLeaseLost, isError: true });
    });

    it("does nothing more once the page is gone", async () => {
        const { view, flow } = setup();
        view.disposed = true;
        await flow.loadNext();
        await flow.previous();
        expect(view.shown).toEqual([]);
        expect(view.said.map((s) => s.message)).toEqual([""]);
    });
});
