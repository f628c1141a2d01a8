import { describe, expect, it } from "vitest";

import type { ApiResult } from "../../../client/result";
import { ok } from "../../../client/result";
import type {
    AnnotationView,
    AnswerEffort,
    Id,
    Item,
    LeasedPage,
    PageSize,
    Project,
    SubmitResult,
    TimeMs,
} from "../../../schema/api";
import { flattenLabels } from "../../../schema/labels";
import type { HistoryApi } from "./history_mode";
import type { LabelingView } from "./labeling_controller";
import { LabelingController } from "./labeling_controller";

const item = (id: Id): Item => ({
    id,
    name: `i${id}`,
    width: 1,
    height: 1,
    image_url: `full/${id}`,
    thumbnail_url: `thumb/${id}`,
});

/** A queue of `total` items; submitted answers become the caller's history, newest first. */
class FakeApi implements HistoryApi {
    submitted: { itemId: Id; lease: string; labels: readonly string[] }[] = [];
    efforts: (AnswerEffort | undefined)[] = [];
    skipped: Id[] = [];
    private nextId = 1;
    private clock = 0;
    answers: AnnotationView[] = [];

    constructor(private readonly total: number) {}

    next(_id: Id, count: PageSize): Promise<ApiResult<LeasedPage>> {
        const items: Item[] = [];
        while (items.length < count && this.nextId <= this.total) {
            items.push(item(this.nextId++));
        }
        return Promise.resolve(ok({ lease: `L${this.nextId}`, lease_expires_at: 0, items }));
    }
    renew(): Promise<ApiResult<{ lease_expires_at: TimeMs }>> {
        return Promise.resolve(ok({ lease_expires_at: 1 }));
    }
    release(): Promise<ApiResult<null>> {
        return Promise.resolve(ok(null));
    }
    submit(
        _id: Id,
        itemId: Id,
        lease: string,
        labels: readonly string[],
        effort?: AnswerEffort,
    ): Promise<ApiResult<SubmitResult>> {
        this.submitted.push({ itemId, lease, labels });
        this.efforts.push(effort);
        this.answers = this.answers.filter((a) => a.item.id !== itemId);
        this.answers.unshift({ item: item(itemId), labels: [...labels], updated_at: ++this.clock });
        return Promise.resolve(
            ok({ outcome: "stored" as const, item_id: itemId, labels: [...labels] }),
        );
    }
    skip(_id: Id, itemId: Id): Promise<ApiResult<null>> {
        this.skipped.push(itemId);
        return Promise.resolve(ok(null));
    }
    history(
        _id: Id,
        limit: number,
        before?: TimeMs,
    ): Promise<ApiResult<{ items: AnnotationView[] }>> {
        const older = this.answers.filter((a) => before === undefined || a.updated_at < before);
        return Promise.resolve(ok({ items: older.slice(0, limit) }));
    }
}

class FakeView implements LabelingView {
    notices: { message: string; isError: boolean }[] = [];
    preloaded: string[] = [];
    helpShown = 0;
    say(message: string, isError = false): void {
        this.notices.push({ message, isError });
    }
    clearNotice(): void {
        this.notices.push({ message: "", isError: false });
    }
    render(): void {}
    focusGrid(): void {}
    showHelp(): void {
        this.helpShown++;
    }
    preload(urls: readonly string[]): void {
        this.preloaded.push(...urls);
    }
    get last(): string {
        return this.notices.at(-1)?.message ?? "";
    }
}

const project = {
    id: 1,
    task_type: "multiclass",
    label_list: flattenLabels([{ name: "Red" }, { name: "Green" }]),
} as unknown as Project;

function setup(total: number, layout: PageSize, now: () => number = () => 0) {
    const api = new FakeApi(total);
    const view = new FakeView();
    const layouts: PageSize[] = [];
    const ctl = new LabelingController(api, project, layout, view, (n) => layouts.push(n), now);
    return { api, view, ctl, layouts };
}

