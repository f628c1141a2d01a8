#pragma once
// Tile pyramids of items (blobs/tile_pyramid.hpp), for images too large to send whole: the
// viewer asks for the pyramid's shape and state, then for the JPEG tiles covering its view.
// Pyramids of large items are built ahead by the "tile_pyramids" job (tile_pyramid_job.hpp);
// one asked for before the job got to it is built in the background while the viewer polls.
// Only users who may see the project get them.
#include <string>

#include "base/result.hpp"
#include "blobs/tile_pyramid.hpp"
#include "domain/model.hpp"
#include "services/image_service.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct TileStatus {
    bool ready = false;
    double progress = 0;  // 0-1 while the pyramid is being built
    // When not ready: the shape the pyramid will have, from the item's stored size.
    PyramidInfo info;
};

class DatasourceOpener;

class TileService {
public:
    // Both must outlive the service.
    // `opener` reads items of datasource kinds other than "local" (a blob's cached copy).
    TileService(Repository& repo, TilePyramid& pyramid, DatasourceOpener* opener = nullptr);

    // Thread-safe; never waits for a build. When the pyramid is missing it is queued for a
    // background build and the answer says how far that build is.
    // Errors: kUnauthenticated, kNotFound for unknown projects/items, kFailedPrecondition (with
    // the reason) when the source is missing or cannot be decoded.
    Result<TileStatus> Info(const User& actor, Id project_id, Id item_id);
    // As Info, plus kUnavailable while the pyramid is still being built and kNotFound when
    // level/col/row lies outside it.
    Result<ImageFile> Tile(const User& actor, Id project_id, Id item_id, int level, int col,
                           int row);

private:
    struct Source {
        Item item;
        SourceRef path;
        CacheKey cache_key;
    };
    Result<Source> Resolve(const User& actor, Id project_id, Id item_id);

    Repository& repo_;
    TilePyramid& pyramid_;
    DatasourceOpener* opener_;
};

}  // namespace tessera
