// GET /healthz, /api/v1/version, /api/v1/openapi.json
#include "http/api_routes.hpp"
#include "http/embedded_files.hpp"
#include "http/json_io.hpp"

namespace tessera::http {

void RegisterMetaRoutes(Router& router, ApiContext& context) {
    AddRoute(router, "GET", "/healthz", Access::kPublic, [](Request&) -> Result<Response> {
        return JsonResponse(200, {{"status", "ok"}});
    });
    AddRoute(router, "GET", "/api/v1/version", Access::kPublic,
             [&context](Request&) -> Result<Response> {
                 return JsonResponse(200, {{"version", context.settings.version}});
             });
    AddRoute(router, "GET", "/api/v1/openapi.json", Access::kPublic,
             [](Request&) -> Result<Response> {
                 for (const EmbeddedFile& file : EmbeddedApiFiles()) {
                     if (file.path == "/openapi.json") {
                         Response response;
                         response.body.assign(file.data);
                         response.Header("Content-Type", "application/json");
                         return response;
                     }
                 }
                 return Error::Internal("openapi.json was not embedded");
             });
}

}  // namespace tessera::http
