import { describe, expect, it } from "vitest";

import type { ApiShape } from "../../../schema/shapes";
import type { DraftStorage, Timers } from "./autosave";
import { Autosaver } from "./autosave";

class FakeTimers implements Timers {
    now = 0;
    private next_ = 1;
    private readonly pending_ = new Map<number, { at: number; fn: () => void }>();
    set(fn: () => void, ms: number): number {
        const id = this.next_++;
        this.pending_.set(id, { at: this.now + ms, fn });
        return id;
    }
    clear(id: number): void {
        this.pending_.delete(id);
    }
    advance(ms: number): void {
        this.now += ms;
        for (const [id, t] of [...this.pending_]) {
            if (t.at <= this.now) {
                this.pending_.delete(id);
                t.fn();
            }
        }
    }
}

function memoryStorage(): DraftStorage & { map: Map<string, string> } {
    const map = new Map<string, string>();
    return {
        map,
        getItem: (k) => map.get(k) ?? null,
        setItem: (k, v) => map.set(k, v),
        removeItem: (k) => map.delete(k),
    };
}

const box = (x: number): ApiShape => ({ type: "box", label: "Cat", x, y: 0, w: 5, h: 5 });

describe("Autosaver", () => {
    it("debounces saves, keeps a local copy until the server acknowledges", async () => {
        const timers = new FakeTimers();
        const storage = memoryStorage();
        let shapes = [box(1)];
        const sent: { shapes: ApiShape[]; keepalive: boolean }[] = [];
        let online = false;
        const saver = new Autosaver(
            "k",
            () => shapes,
            (s, keepalive) => {
                sent.push({ shapes: s, keepalive });
                return Promise.resolve(online);
            },
            storage,
            timers,
        );
        saver.changed();
        shapes = [box(2)];
        saver.changed();
        timers.advance(999);
        expect(sent).toHaveLength(0);
        expect(Autosaver.localCopy(storage, "k")).toEqual([box(2)]);
        timers.advance(1);
        await saver.flush(false);
        expect(sent).toEqual([{ shapes: [box(2)], keepalive: false }]);
        // The network is down: the copy stays and the saver is still dirty.
        expect(saver.dirty).toBe(true);
        expect(storage.map.has("k")).toBe(true);
        online = true;
        await saver.flush(true);
        expect(sent[1]).toEqual({ shapes: [box(2)], keepalive: true });
        expect(saver.dirty).toBe(false);
        expect(storage.map.has("k")).toBe(false);
    });

    it("reports changed, saving, failed and saved in order", async () => {
        const timers = new FakeTimers();
        const statuses: string[] = [];
        let online = false;
        const saver = new Autosaver(
            "k",
            () => [box(1)],
            () => Promise.resolve(online),
            memoryStorage(),
            timers,
        );
        saver.onStatus = (s) => statuses.push(s);
        saver.changed();
        await saver.flush(false);
        online = true;
        await saver.flush(false);
        expect(statuses).toEqual(["changed", "saving", "failed", "saving", "saved"]);
    });

    it("sends nothing when nothing changed and forgets everything on discard", async () => {
        const timers = new FakeTimers();
        const storage = memoryStorage();
        let calls = 0;
        const saver = new Autosaver(
            "k",
            () => [box(1)],
            () => {
                calls++;
                return Promise.resolve(true);
            },
            storage,
            timers,
        );
        await saver.flush(true);
        saver.changed();
        saver.discard();
        timers.advance(5000);
        await saver.flush(false);
        expect(calls).toBe(0);
        expect(Autosaver.localCopy(storage, "k")).toBeNull();
        storage.setItem("k", "not json");
        expect(Autosaver.localCopy(storage, "k")).toBeNull();
    });
});