describe("LabelingController", () => {
    it("sends each answer with its share of the page's active time and its edits", async () => {
        let t = 1_000;
        const { ctl, api } = setup(10, 4, () => t);
        await ctl.refill(); // the page is on screen at 1 s
        t = 3_000;
        ctl.run({ kind: "selectAll" });
        t = 5_000;
        ctl.run({ kind: "label", key: 1 });
        t = 9_000;
        await ctl.submit(); // 8 s of work for four images
        expect(api.efforts).toEqual(Array(4).fill({ active_ms: 2_000, edits: 1 }));
        // Time on a skipped page counts for nothing: the next submit starts after the skip.
        t = 20_000;
        await ctl.skip();
        t = 21_000;
        ctl.run({ kind: "selectAll" });
        ctl.run({ kind: "label", key: 2 });
        t = 25_000;
        await ctl.submit();
        // The last two of the ten items share the 5 s since the skip.
        expect(api.efforts.slice(4)).toEqual(Array(2).fill({ active_ms: 2_500, edits: 1 }));
    });

    it("fills the page, leases the next in advance and preloads its thumbnails", async () => {
        const { ctl, view } = setup(10, 4);
        await ctl.refill();
        expect(ctl.store.visible().map((p) => p.item.id)).toEqual([1, 2, 3, 4]);
        expect(view.preloaded).toEqual(["thumb/5", "thumb/6", "thumb/7", "thumb/8"]);
    });

    it("gates Submit until every image is tagged, then stores the page and refills", async () => {
        const { ctl, api, view } = setup(3, 1);
        await ctl.refill();
        await ctl.submit();
        expect(view.notices.at(-1)?.isError).toBe(true);
        expect(api.submitted).toEqual([]);
        expect(ctl.run({ kind: "label", key: 2 })).toBe(true);
        expect(ctl.run({ kind: "label", key: 9 })).toBe(false);
        await ctl.submit();
        expect(api.submitted).toEqual([{ itemId: 1, lease: "L2", labels: ["Green"] }]);
        expect(ctl.store.visible().map((p) => p.item.id)).toEqual([2]);
        await ctl.skip();
        expect(api.skipped).toEqual([2]);
    });

    it("switches layout, remembering it", async () => {
        const { ctl, layouts } = setup(20, 4);
        await ctl.refill();
        await ctl.switchLayout(9);
        expect(layouts).toEqual([9]);
        expect(ctl.store.visible()).toHaveLength(9);
    });

    it("goes back to earlier answers, saves a change with Enter and returns", async () => {
        const { ctl, api, view } = setup(4, 1);
        await ctl.back();
        expect(view.last).toBe("You have no earlier answers in this project yet.");
        await ctl.refill();
        ctl.run({ kind: "label", key: 1 });
        await ctl.submit();
        await ctl.back();
        expect(ctl.history?.store.visible().map((p) => p.item.id)).toEqual([1]);
        ctl.run({ kind: "move", dir: "right", extend: false });
        ctl.run({ kind: "label", key: 2 });
        await ctl.submit();
        expect(api.submitted.at(-1)).toEqual({ itemId: 1, lease: "", labels: ["Green"] });
        expect(view.last).toBe("Saved 1 change(s).");
        expect(ctl.history).toBeNull();
    });

    it("Esc clears the selection, then closes the instructions, then leaves history twice-armed", async () => {
        const { ctl, view } = setup(4, 1);
        await ctl.refill();
        ctl.run({ kind: "label", key: 1 });
        await ctl.submit();
        await ctl.back();
        ctl.run({ kind: "move", dir: "right", extend: false });
        ctl.run({ kind: "label", key: 2 });
        ctl.run({ kind: "instructions" });
        ctl.run({ kind: "selectAll" });
        ctl.escape();
        expect(ctl.active.selectedIds()).toEqual([]);
        expect(ctl.instructionsOpen).toBe(true);
        ctl.escape();
        expect(ctl.instructionsOpen).toBe(false);
        ctl.escape();
        expect(view.last).toContain("unsaved changes");
        expect(ctl.history).not.toBeNull();
        ctl.escape();
        expect(ctl.history).toBeNull();
        ctl.run({ kind: "help" });
        expect(view.helpShown).toBe(1);
    });
});
