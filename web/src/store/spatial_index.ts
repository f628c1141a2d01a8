// A uniform grid over image pixels for hit-testing thousands of shapes: each shape is filed
// under every cell its bounds touch, so a click only looks at the shapes in one cell.
import type { Box } from "../geometry/box";
import { boxesIntersect } from "../geometry/box";
import type { ImagePoint } from "../geometry/point";

export class GridIndex {
    private readonly cells_ = new Map<number, Set<string>>();
    private readonly bounds_ = new Map<string, Box>();

    constructor(private readonly cellSize = 128) {}

    get size(): number {
        return this.bounds_.size;
    }

    insert(id: string, bounds: Box): void {
        this.remove(id);
        this.bounds_.set(id, bounds);
        this.forCells(bounds, (key) => {
            let cell = this.cells_.get(key);
            if (cell === undefined) {
                cell = new Set();
                this.cells_.set(key, cell);
            }
            cell.add(id);
        });
    }

    remove(id: string): void {
        const bounds = this.bounds_.get(id);
        if (bounds === undefined) {
            return;
        }
        this.bounds_.delete(id);
        this.forCells(bounds, (key) => {
            const cell = this.cells_.get(key);
            cell?.delete(id);
            if (cell?.size === 0) {
                this.cells_.delete(key);
            }
        });
    }

    clear(): void {
        this.cells_.clear();
        this.bounds_.clear();
    }

    /** Ids whose bounds (grown by `tolerance`) contain `p`. */
    queryPoint(p: ImagePoint, tolerance = 0): string[] {
        return this.queryBox({
            x: p.x - tolerance,
            y: p.y - tolerance,
            w: 2 * tolerance,
            h: 2 * tolerance,
        });
    }

    queryBox(area: Box): string[] {
        const seen = new Set<string>();
        this.forCells(area, (key) => {
            for (const id of this.cells_.get(key) ?? []) {
                const b = this.bounds_.get(id);
                if (b !== undefined && boxesIntersect(b, area)) {
                    seen.add(id);
                }
            }
        });
        return [...seen];
    }

    private forCells(b: Box, fn: (key: number) => void): void {
        const s = this.cellSize;
        const cx0 = Math.floor(b.x / s);
        const cy0 = Math.floor(b.y / s);
        const cx1 = Math.floor((b.x + b.w) / s);
        const cy1 = Math.floor((b.y + b.h) / s);
        for (let cy = cy0; cy <= cy1; cy++) {
            for (let cx = cx0; cx <= cx1; cx++) {
                // Cells are keyed by a pairing of (cx, cy); images stay far below 2^20 cells a side.
                fn((cy + 0x80000) * 0x100000 + (cx + 0x80000));
            }
        }
    }
}
