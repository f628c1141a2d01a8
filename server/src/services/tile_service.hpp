#pragma once
// Tile pyramids of items (blobs/tile_pyramid.hpp), for images too large to send whole: the
// viewer asks for the pyramid's shape, then for the JPEG tiles covering its view. Built on first
// request and cached under the data dir. Only users who may see the project get them.
#include <string>

#include "base/result.hpp"
#include "blobs/tile_pyramid.hpp"
#include "domain/model.hpp"
#include "services/image_service.hpp"
#include "storage/repository.hpp"

namespace tessera {

class TileService {
public:
    // Both must outlive the service.
    TileService(Repository& repo, TilePyramid& pyramid);

    // Thread-safe. The first call for an item builds its pyramid (seconds for a gigapixel
    // image); concurrent first calls wait for one build.
    // Errors: kUnauthenticated, kNotFound for unknown projects/items, kFailedPrecondition (with
    // the reason) when the source is missing or cannot be decoded.
    Result<PyramidInfo> Info(const User& actor, Id project_id, Id item_id);
    // As Info, plus kNotFound when level/col/row lies outside the pyramid.
    Result<ImageFile> Tile(const User& actor, Id project_id, Id item_id, int level, int col,
                           int row);

private:
    struct Source {
        std::filesystem::path path;
        std::string cache_key;
    };
    Result<Source> Resolve(const User& actor, Id project_id, Id item_id);

    Repository& repo_;
    TilePyramid& pyramid_;
};

}  // namespace tessera
