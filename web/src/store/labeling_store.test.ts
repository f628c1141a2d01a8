import { describe, expect, it } from "vitest";

import type { Item, PageSize } from "../schema/api";
import { flattenLabels } from "../schema/labels";
import type { ClassificationType } from "./labeling_store";
import { LabelingStore } from "./labeling_store";

const labels = flattenLabels([{ name: "Red" }, { name: "Green" }, { name: "Blue" }]);

function items(from: number, count: number): Item[] {
    return Array.from({ length: count }, (_, i) => {
        const id = from + i;
        return {
            id,
            name: `img${id}.png`,
            width: 64,
            height: 48,
            image_url: `/api/v1/projects/1/items/${id}/image`,
            thumbnail_url: `/api/v1/projects/1/items/${id}/thumbnail`,
        };
    });
}

function store(taskType: ClassificationType, layout: PageSize, count: number): LabelingStore {
    const s = new LabelingStore({ taskType, labels, layout });
    s.add(items(1, count), "lease-a");
    return s;
}

function tagsOf(s: LabelingStore): Record<number, readonly string[]> {
    return Object.fromEntries(s.pool.map((p) => [p.item.id, p.tags]));
}

describe("multi-class", () => {
    it("replaces the tag of the selected images and clears the selection", () => {
        const s = store("multiclass", 4, 4);
        s.select(1, "replace");
        s.select(2, "toggle");
        expect(s.applyKey(1)).toBe(true);
        expect(tagsOf(s)).toEqual({ 1: ["Red"], 2: ["Red"], 3: [], 4: [] });
        expect(s.selectedIds()).toEqual([]);
        s.select(2, "replace");
        s.applyKey(3);
        expect(tagsOf(s)[2]).toEqual(["Blue"]);
        expect(tagsOf(s)[1]).toEqual(["Red"]);
    });

    it("applies to the cursor's image when nothing is selected and moves to the next untagged", () => {
        const s = store("multiclass", 4, 4);
        s.applyKey(2);
        expect(tagsOf(s)[1]).toEqual(["Green"]);
        expect(s.focusIndex).toBe(1);
        s.applyKey(3);
        expect(tagsOf(s)[2]).toEqual(["Blue"]);
        expect(s.focusIndex).toBe(2);
    });

    it("ignores keys without a label", () => {
        const s = store("multiclass", 1, 1);
        expect(s.applyKey(7)).toBe(false);
        expect(tagsOf(s)[1]).toEqual([]);
    });
});

describe("multi-label", () => {
    it("adds a tag unless every selected image already has it, then removes it", () => {
        const s = store("multilabel", 4, 4);
        s.select(1, "replace");
        s.applyKey(3);
        s.select(1, "replace");
        s.applyKey(1);
        // Kept in the tree's order, not the order pressed.
        expect(tagsOf(s)[1]).toEqual(["Red", "Blue"]);

        // Mixed selection: 1 has Red, 2 does not -> Red is added to both.
        s.select(1, "replace");
        s.select(2, "toggle");
        s.applyKey(1);
        expect(tagsOf(s)[1]).toEqual(["Red", "Blue"]);
        expect(tagsOf(s)[2]).toEqual(["Red"]);
        expect(s.selectedIds()).toEqual([]);

        // Now both carry Red -> it is removed from both.
        s.select(1, "replace");
        s.select(2, "toggle");
        s.applyKey(1);
        expect(tagsOf(s)[1]).toEqual(["Blue"]);
        expect(tagsOf(s)[2]).toEqual([]);
    });

    it("removes a single tag through its chip", () => {
        const s = store("multilabel", 1, 1);
        s.applyKey(1);
        s.applyKey(2);
        s.removeTag(1, "Red");
        expect(tagsOf(s)[1]).toEqual(["Green"]);
    });
});

describe("selection", () => {
    it("selects all visible images, and only those", () => {
        const s = store("multiclass", 4, 6);
        s.selectAll();
        expect(s.selectedIds()).toEqual([1, 2, 3, 4]);
        s.applyKey(2);
        expect(tagsOf(s)).toEqual({
            1: ["Green"],
            2: ["Green"],
            3: ["Green"],
            4: ["Green"],
            5: [],
            6: [],
        });
    });

    it("extends a range with shift-click and toggles with ctrl-click", () => {
        const s = store("multiclass", 9, 9);
        s.select(2, "replace");
        s.select(5, "range");
        expect(s.selectedIds()).toEqual([2, 3, 4, 5]);
        s.select(3, "toggle");
        expect(s.selectedIds()).toEqual([2, 4, 5]);
        s.select(7, "replace");
        expect(s.selectedIds()).toEqual([7]);
    });

    it("moves through the grid with arrow keys, by rows on up/down", () => {
        const s = store("multiclass", 9, 9);
        s.move("right", false);
        expect(s.selectedIds()).toEqual([1]);
        s.move("right", false);
        s.move("down", false);
        expect(s.selectedIds()).toEqual([5]);
        s.move("down", false);
        s.move("down", false);
        expect(s.selectedIds()).toEqual([8]);
        s.move("left", true);
        expect(s.selectedIds()).toEqual([7, 8]);
    });

    it("ignores clicks on items that are not on screen", () => {
        const s = store("multiclass", 1, 4);
        s.select(3, "replace");
        expect(s.selectedIds()).toEqual([]);
    });
});

