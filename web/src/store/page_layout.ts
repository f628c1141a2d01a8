// Grid geometry of the labeling page and how many items to lease for a given need.
import type { PageSize } from "../schema/api";
import { kPageSizes } from "../schema/api";

export function columnsFor(layout: PageSize): number {
    switch (layout) {
        case 1:
            return 1;
        case 4:
            return 2;
        case 6:
        case 9:
            return 3;
    }
}

export function isPageSize(n: number): n is PageSize {
    return (kPageSizes as readonly number[]).includes(n);
}

/**
 * POST /next only accepts 1, 4, 6 or 9. To get `need` more items we ask for the smallest size
 * that covers it (9 at a time beyond that); extra items wait hidden in the page pool.
 */
export function leaseCounts(need: number): PageSize[] {
    const out: PageSize[] = [];
    let left = Math.max(0, Math.floor(need));
    while (left > 0) {
        const size = kPageSizes.find((s) => s >= left) ?? 9;
        out.push(size);
        left -= size;
    }
    return out;
}

export type Direction = "left" | "right" | "up" | "down";

/** Index reached by moving from `index` in a grid of `count` cells and `columns` columns. */
export function moveIndex(index: number, dir: Direction, count: number, columns: number): number {
    if (count <= 0) {
        return 0;
    }
    const clamp = (i: number): number => Math.min(count - 1, Math.max(0, i));
    switch (dir) {
        case "left":
            return clamp(index - 1);
        case "right":
            return clamp(index + 1);
        case "up":
            return index - columns >= 0 ? index - columns : index;
        case "down":
            return index + columns < count ? index + columns : index;
    }
}
