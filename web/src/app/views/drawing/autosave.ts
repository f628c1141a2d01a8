// Drafts: every change is written at once to localStorage (survives a lost network or a crash)
// and, debounced, to the server's draft endpoint (survives a different browser). A local copy
// stays marked unsynced until the server has acknowledged it; on reopening an item an unsynced
// local copy wins over the server's draft because it is necessarily newer.
import type { ApiShape } from "../../../schema/shapes";

export interface DraftStorage {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
}

export interface Timers {
    set(fn: () => void, ms: number): number;
    clear(handle: number): void;
}

export type SaveDraft = (shapes: ApiShape[], keepalive: boolean) => Promise<boolean>;

/**
 * What the page shows: "changed" (in this browser only, a save is scheduled), "saving",
 * "saved" (the server has the latest shapes), "failed" (kept in this browser; retried with the
 * next change or flush).
 */
export type DraftStatus = "changed" | "saving" | "saved" | "failed";

export class Autosaver {
    private timer_: number | null = null;
    private dirty_ = false;
    private saving_: Promise<void> | null = null;
    /** Told after every change of `DraftStatus`. */
    onStatus: ((status: DraftStatus) => void) | null = null;

    constructor(
        private readonly key: string,
        private readonly snapshot: () => ApiShape[],
        private readonly save: SaveDraft,
        private readonly storage: DraftStorage | null,
        private readonly timers: Timers,
        private readonly delayMs = 1000,
    ) {}

    get dirty(): boolean {
        return this.dirty_;
    }

    /** An unsynced local copy, if the last session ended before the server had it. */
    static localCopy(storage: DraftStorage | null, key: string): ApiShape[] | null {
        const text = storage?.getItem(key) ?? null;
        if (text === null) {
            return null;
        }
        try {
            const parsed = JSON.parse(text) as unknown;
            return Array.isArray(parsed) ? (parsed as ApiShape[]) : null;
        } catch {
            return null;
        }
    }

    changed(): void {
        this.dirty_ = true;
        this.writeLocal();
        this.onStatus?.("changed");
        if (this.timer_ !== null) {
            this.timers.clear(this.timer_);
        }
        this.timer_ = this.timers.set(() => {
            this.timer_ = null;
            void this.flush(false);
        }, this.delayMs);
    }

    /** Sends now if anything is unsaved; `keepalive` when the page is going away. */
    async flush(keepalive: boolean): Promise<void> {
        if (this.timer_ !== null) {
            this.timers.clear(this.timer_);
            this.timer_ = null;
        }
        if (!this.dirty_) {
            return this.saving_ ?? undefined;
        }
        this.dirty_ = false;
        const run = async (): Promise<void> => {
            this.onStatus?.("saving");
            const ok = await this.save(this.snapshot(), keepalive);
            if (!ok) {
                // Keep the local copy and try again with the next change or flush.
                this.dirty_ = true;
                this.onStatus?.("failed");
            } else if (!this.dirty_) {
                this.storage?.removeItem(this.key);
                this.onStatus?.("saved");
            }
        };
        const previous = this.saving_ ?? Promise.resolve();
        // Saves go out one at a time so an older snapshot never lands after a newer one.
        const next = previous.then(run);
        this.saving_ = next;
        await next;
        if (this.saving_ === next) {
            this.saving_ = null;
        }
    }

    /** After submit: nothing left to save, and no local copy to restore. */
    discard(): void {
        if (this.timer_ !== null) {
            this.timers.clear(this.timer_);
            this.timer_ = null;
        }
        this.dirty_ = false;
        this.storage?.removeItem(this.key);
    }

    private writeLocal(): void {
        try {
            this.storage?.setItem(this.key, JSON.stringify(this.snapshot()));
        } catch {
            // Quota exceeded (a huge mask): the server draft still covers it.
        }
    }
}
