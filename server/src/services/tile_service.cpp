#include "services/tile_service.hpp"

namespace tessera {
namespace {

// Same rule as image_service.cpp: item paths are stored data, so refuse anything that could
// step outside the datasource before touching the disk.
bool IsSafeRelative(const std::filesystem::path& relative) {
    if (relative.empty() || relative.is_absolute()) {
        return false;
    }
    for (const auto& part : relative) {
        if (part == "..") {
            return false;
        }
    }
    return true;
}

// The pyramid reports a missing source as kNotFound; to the client the item exists, its image
// does not, like the display rendition.
Error SourceError(const Error& e) {
    if (e.code == ErrorCode::kNotFound) {
        return Error::FailedPrecondition("the source image is missing");
    }
    return e;
}

}  // namespace

TileService::TileService(Repository& repo, TilePyramid& pyramid) : repo_(repo), pyramid_(pyramid) {}

Result<TileService::Source> TileService::Resolve(const User& actor, Id project_id, Id item_id) {
    if (actor.id == 0) {
        return Error::Unauthenticated("sign in to see images");
    }
    // Every signed-in user may see every project for now (permissions.hpp).
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(Item item, repo_.GetItem(project_id, item_id));
    std::filesystem::path relative(item.path);
    if (project.datasource.kind != "local" || !IsSafeRelative(relative)) {
        return Error::FailedPrecondition("the image source cannot be read");
    }
    return Source{std::filesystem::path(project.datasource.path) / relative,
                  "p" + std::to_string(project_id) + "-i" + std::to_string(item_id)};
}

Result<PyramidInfo> TileService::Info(const User& actor, Id project_id, Id item_id) {
    TESSERA_ASSIGN_OR_RETURN(Source source, Resolve(actor, project_id, item_id));
    auto info = pyramid_.Info(source.path, source.cache_key);
    if (!info.ok()) {
        return SourceError(info.error());
    }
    return *info;
}

Result<ImageFile> TileService::Tile(const User& actor, Id project_id, Id item_id, int level,
                                    int col, int row) {
    TESSERA_ASSIGN_OR_RETURN(Source source, Resolve(actor, project_id, item_id));
    // The address is checked here because the pyramid's kNotFound also means "source gone",
    // which the client must see as kFailedPrecondition.
    auto built = pyramid_.Info(source.path, source.cache_key);
    if (!built.ok()) {
        return SourceError(built.error());
    }
    const PyramidInfo& info = *built;
    if (level < 0 || level >= info.levels || col < 0 || col >= info.Columns(level) || row < 0 ||
        row >= info.Rows(level)) {
        return Error::NotFound("no tile " + std::to_string(level) + "/" + std::to_string(col) +
                               "/" + std::to_string(row) + " in this image");
    }
    auto tile = pyramid_.Tile(source.path, source.cache_key, level, col, row);
    if (!tile.ok()) {
        return SourceError(tile.error());
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
