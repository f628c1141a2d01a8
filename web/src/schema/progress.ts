// Progress arithmetic for the project list and dashboard.
import type { Progress, ProgressState } from "./api";

/** Share of items that are done (labeled or skipped), 0-100, floored so 100 means all done. */
export function percentDone(p: Progress): number {
    if (p.total <= 0) {
        return 0;
    }
    return Math.floor(((p.labeled + p.skipped) * 100) / p.total);
}

export const kProgressLabels: Record<ProgressState, string> = {
    unlabeled: "Unlabeled",
    in_progress: "In progress",
    labeled: "Labeled",
    skipped: "Skipped",
    needs_review: "Needs review",
    error: "Error",
    missing: "Missing",
};

/** Segments of a stacked bar: each state's share in percent (floats, summing to 100 or 0). */
export function progressSegments(
    p: Progress,
): { state: ProgressState; count: number; percent: number }[] {
    const states: ProgressState[] = [
        "labeled",
        "skipped",
        "needs_review",
        "in_progress",
        "unlabeled",
        "error",
        "missing",
    ];
    const sum = states.reduce((acc, s) => acc + p[s], 0);
    return states.map((state) => ({
        state,
        count: p[state],
        percent: sum > 0 ? (p[state] * 100) / sum : 0,
    }));
}
