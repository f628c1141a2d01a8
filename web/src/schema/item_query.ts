// The Data tab's filters as GET /projects/{id}/items takes them, and keyset paging over them:
// the server only goes forward (`after` → `next_after`), so "previous" replays the `after` of
// the pages already seen.
import type { Id, ProgressState } from "./api";

export interface ItemQuery {
    state: ProgressState | "";
    label: string;
    labeler: string;
    q: string;
}

export const kNoFilter: ItemQuery = { state: "", label: "", labeler: "", q: "" };
export const kDataPageSize = 50;

/** The query string for one page (no leading "?"); empty filters are left out. */
export function itemQueryString(query: ItemQuery, after: Id, limit = kDataPageSize): string {
    const params = new URLSearchParams();
    for (const key of ["state", "label", "labeler", "q"] as const) {
        const value = query[key].trim();
        if (value !== "") {
            params.set(key, value);
        }
    }
    if (after > 0) {
        params.set("after", String(after));
    }
    params.set("limit", String(limit));
    return params.toString();
}

/** Where each page seen so far started, so "previous" can go back without offsets. */
export class PageTrail {
    private starts_: Id[] = [0];

    /** The `after` of the page on screen. */
    get current(): Id {
        return this.starts_[this.starts_.length - 1] ?? 0;
    }
    get pageNumber(): number {
        return this.starts_.length;
    }
    get hasPrevious(): boolean {
        return this.starts_.length > 1;
    }
    forward(nextAfter: Id): Id {
        this.starts_.push(nextAfter);
        return nextAfter;
    }
    back(): Id {
        if (this.starts_.length > 1) {
            this.starts_.pop();
        }
        return this.current;
    }
    reset(): void {
        this.starts_ = [0];
    }
}