describe("layout switches", () => {
    it("keeps tags of items that leave the screen and shows them again when it grows", () => {
        const s = store("multiclass", 9, 9);
        s.selectAll();
        s.applyKey(3);
        s.setLayout(4);
        expect(s.visible().map((p) => p.item.id)).toEqual([1, 2, 3, 4]);
        expect(s.pool).toHaveLength(9);
        s.setLayout(6);
        expect(s.visible().map((p) => p.tags)).toEqual(Array(6).fill(["Blue"]));
    });

    it("drops the selection of items that leave the screen", () => {
        const s = store("multiclass", 9, 9);
        s.selectAll();
        s.setLayout(4);
        expect(s.selectedIds()).toEqual([1, 2, 3, 4]);
        s.setLayout(9);
        expect(s.selectedIds()).toEqual([1, 2, 3, 4]);
    });

    it("reports how many items are missing when the layout grows", () => {
        const s = store("multiclass", 4, 4);
        expect(s.shortfall()).toBe(0);
        s.setLayout(9);
        expect(s.shortfall()).toBe(5);
        s.add(items(5, 6), "lease-b");
        expect(s.shortfall()).toBe(0);
        expect(s.visible()).toHaveLength(9);
        expect(s.leases()).toEqual(["lease-a", "lease-b"]);
    });

    it("does not add the same item twice", () => {
        const s = store("multiclass", 4, 4);
        s.add(items(3, 2), "lease-b");
        expect(s.pool.map((p) => p.item.id)).toEqual([1, 2, 3, 4]);
    });
});

describe("submit", () => {
    it("is gated until every image on screen is tagged", () => {
        const s = store("multiclass", 4, 6);
        expect(s.submitGate()).toEqual({ ok: false, reason: "Tag 4 more images to submit." });
        s.select(1, "replace");
        s.select(3, "range");
        s.applyKey(1);
        expect(s.submitGate()).toEqual({ ok: false, reason: "Tag 1 more image to submit." });
        s.applyKey(2);
        expect(s.submitGate()).toEqual({ ok: true });
        s.removeTag(4, "Green");
        expect(s.submitGate().ok).toBe(false);
    });

    it("is gated on an empty page", () => {
        const s = new LabelingStore({ taskType: "multiclass", labels, layout: 4 });
        expect(s.submitGate().ok).toBe(false);
    });

    it("sends the visible items with their own lease; the rest move up afterwards", () => {
        const s = store("multiclass", 4, 4);
        s.setLayout(6);
        s.add(items(5, 4), "lease-b");
        s.selectAll();
        s.applyKey(1);
        const sent = s.submissions();
        expect(sent.map((x) => [x.itemId, x.lease, x.labels])).toEqual([
            [1, "lease-a", ["Red"]],
            [2, "lease-a", ["Red"]],
            [3, "lease-a", ["Red"]],
            [4, "lease-a", ["Red"]],
            [5, "lease-b", ["Red"]],
            [6, "lease-b", ["Red"]],
        ]);
        s.remove(sent.map((x) => x.itemId));
        expect(s.visible().map((p) => p.item.id)).toEqual([7, 8]);
        expect(s.leases()).toEqual(["lease-b"]);
        expect(s.shortfall()).toBe(4);
    });

    it("counts each change to an item's tags as an edit, and a key that changes nothing not", () => {
        const s = store("multilabel", 4, 4);
        s.prefill(1, ["Red"]); // a prelabel is not the labeler's edit
        s.select(1, "replace");
        s.applyKey(1); // multi-label: takes Red off
        s.select(1, "replace");
        s.applyKey(2);
        s.removeTag(1, "Blue"); // no such tag: nothing changes
        s.select(2, "replace");
        s.applyKey(3);
        expect(s.submissions().map((x) => [x.itemId, x.labels, x.edits])).toEqual([
            [1, ["Green"], 2],
            [2, ["Blue"], 1],
            [3, [], 0],
            [4, [], 0],
        ]);
        const c = store("multiclass", 4, 4);
        c.select(1, "replace");
        c.applyKey(1);
        c.select(1, "replace");
        c.applyKey(1); // the same class again
        expect(c.submissions()[0]?.edits).toBe(1);
    });

    it("sends only changed answers in history mode", () => {
        const s = new LabelingStore({ taskType: "multiclass", labels, layout: 4 });
        s.add(items(1, 3), "", (item) => (item.id === 2 ? ["Green"] : ["Red"]));
        expect(s.submissions(true)).toEqual([]);
        s.select(2, "replace");
        s.applyKey(3);
        expect(s.submissions(true)).toEqual([{ itemId: 2, lease: "", labels: ["Blue"], edits: 1 }]);
        expect(s.leases()).toEqual([]);
    });
});

describe("skip", () => {
    it("skips the selection, or the whole page when nothing is selected", () => {
        const s = store("multiclass", 4, 6);
        expect(s.skipTargets().map((p) => p.item.id)).toEqual([1, 2, 3, 4]);
        s.select(2, "replace");
        expect(s.skipTargets().map((p) => p.item.id)).toEqual([2]);
    });
});

describe("listeners", () => {
    it("are told about every change until they unsubscribe", () => {
        const s = store("multiclass", 4, 4);
        let calls = 0;
        const off = s.subscribe(() => {
            calls++;
        });
        s.select(1, "replace");
        s.applyKey(1);
        off();
        s.selectAll();
        expect(calls).toBe(2);
    });
});

describe("clustered pages", () => {
    it("says when two images on screen came from one page of similar images", () => {
        const s = new LabelingStore({ taskType: "multiclass", labels, layout: 4 });
        s.add(items(1, 1), "single", undefined, true); // a page of one is no group
        s.add(items(2, 3), "manual");
        expect(s.clusteredOnScreen()).toBe(false);
        s.remove([1, 2, 3, 4]);
        s.add(items(5, 4), "grouped", undefined, true);
        expect(s.clusteredOnScreen()).toBe(true);
        s.remove([5, 6, 7]);
        expect(s.clusteredOnScreen()).toBe(false); // one left
    });
});
