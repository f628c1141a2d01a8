import { describe, expect, it } from "vitest";

import type { ApiResult } from "../../../client/result";
import { fail, ok } from "../../../client/result";
import type { TileInfo } from "../../../schema/api";
import { preparingMessage, waitForTiles } from "./tile_wait";

const shape = { width: 12000, height: 9000, tile_size: 512, levels: 6 };

function building(progress: number): ApiResult<TileInfo> {
    return ok({ status: "building", progress, ...shape });
}
const ready: ApiResult<TileInfo> = ok({ status: "ready", progress: 1, ...shape });

/** A fake server answering from a script, recording the waits in between. */
function scripted(answers: ApiResult<TileInfo>[]) {
    const sleeps: number[] = [];
    const progress: number[] = [];
    let calls = 0;
    return {
        sleeps,
        progress,
        get calls() {
            return calls;
        },
        opts: {
            fetchInfo: () => {
                const a = answers[Math.min(calls, answers.length - 1)];
                calls++;
                return Promise.resolve(a ?? ready);
            },
            onProgress: (p: number) => {
                progress.push(p);
            },
            sleep: (ms: number) => {
                sleeps.push(ms);
                return Promise.resolve();
            },
            cancelled: () => false,
        },
    };
}

describe("waitForTiles", () => {
    it("returns at once when the pyramid is ready", async () => {
        const s = scripted([ready]);
        const r = await waitForTiles(s.opts);
        expect(r).toEqual(ready);
        expect(s.calls).toBe(1);
        expect(s.sleeps).toEqual([]);
    });

    it("reports progress and polls until ready", async () => {
        const s = scripted([building(0), building(0.4), building(0.9), ready]);
        const r = await waitForTiles({ ...s.opts, intervalMs: 250 });
        expect(r?.ok).toBe(true);
        expect(s.progress).toEqual([0, 0.4, 0.9]);
        expect(s.sleeps).toEqual([250, 250, 250]);
    });

    it("treats an answer without status (an older server) as ready", async () => {
        const old = ok(shape as unknown as TileInfo);
        const s = scripted([old]);
        expect(await waitForTiles(s.opts)).toBe(old);
    });

    it("hands back the server's error", async () => {
        const broken = fail<TileInfo>({
            status: 409,
            code: "failed_precondition",
            message: "cannot decode image",
        });
        const s = scripted([building(0.1), broken]);
        const r = await waitForTiles(s.opts);
        expect(r).toBe(broken);
        expect(s.progress).toEqual([0.1]);
    });

    it("stops when the item is left", async () => {
        let left = false;
        const s = scripted([building(0.2), building(0.3), ready]);
        const r = await waitForTiles({
            ...s.opts,
            onProgress: () => {
                left = true;
            },
            cancelled: () => left,
        });
        expect(r).toBeNull();
        expect(s.calls).toBe(1);
    });
});

describe("preparingMessage", () => {
    it("shows whole percents and never claims 100 before the swap", () => {
        expect(preparingMessage(0)).toBe("Preparing the full-resolution image… 0 %");
        expect(preparingMessage(0.404)).toBe("Preparing the full-resolution image… 40 %");
        expect(preparingMessage(1)).toBe("Preparing the full-resolution image… 99 %");
        expect(preparingMessage(-1)).toBe("Preparing the full-resolution image… 0 %");
    });
});
