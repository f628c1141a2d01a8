#pragma once
// Every route of docs/api.md, registered on a Router. Handlers are thin: parse the request,
// call one service, serialize the result.
#include <chrono>
#include <functional>
#include <string>

#include "http/auth_middleware.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "services/auth_service.hpp"
#include "services/dashboard_service.hpp"
#include "services/export_service.hpp"
#include "services/image_service.hpp"
#include "services/import_service.hpp"
#include "services/labeling_service.hpp"
#include "services/ml_service.hpp"
#include "services/project_service.hpp"
#include "services/refresh_service.hpp"
#include "services/tile_service.hpp"
#include "services/upload_service.hpp"

namespace tessera::http {

struct ApiSettings {
    std::string version = "0.0.0";
    CookieSettings cookies;
    std::chrono::milliseconds events_interval{2000};    // dashboard recomputed this often
    std::chrono::milliseconds events_keepalive{15000};  // comment line when idle this long
    // Bearer token for GET /metrics on this listener; empty: /metrics answers 404 here.
    std::string metrics_token;
};

// Non-owning; everything must outlive the router. Pointers so route tables can be built (and
// checked against openapi.json) without live services.
struct ApiContext {
    AuthService* auth = nullptr;
    ProjectService* projects = nullptr;
    LabelingService* labeling = nullptr;
    DashboardService* dashboard = nullptr;
    ExportService* exports = nullptr;
    ImageService* images = nullptr;
    ApiSettings settings;
    // Last so existing positional initialisers stay valid; null answers 503 on tile routes.
    TileService* tiles = nullptr;
    ImportService* imports = nullptr;   // null answers 503 on the import route
    Metrics* metrics = nullptr;         // null: GET /metrics answers 404
    UploadService* uploads = nullptr;   // null answers 503 on the tus upload routes
    RefreshService* refresh = nullptr;  // null answers 503 on the refresh routes
    MlService* ml = nullptr;            // null answers 503 on the ML assist routes
};

// A handler whose errors become JSON error responses.
using ResultHandler = std::function<Result<Response>(Request&)>;
void AddRoute(Router& router, std::string method, std::string pattern, Access access,
              ResultHandler handler);

// Adapts `Result<Response> Handler(ApiContext&, Request&)` functions to ResultHandler.
using ContextHandler = Result<Response> (*)(ApiContext&, Request&);
inline ResultHandler Bind(ApiContext& context, ContextHandler handler) {
    return [&context, handler](Request& request) { return handler(context, request); };
}

void RegisterMetaRoutes(Router& router, ApiContext& context);
// GET /metrics alone (RegisterMetaRoutes adds it too). With a token, requests must carry
// `Authorization: Bearer TOKEN` (401 otherwise); without one it answers 404, unless
// `open_without_token` (a separate metrics listener the operator chose to expose).
void AddMetricsRoute(Router& router, const Metrics* metrics, std::string token,
                     bool open_without_token);
void RegisterSessionRoutes(Router& router, ApiContext& context);
void RegisterProjectRoutes(Router& router, ApiContext& context);
void RegisterLabelingRoutes(Router& router, ApiContext& context);
void RegisterMediaRoutes(Router& router, ApiContext& context);
void RegisterTileRoutes(Router& router, ApiContext& context);
void RegisterImportRoutes(Router& router, ApiContext& context);
void RegisterDatasourceRoutes(Router& router, ApiContext& context);
void RegisterUploadRoutes(Router& router, ApiContext& context);
// POST /api/v1/projects/{id}/refresh and PATCH /api/v1/projects/{id} (refresh_handlers.cpp).
void RegisterRefreshRoutes(Router& router, ApiContext& context);
// The "refresh" member of a PATCH /api/v1/projects/{id} body, applied; a no-op without one.
// Kept apart so the PATCH handler can grow other members (name, instructions, labels).
Status ApplyRefreshPatch(ApiContext& context, Request& request, const nlohmann::json& body);
// PATCH /api/v1/projects/{id}'s "ml_assist" (ml_handlers.cpp): CheckMlPatch refuses a malformed
// member before anything changes; ApplyMlPatch stores it. MlSettingsJsonOf is the project JSON's
// "ml_assist" (null when the server runs without ML assist).
Status CheckMlPatch(const nlohmann::json& body);
Status ApplyMlPatch(ApiContext& context, Request& request, const nlohmann::json& body);
Result<nlohmann::json> MlSettingsJsonOf(ApiContext& context, Request& request, Id project_id);
void RegisterMlRoutes(Router& router, ApiContext& context);

// All of the above plus the static UI fallback. `static_files` must outlive the router.
void RegisterApiRoutes(Router& router, ApiContext& context, const StaticFiles& static_files);

}  // namespace tessera::http
