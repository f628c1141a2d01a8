import { describe, expect, it } from "vitest";

import type { Dashboard } from "../schema/api";
import type { EventSourceLike, FeedDeps } from "./dashboard_feed";
import { startDashboardFeed } from "./dashboard_feed";
import { ok } from "./result";

function dash(labeled: number): Dashboard {
    return {
        progress: {
            total: 2,
            unlabeled: 2 - labeled,
            in_progress: 0,
            labeled,
            skipped: 0,
            needs_review: 0,
            error: 0,
            missing: 0,
        },
        labels: [],
        labelers: [],
        jobs: [],
    };
}

class FakeSource implements EventSourceLike {
    onerror: ((e: Event) => void) | null = null;
    closed = false;
    handlers = new Map<string, (e: MessageEvent<string>) => void>();
    addEventListener(type: string, fn: (e: MessageEvent<string>) => void): void {
        this.handlers.set(type, fn);
    }
    close(): void {
        this.closed = true;
    }
    emit(type: string, data: string): void {
        this.handlers.get(type)?.({ data } as MessageEvent<string>);
    }
}

function harness(openEvents: FeedDeps["openEvents"]) {
    const seen: number[] = [];
    const modes: string[] = [];
    const timers: { fn: () => void; ms: number }[] = [];
    let cleared = 0;
    let polls = 0;
    const stop = startDashboardFeed({
        url: "/api/v1/projects/1/events",
        poll: () => {
            polls++;
            return Promise.resolve(ok(dash(polls)));
        },
        openEvents,
        onData: (d) => seen.push(d.progress.labeled),
        onMode: (m) => modes.push(m),
        setInterval: (fn, ms) => {
            timers.push({ fn, ms });
            return timers.length;
        },
        clearInterval: () => {
            cleared++;
        },
    });
    return { seen, modes, timers, stop, cleared: () => cleared, polls: () => polls };
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe("startDashboardFeed", () => {
    it("uses server-sent events when they work", async () => {
        const source = new FakeSource();
        const h = harness(() => source);
        await flush();
        source.emit("dashboard", JSON.stringify(dash(2)));
        source.emit("dashboard", "{not json");
        expect(h.seen).toEqual([1, 2]);
        expect(h.modes).toEqual(["live"]);
        expect(h.timers).toHaveLength(0);
        h.stop();
        expect(source.closed).toBe(true);
    });

    it("falls back to polling every 5 s when the stream fails", async () => {
        const source = new FakeSource();
        const h = harness(() => source);
        source.onerror?.(new Event("error"));
        await flush();
        expect(source.closed).toBe(true);
        expect(h.modes).toEqual(["polling"]);
        expect(h.timers.map((t) => t.ms)).toEqual([5000]);
        h.timers[0]?.fn();
        await flush();
        expect(h.polls()).toBe(3);
        h.stop();
        expect(h.cleared()).toBe(1);
    });

    it("polls when EventSource is unavailable or throws", async () => {
        const h = harness(() => {
            throw new Error("no SSE");
        });
        await flush();
        expect(h.modes).toEqual(["polling"]);
        expect(h.timers).toHaveLength(1);
        const h2 = harness(null);
        await flush();
        expect(h2.modes).toEqual(["polling"]);
        h.stop();
        h2.stop();
    });
});
