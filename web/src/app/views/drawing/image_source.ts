// Which picture the drawing stage opens an item with: the display rendition (`image_url`), or
// for images above the tiling threshold the tile pyramid, or its thumbnail ("preparing") while
// the server still builds the pyramid. DICOM items always open from image_url.
import type { ImageSource } from "../../../canvas/image_layer";
import { kTiledThreshold } from "../../../canvas/image_layer";
import type { ApiResult } from "../../../client/result";
import type { Id, Item, TileInfo } from "../../../schema/api";

/** The part of ApiClient this needs; tests pass a fake. */
export interface TileApi {
    tileInfo(id: Id, itemId: Id): Promise<ApiResult<TileInfo>>;
    tileUrl(id: Id, itemId: Id, level: number, col: number, row: number): string;
}

export function tileSource(api: TileApi, projectId: Id, item: Item, info: TileInfo): ImageSource {
    return {
        kind: "tiles",
        tiles: {
            tileSize: info.tile_size,
            levels: info.levels,
            url: (level, col, row) => api.tileUrl(projectId, item.id, level, col, row),
        },
    };
}

/** The picture to open with; the plain image when the tile info cannot be read. */
export async function imageSource(api: TileApi, projectId: Id, item: Item): Promise<ImageSource> {
    // DICOM is never tiled: frames and window/level come from image_url's renderer.
    const huge = item.width > kTiledThreshold || item.height > kTiledThreshold;
    if (huge && item.format !== "dicom") {
        const r = await api.tileInfo(projectId, item.id);
        if (r.ok) {
            return r.value.status === "building"
                ? { kind: "preparing", preview: item.thumbnail_url }
                : tileSource(api, projectId, item, r.value);
        }
    }
    return { kind: "image", url: item.image_url };
}
