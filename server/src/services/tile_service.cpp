#include "services/tile_service.hpp"

#include "services/datasource_opener.hpp"
#include "services/item_cache.hpp"
#include "services/item_source.hpp"

namespace tessera {

TileService::TileService(Repository& repo, TilePyramid& pyramid, DatasourceOpener* opener)
    : repo_(repo), pyramid_(pyramid), opener_(opener) {}

Result<TileService::Source> TileService::Resolve(const User& actor, Id project_id, Id item_id) {
    if (actor.id == 0) {
        return Error::Unauthenticated("sign in to see images");
    }
    // Every signed-in user may see every project for now (permissions.hpp).
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(Item item, repo_.GetItem(project_id, item_id));
    if (item.state == ItemState::kError) {
        return Error::FailedPrecondition(item.error.empty() ? "the image cannot be read"
                                                            : item.error);
    }
    TESSERA_ASSIGN_OR_RETURN(SourceRef path, LocateItemFile(repo_, opener_, project, item));
    return Source{item, path, ItemCacheKey(project_id, item_id)};
}

Result<TileStatus> TileService::Info(const User& actor, Id project_id, Id item_id) {
    TESSERA_ASSIGN_OR_RETURN(Source source, Resolve(actor, project_id, item_id));
    auto polled = pyramid_.Poll(source.path, source.cache_key);
    if (!polled.ok()) {
        return ItemSourceError(polled.error());
    }
    if (polled->ready) {
        return TileStatus{true, 1, polled->info};
    }
    // The ingest probe stored the size with EXIF orientation applied, as the pyramid will have.
    int tile_size = pyramid_.spec().tile_size;
    const Item& item = source.item;
    PyramidInfo planned{item.width, item.height, tile_size,
                        PyramidLevels(item.width, item.height, tile_size)};
    return TileStatus{false, polled->progress, planned};
}

Result<ImageFile> TileService::Tile(const User& actor, Id project_id, Id item_id, int level,
                                    int col, int row) {
    TESSERA_ASSIGN_OR_RETURN(Source source, Resolve(actor, project_id, item_id));
    // The address is checked here because the pyramid's kNotFound also means "source gone",
    // which the client must see as kFailedPrecondition.
    auto polled = pyramid_.Poll(source.path, source.cache_key);
    if (!polled.ok()) {
        return ItemSourceError(polled.error());
    }
    if (!polled->ready) {
        return Error::Unavailable("the tile pyramid is still being built; poll tiles/info");
    }
    const PyramidInfo& info = polled->info;
    if (level < 0 || level >= info.levels || col < 0 || col >= info.Columns(level) || row < 0 ||
        row >= info.Rows(level)) {
        return Error::NotFound("no tile " + std::to_string(level) + "/" + std::to_string(col) +
                               "/" + std::to_string(row) + " in this image");
    }
    auto tile = pyramid_.Tile(source.path, source.cache_key, level, col, row);
    if (!tile.ok()) {
        return ItemSourceError(tile.error());
    }
    ImageFile file;
    file.path = tile->path;
    // The version names key, source mtime/size and tile spec: a changed source gives new ETags.
    file.etag = "\"" + tile->version + "-" + std::to_string(level) + "-" + std::to_string(col) +
                "-" + std::to_string(row) + "\"";
    file.content_type = "image/jpeg";
    return file;
}

}  // namespace tessera
