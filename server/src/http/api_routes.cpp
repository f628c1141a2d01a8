#include "http/api_routes.hpp"

#include "http/error_mapping.hpp"

namespace tessera::http {

void AddRoute(Router& router, std::string method, std::string pattern, Access access,
              ResultHandler handler) {
    router.Add(std::move(method), std::move(pattern), access,
               [handler = std::move(handler)](Request& request) {
                   Result<Response> response = handler(request);
                   if (!response.ok()) {
                       return ErrorResponse(response.error());
                   }
                   return std::move(response).value();
               });
}

void RegisterApiRoutes(Router& router, ApiContext& context, const StaticFiles& static_files) {
    RegisterMetaRoutes(router, context);
    RegisterSessionRoutes(router, context);
    RegisterProjectRoutes(router, context);
    RegisterLabelingRoutes(router, context);
    RegisterMediaRoutes(router, context);
    RegisterTileRoutes(router, context);
    RegisterImportRoutes(router, context);
    RegisterDatasourceRoutes(router, context);
    RegisterUploadRoutes(router, context);
    RegisterRefreshRoutes(router, context);
    RegisterMlRoutes(router, context);
    router.SetFallback([&static_files](Request& request) { return static_files.Serve(request); });
}

}  // namespace tessera::http
