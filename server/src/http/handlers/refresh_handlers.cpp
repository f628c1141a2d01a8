// Incremental refresh: "refresh now" and the refresh settings in PATCH /api/v1/projects/{id}
// (docs/design/datasources.md).
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

// PATCH /api/v1/projects/{id}: the members this server can change; others are refused by name
// so a client learns at once that nothing was applied.
Result<Response> PatchProject(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    for (const auto& [key, value] : body.items()) {
        if (key != "refresh") {
            return Error::InvalidArgument(key + " cannot be changed here", key);
        }
    }
    TESSERA_TRY(ApplyRefreshPatch(context, request, body));
    TESSERA_ASSIGN_OR_RETURN(ProjectView view, context.projects->Get(request.user(), project_id));
    return JsonResponse(200, ProjectViewToJson(view));
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
    AddRoute(router, "PATCH", "/api/v1/projects/{id}", kAuth, Bind(context, PatchProject));
}

}  // namespace tessera::http
