import { describe, expect, it } from "vitest";

import { kTiledThreshold } from "../../../canvas/image_layer";
import type { ApiResult } from "../../../client/result";
import { fail, ok } from "../../../client/result";
import type { Item, TileInfo } from "../../../schema/api";
import type { TileApi } from "./image_source";
import { imageSource } from "./image_source";

const item = (side: number): Item => ({
    id: 5,
    name: "slide",
    width: side,
    height: side,
    image_url: "full",
    thumbnail_url: "thumb",
});

function api(answer: ApiResult<TileInfo> | null): TileApi & { asked: number } {
    return {
        asked: 0,
        tileInfo(): Promise<ApiResult<TileInfo>> {
            this.asked++;
            return Promise.resolve(
                answer ?? fail({ status: 404, code: "not_found", message: "no tiles" }),
            );
        },
        tileUrl: (id, itemId, level, col, row) => `${id}/${itemId}/${level}/${col}/${row}`,
    };
}

const info = (status: TileInfo["status"]): ApiResult<TileInfo> =>
    ok({ status, progress: 0.5, width: 1, height: 1, tile_size: 256, levels: 4 });

describe("imageSource", () => {
    it("opens ordinary images from image_url without asking for tiles", async () => {
        const a = api(info("ready"));
        expect(await imageSource(a, 1, item(kTiledThreshold))).toEqual({
            kind: "image",
            url: "full",
        });
        expect(a.asked).toBe(0);
    });

    it("uses the pyramid of a huge image, its thumbnail while it is built", async () => {
        const huge = item(kTiledThreshold + 1);
        const ready = await imageSource(api(info("ready")), 1, huge);
        expect(ready.kind).toBe("tiles");
        if (ready.kind === "tiles") {
            expect(ready.tiles.url(2, 3, 4)).toBe("1/5/2/3/4");
            expect(ready.tiles.levels).toBe(4);
        }
        expect(await imageSource(api(info("building")), 1, huge)).toEqual({
            kind: "preparing",
            preview: "thumb",
        });
        expect(await imageSource(api(null), 1, huge)).toEqual({ kind: "image", url: "full" });
    });

    it("opens a huge DICOM image whole: it has no pyramid", async () => {
        const a = api(info("ready"));
        const scan = { ...item(kTiledThreshold + 1), format: "dicom" };
        expect(await imageSource(a, 1, scan)).toEqual({ kind: "image", url: "full" });
        expect(a.asked).toBe(0);
    });
});
