// Active time on a labeling page, for the savings figures (issue 10, point 8; docs/design/ml.md,
// "Savings"). Time counts between signs of life (a key, a click, the page shown) while the page
// is visible, each gap at most `idleMs`: a labeler who walks away stops the clock after that,
// and a hidden tab stops it at once. Times come from the caller (performance.now() in the app,
// plain numbers in tests).
export const kIdleMs = 30_000;

export class ActivityClock {
    private last_: number | null = null;
    private total_ = 0;

    constructor(private readonly idleMs: number = kIdleMs) {}

    /** A sign of life at `now`. */
    touch(now: number): void {
        if (this.last_ !== null) {
            this.total_ += Math.min(Math.max(0, now - this.last_), this.idleMs);
        }
        this.last_ = now;
    }

    /** The page went hidden at `now`: nothing counts until the next touch. */
    pause(now: number): void {
        this.touch(now);
        this.last_ = null;
    }

    /** Active milliseconds since the previous lap (or the first touch), ending at `now`. */
    lap(now: number): number {
        this.touch(now);
        const total = this.total_;
        this.total_ = 0;
        return Math.round(total);
    }
}
