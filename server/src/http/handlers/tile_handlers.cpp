// Tile pyramids for images too large to send whole (docs/design/tiles.md).
#include <charconv>
#include <cmath>

#include "http/api_routes.hpp"
#include "http/etag.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

// Same caching as the display image: a tile's ETag changes whenever its source does.
constexpr const char* kTileCacheControl = "private, max-age=86400";

// Tile addresses start at 0, unlike ids. Anything else is a 404 (an address outside the
// pyramid), not a 400: viewers probe neighbouring tiles freely.
Result<int> TileParam(const Request& request, const std::string& name) {
    auto it = request.params.find(name);
    if (it == request.params.end()) {
        return Error::Internal("route has no parameter " + name);
    }
    const std::string& text = it->second;
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
        return Error::NotFound("no such tile");
    }
    return value;
}

Result<TileService*> Tiles(ApiContext& context) {
    if (context.tiles == nullptr) {
        return Error::Unavailable("tiles are not enabled on this server");
    }
    return context.tiles;
}

Result<Response> Info(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(Id item_id, request.IdParam("item_id"));
    TESSERA_ASSIGN_OR_RETURN(TileService * tiles, Tiles(context));
    TESSERA_ASSIGN_OR_RETURN(TileStatus status, tiles->Info(request.user(), project_id, item_id));
    const PyramidInfo& info = status.info;
    // 202 while the pyramid is being built: the body already has its final shape, and the
    // viewer polls again (Retry-After) while it shows a preview.
    Response response = JsonResponse(status.ready ? 200 : 202,
                                     {{"status", status.ready ? "ready" : "building"},
                                      {"progress", std::round(status.progress * 1000) / 1000},
                                      {"width", info.width},
                                      {"height", info.height},
                                      {"tile_size", info.tile_size},
                                      {"levels", info.levels}});
    if (!status.ready) {
        response.Header("Retry-After", "1");
    }
    return response;
}

Result<Response> Tile(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(Id item_id, request.IdParam("item_id"));
    TESSERA_ASSIGN_OR_RETURN(int level, TileParam(request, "level"));
    TESSERA_ASSIGN_OR_RETURN(int col, TileParam(request, "col"));
    TESSERA_ASSIGN_OR_RETURN(int row, TileParam(request, "row"));
    TESSERA_ASSIGN_OR_RETURN(TileService * tiles, Tiles(context));
    TESSERA_ASSIGN_OR_RETURN(ImageFile tile,
                             tiles->Tile(request.user(), project_id, item_id, level, col, row));
    Response response;
    response.Header("ETag", tile.etag);
    response.Header("Cache-Control", kTileCacheControl);
    if (IfNoneMatch(request.raw, tile.etag)) {
        response.status = 304;
        return response;
    }
    response.Header("Content-Type", tile.content_type);
    response.Header("X-Content-Type-Options", "nosniff");
    response.file = tile.path;
    return response;
}

}  // namespace

void RegisterTileRoutes(Router& router, ApiContext& context) {
    constexpr Access kAuth = Access::kAuthenticated;
    const std::string tiles = "/api/v1/projects/{id}/items/{item_id}/tiles";
    AddRoute(router, "GET", tiles + "/info", kAuth, Bind(context, Info));
    AddRoute(router, "GET", tiles + "/{level}/{col}/{row}", kAuth, Bind(context, Tile));
}

}  // namespace tessera::http
