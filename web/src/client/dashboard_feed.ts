// Live dashboard figures: Server-Sent Events (`event: dashboard`), falling back to polling
// every 5 s if the stream cannot be opened or breaks.
import type { Dashboard } from "../schema/api";
import type { ApiResult } from "./result";

export interface EventSourceLike {
    addEventListener(type: string, fn: (e: MessageEvent<string>) => void): void;
    onerror: ((e: Event) => void) | null;
    close(): void;
}

export interface FeedDeps {
    readonly url: string;
    readonly poll: () => Promise<ApiResult<Dashboard>>;
    readonly openEvents: ((url: string) => EventSourceLike) | null;
    readonly onData: (d: Dashboard) => void;
    readonly onMode?: (mode: "live" | "polling") => void;
    readonly setInterval: (fn: () => void, ms: number) => unknown;
    readonly clearInterval: (handle: unknown) => void;
    readonly pollMs?: number;
}

/** Starts the feed; the returned function stops it. */
export function startDashboardFeed(deps: FeedDeps): () => void {
    let source: EventSourceLike | null = null;
    let timer: unknown = null;
    let stopped = false;

    const pollOnce = async (): Promise<void> => {
        const r = await deps.poll();
        if (r.ok && !stopped) {
            deps.onData(r.value);
        }
    };
    const startPolling = (): void => {
        if (timer !== null || stopped) {
            return;
        }
        source?.close();
        source = null;
        deps.onMode?.("polling");
        void pollOnce();
        timer = deps.setInterval(() => void pollOnce(), deps.pollMs ?? 5000);
    };

    if (deps.openEvents === null) {
        startPolling();
    } else {
        try {
            source = deps.openEvents(deps.url);
            source.addEventListener("dashboard", (e) => {
                try {
                    deps.onData(JSON.parse(e.data) as Dashboard);
                    deps.onMode?.("live");
                } catch {
                    // A garbled event is not worth dropping the stream for; the next one fixes it.
                }
            });
            source.onerror = () => {
                startPolling();
            };
        } catch {
            startPolling();
        }
        // The stream only sends on change; fetch once so the page is not blank meanwhile.
        void pollOnce();
    }

    return () => {
        stopped = true;
        source?.close();
        if (timer !== null) {
            deps.clearInterval(timer);
        }
    };
}
