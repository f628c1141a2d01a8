// ML assist: its state for the dashboard, "train now", and the settings PATCH
// /api/v1/projects/{id} (project_handlers.cpp) hands to ApplyMlPatch (docs/design/ml.md).
#include "http/api_routes.hpp"
#include "http/json_io.hpp"
#include "http/ml_codec.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;

Result<MlService*> MlOf(ApiContext& context) {
    if (context.ml == nullptr) {
        return Error::Unavailable("ML assist is not enabled on this server");
    }
    return context.ml;
}

Result<Response> GetMl(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(MlService * ml, MlOf(context));
    TESSERA_ASSIGN_OR_RETURN(MlView view, ml->Get(request.user(), project_id));
    return JsonResponse(200, MlViewToJson(view));
}

Result<Response> TrainNow(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(MlService * ml, MlOf(context));
    TESSERA_ASSIGN_OR_RETURN(MlRound round, ml->TrainNow(request.user(), project_id));
    return JsonResponse(202, {{"round", MlRoundToJson(round)}});
}

}  // namespace

Status CheckMlPatch(const json& body) {
    auto member = body.find("ml_assist");
    if (member == body.end()) {
        return Status::Ok();
    }
    TESSERA_TRY(MlChangeFromJson(*member));
    return Status::Ok();
}

Status ApplyMlPatch(ApiContext& context, Request& request, const json& body) {
    auto member = body.find("ml_assist");
    if (member == body.end()) {
        return Status::Ok();
    }
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(MlSettingsChange change, MlChangeFromJson(*member));
    TESSERA_ASSIGN_OR_RETURN(MlService * ml, MlOf(context));
    TESSERA_TRY(ml->UpdateSettings(request.user(), project_id, change));
    return Status::Ok();
}

Result<json> MlSettingsJsonOf(ApiContext& context, Request& request, Id project_id) {
    if (context.ml == nullptr) {
        return json(nullptr);
    }
    TESSERA_ASSIGN_OR_RETURN(MlView view, context.ml->Get(request.user(), project_id));
    return MlSettingsToJson(view.settings);
}

void RegisterMlRoutes(Router& router, ApiContext& context) {
    constexpr Access kAuth = Access::kAuthenticated;
    AddRoute(router, "GET", "/api/v1/projects/{id}/ml", kAuth, Bind(context, GetMl));
    AddRoute(router, "POST", "/api/v1/projects/{id}/ml/train", kAuth, Bind(context, TrainNow));
}

}  // namespace tessera::http
