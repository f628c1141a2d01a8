// Waiting for an image's tile pyramid: `GET .../tiles/info` answers at once, "building" with a
// progress fraction until the server has the tiles, then "ready". The drawing view shows a
// low-resolution preview and the progress meanwhile, and swaps to tiles when this resolves.
import type { ApiResult } from "../../../client/result";
import type { TileInfo } from "../../../schema/api";

export interface TileWaitOptions {
    /** One `tiles/info` request. */
    fetchInfo(): Promise<ApiResult<TileInfo>>;
    /** Called with each "building" answer's progress (0-1). */
    onProgress(progress: number): void;
    /** Resolves after `ms` (a timer in the page, immediate in tests). */
    sleep(ms: number): Promise<void>;
    /** True once nobody wants the answer any more (the item was left). */
    cancelled(): boolean;
    /** Between polls; the server suggests 1 s (Retry-After). */
    intervalMs?: number;
}

/** The ready pyramid or the server's error; null when cancelled. */
export async function waitForTiles(opts: TileWaitOptions): Promise<ApiResult<TileInfo> | null> {
    const interval = opts.intervalMs ?? 1000;
    for (;;) {
        if (opts.cancelled()) {
            return null;
        }
        const r = await opts.fetchInfo();
        if (opts.cancelled()) {
            return null;
        }
        // Servers from before the "status" field always answered with a finished pyramid.
        if (!r.ok || r.value.status !== "building") {
            return r;
        }
        opts.onProgress(r.value.progress);
        await opts.sleep(interval);
    }
}

/** The line shown over the preview while the pyramid is built. */
export function preparingMessage(progress: number): string {
    const percent = Math.max(0, Math.min(99, Math.floor(progress * 100)));
    return `Preparing the full-resolution image… ${percent} %`;
}
