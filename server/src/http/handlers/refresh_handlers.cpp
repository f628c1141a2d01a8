// Incremental refresh: "refresh now", and the refresh settings that PATCH /api/v1/projects/{id}
// (project_handlers.cpp) hands to ApplyRefreshPatch (docs/design/datasources.md).
#include "http/api_routes.hpp"
#include "http/json_codec.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;

Result<RefreshService*> RefreshOf(ApiContext& context) {
    if (context.refresh == nullptr) {
        return Error::Unavailable("refresh is not enabled on this server");
    }
    return context.refresh;
}

Result<Response> RefreshNow(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(RefreshService * refresh, RefreshOf(context));
    TESSERA_ASSIGN_OR_RETURN(Job job, refresh->RefreshNow(request.user(), project_id));
    return JsonResponse(202, {{"job", JobToJson(job)}});
}

}  // namespace

Status ApplyRefreshPatch(ApiContext& context, Request& request, const json& body) {
    auto member = body.find("refresh");
    if (member == body.end()) {
        return Status::Ok();
    }
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(RefreshSettingsChange change, RefreshChangeFromJson(*member));
    TESSERA_ASSIGN_OR_RETURN(RefreshService * refresh, RefreshOf(context));
    TESSERA_TRY(refresh->Configure(request.user(), project_id, change));
    return Status::Ok();
}

void RegisterRefreshRoutes(Router& router, ApiContext& context) {
    constexpr Access kAuth = Access::kAuthenticated;
    AddRoute(router, "POST", "/api/v1/projects/{id}/refresh", kAuth, Bind(context, RefreshNow));
}

}  // namespace tessera::http
