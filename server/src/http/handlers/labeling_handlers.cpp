// The labeler's loop: next page, renew/release a lease, submit, skip, go back; drafts of
// drawing work.
#include "domain/shapes.hpp"
#include "http/api_routes.hpp"
#include "http/json_codec.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultHistory = 50;
constexpr std::int64_t kMaxHistory = 500;

struct ItemRef {
    Id project_id = 0;
    Id item_id = 0;
};

Result<ItemRef> ItemParams(const Request& request) {
    ItemRef ref;
    TESSERA_ASSIGN_OR_RETURN(ref.project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(ref.item_id, request.IdParam("item_id"));
    return ref;
}

// Classification views carry "labels"; drawing views add "shapes" in the shapes.hpp form.
// "source" tells the labeler's own answer ("human") from a prelabel shown for review.
json ViewToJson(const AnnotationView& view) {
    json out = AnnotationViewToJson(view);
    if (view.shapes) {
        out["shapes"] = ShapesToJson(*view.shapes);
    }
    out["source"] = AnnotationSourceName(view.source);
    if (view.confidence) {
        out["confidence"] = *view.confidence;
    }
    return out;
}

Result<Response> Next(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(auto count, OptionalInt(body, "count"));
    int page_size = static_cast<int>(std::clamp<std::int64_t>(count.value_or(1), -1, 1000));
    TESSERA_ASSIGN_OR_RETURN(Page page,
                             context.labeling->Next(request.user(), project_id, page_size));
    return JsonResponse(200, PageToJson(page));
}

Result<Response> Renew(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(
        TimeMs expires_at,
        context.labeling->Renew(request.user(), project_id, request.params.at("lease")));
    return JsonResponse(200, {{"lease_expires_at", expires_at}});
}

Result<Response> Release(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_TRY(context.labeling->Release(request.user(), project_id, request.params.at("lease")));
    return NoContent();
}

// The optional "effort" object of a submit: what the UI measured ({"active_ms", "edits"}, each
// a non-negative integer; active_ms at most a day, edits at most a million).
Result<MeasuredEffort> EffortFromJson(const json& body) {
    MeasuredEffort effort;
    auto it = body.find("effort");
    if (it == body.end() || it->is_null()) {
        return effort;
    }
    if (!it->is_object()) {
        return Error::InvalidArgument("effort must be an object", "effort");
    }
    // Each field: absent, null, or an integer in [0, max].
    auto bounded = [&](const std::string& name,
                       std::int64_t max) -> Result<std::optional<std::int64_t>> {
        const std::string field = "effort." + name;
        const std::string range = field + " must be an integer from 0 to " + std::to_string(max);
        auto value = OptionalInt(*it, name);
        if (!value.ok() || (*value && (**value < 0 || **value > max))) {
            return Error::InvalidArgument(range, field);
        }
        return value;
    };
    TESSERA_ASSIGN_OR_RETURN(effort.active_ms, bounded("active_ms", 24LL * 60 * 60 * 1000));
    TESSERA_ASSIGN_OR_RETURN(effort.edits, bounded("edits", 1000000));
    return effort;
}

// Answers with the annotation as stored (labels deduplicated in tree order; shapes clamped,
// semantic polygons merged into masks) from what the service stored, without reading it back.
Result<Response> Submit(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(ItemRef ref, ItemParams(request));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(auto lease, OptionalString(body, "lease"));
    TESSERA_ASSIGN_OR_RETURN(MeasuredEffort effort, EffortFromJson(body));
    if (body.contains("shapes")) {
        TESSERA_ASSIGN_OR_RETURN(std::vector<Shape> shapes, ShapesFromJson(body["shapes"]));
        TESSERA_ASSIGN_OR_RETURN(
            SubmitResult stored,
            context.labeling->SubmitShapes(request.user(), ref.project_id, ref.item_id,
                                           lease.value_or(""), std::move(shapes), effort));
        return JsonResponse(200, {{"outcome", SubmitOutcomeName(stored.outcome)},
                                  {"item_id", ref.item_id},
                                  {"shapes", ShapesToJson(stored.shapes)}});
    }
    TESSERA_ASSIGN_OR_RETURN(auto labels, StringListFromJson(body, "labels"));
    TESSERA_ASSIGN_OR_RETURN(SubmitResult stored, context.labeling->SubmitLabels(
                                                      request.user(), ref.project_id, ref.item_id,
                                                      lease.value_or(""), labels, effort));
    return JsonResponse(200, {{"outcome", SubmitOutcomeName(stored.outcome)},
                              {"item_id", ref.item_id},
                              {"labels", stored.labels}});
}

Result<Response> GetAnnotation(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(ItemRef ref, ItemParams(request));
    TESSERA_ASSIGN_OR_RETURN(
        std::optional<AnnotationView> view,
        context.labeling->GetAnnotation(request.user(), ref.project_id, ref.item_id));
    // "None yet" is the usual answer for a fresh item, not an error.
    if (!view) {
        return NoContent();
    }
    return JsonResponse(200, ViewToJson(*view));
}

Result<Response> PutDraft(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(ItemRef ref, ItemParams(request));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    if (!body.contains("shapes")) {
        return Error::InvalidArgument("\"shapes\" is required", "shapes");
    }
    TESSERA_ASSIGN_OR_RETURN(std::vector<Shape> shapes, ShapesFromJson(body["shapes"]));
    TESSERA_TRY(context.labeling->SaveDraft(request.user(), ref.project_id, ref.item_id, shapes));
    return NoContent();
}

Result<Response> GetDraft(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(ItemRef ref, ItemParams(request));
    TESSERA_ASSIGN_OR_RETURN(
        std::optional<DraftView> draft,
        context.labeling->GetDraft(request.user(), ref.project_id, ref.item_id));
    if (!draft) {
        return NoContent();
    }
    return JsonResponse(
        200, {{"shapes", ShapesToJson(draft->shapes)}, {"updated_at", draft->updated_at}});
}

Result<Response> Skip(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(ItemRef ref, ItemParams(request));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(std::string lease, RequiredString(body, "lease"));
    TESSERA_TRY(context.labeling->Skip(request.user(), ref.project_id, ref.item_id, lease));
    return NoContent();
}

Result<Response> History(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t limit, QueryInt(request, "limit", kDefaultHistory));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t before, QueryInt(request, "before", 0));
    if (limit < 1 || limit > kMaxHistory) {
        return Error::InvalidArgument("limit must be between 1 and 500", "limit");
    }
    TESSERA_ASSIGN_OR_RETURN(
        std::vector<AnnotationView> views,
        context.labeling->History(request.user(), project_id, static_cast<int>(limit), before));
    json items = json::array();
    for (const AnnotationView& view : views) {
        items.push_back(ViewToJson(view));
    }
    return JsonResponse(200, {{"items", std::move(items)}});
}

}  // namespace

void RegisterLabelingRoutes(Router& router, ApiContext& context) {
    constexpr Access kAuth = Access::kAuthenticated;
    const std::string item = "/api/v1/projects/{id}/items/{item_id}";
    AddRoute(router, "POST", "/api/v1/projects/{id}/next", kAuth, Bind(context, Next));
    AddRoute(router, "POST", "/api/v1/projects/{id}/leases/{lease}/renew", kAuth,
             Bind(context, Renew));
    AddRoute(router, "DELETE", "/api/v1/projects/{id}/leases/{lease}", kAuth,
             Bind(context, Release));
    AddRoute(router, "PUT", item + "/annotation", kAuth, Bind(context, Submit));
    AddRoute(router, "GET", item + "/annotation", kAuth, Bind(context, GetAnnotation));
    AddRoute(router, "PUT", item + "/draft", kAuth, Bind(context, PutDraft));
    AddRoute(router, "GET", item + "/draft", kAuth, Bind(context, GetDraft));
    AddRoute(router, "POST", item + "/skip", kAuth, Bind(context, Skip));
    AddRoute(router, "GET", "/api/v1/projects/{id}/history", kAuth, Bind(context, History));
}

}  // namespace tessera::http
