// Projects: create, list, read, edit, start, pause, delete, and their items.
#include <algorithm>

#include "http/api_routes.hpp"
#include "http/json_codec.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultItemPage = 100;
constexpr std::int64_t kMaxItemPage = 1000;

Result<Response> ProjectJson(ApiContext& context, Request& request, Id project_id,
                             unsigned status) {
    TESSERA_ASSIGN_OR_RETURN(ProjectView view, context.projects->Get(request.user(), project_id));
    json body = ProjectViewToJson(view);
    TESSERA_ASSIGN_OR_RETURN(body["ml_assist"], MlSettingsJsonOf(context, request, project_id));
    return JsonResponse(status, body);
}

Result<Response> CreateProject(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(ProjectSpec spec, ProjectSpecFromJson(body));
    TESSERA_ASSIGN_OR_RETURN(Project project, context.projects->Create(request.user(), spec));
    return ProjectJson(context, request, project.id, 201);
}

Result<Response> ListProjects(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(std::vector<ProjectView> views,
                             context.projects->List(request.user()));
    json projects = json::array();
    for (const ProjectView& view : views) {
        projects.push_back(ProjectViewToJson(view));
    }
    return JsonResponse(200, {{"projects", std::move(projects)}});
}

Result<Response> GetProject(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    return ProjectJson(context, request, project_id, 200);
}

Result<Response> PatchProject(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(ProjectPatch patch, ProjectPatchFromJson(body));
    // "refresh" is RefreshService's (refresh_handlers.cpp) and "ml_assist" MlService's
    // (ml_handlers.cpp): checked before anything changes, applied after the other members.
    const auto refresh = body.find("refresh");
    if (refresh != body.end()) {
        TESSERA_TRY(RefreshChangeFromJson(*refresh));
    }
    TESSERA_TRY(CheckMlPatch(body));
    const std::size_t own = (refresh != body.end() ? 1U : 0U) + body.count("ml_assist");
    if (body.size() > own) {
        TESSERA_TRY(context.projects->Edit(request.user(), project_id, patch));
    }
    TESSERA_TRY(ApplyRefreshPatch(context, request, body));
    TESSERA_TRY(ApplyMlPatch(context, request, body));
    return ProjectJson(context, request, project_id, 200);
}

Result<Response> StartProject(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_TRY(context.projects->Start(request.user(), project_id));
    return ProjectJson(context, request, project_id, 200);
}

Result<Response> PauseProject(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_TRY(context.projects->Pause(request.user(), project_id));
    return ProjectJson(context, request, project_id, 200);
}

Result<Response> DeleteProject(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_TRY(context.projects->Delete(request.user(), project_id));
    return NoContent();
}

// The Data tab's filters (docs/api.md): state (a stored state, or in_progress), label,
// labeler (id or name) and q (name substring).
Result<ItemFilter> ItemFilterFromQuery(Request& request) {
    ItemFilter filter;
    if (auto state = request.Query("state"); state && !state->empty()) {
        if (*state == "in_progress") {
            filter.in_progress = true;
        } else {
            filter.state = ParseItemState(*state);
            if (!filter.state) {
                return Error::InvalidArgument(
                    "unknown item state " + *state +
                        "; use unlabeled, in_progress, labeled, skipped, needs_review, error or "
                        "missing",
                    "state");
            }
        }
    }
    TESSERA_ASSIGN_OR_RETURN(std::int64_t source, QueryInt(request, "source", 0));
    if (source < 0) {
        return Error::InvalidArgument("source must be a datasource id", "source");
    }
    if (source > 0) {
        filter.source_id = source;
    }
    if (auto label = request.Query("label"); label && !label->empty()) {
        filter.label = *label;
    }
    if (auto q = request.Query("q"); q && !q->empty()) {
        if (q->size() > 200) {
            return Error::InvalidArgument("q is longer than 200 characters", "q");
        }
        filter.name_query = *q;
    }
    TESSERA_ASSIGN_OR_RETURN(filter.after_id, QueryInt(request, "after", 0));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t limit, QueryInt(request, "limit", kDefaultItemPage));
    if (limit < 1 || limit > kMaxItemPage) {
        return Error::InvalidArgument("limit must be between 1 and 1000", "limit");
    }
    filter.limit = static_cast<int>(limit);
    return filter;
}

Result<Response> GetItemRecord(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(Id item_id, request.IdParam("item_id"));
    TESSERA_ASSIGN_OR_RETURN(ItemRecord record,
                             context.projects->GetItemRecord(request.user(), project_id, item_id));
    return JsonResponse(200, ItemRecordToJson(record));
}

Result<Response> ListItems(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(ItemFilter filter, ItemFilterFromQuery(request));
    const std::string labeler = request.Query("labeler").value_or("");
    TESSERA_ASSIGN_OR_RETURN(
        ItemPage page, context.projects->FindItems(request.user(), project_id, filter, labeler));
    json list = json::array();
    for (const Item& item : page.items) {
        list.push_back(ItemToJson(item));
    }
    json next_after = page.next_after ? json(*page.next_after) : json(nullptr);
    return JsonResponse(200, {{"items", std::move(list)}, {"next_after", next_after}});
}

}  // namespace

void RegisterProjectRoutes(Router& router, ApiContext& context) {
    constexpr Access kAuth = Access::kAuthenticated;
    AddRoute(router, "POST", "/api/v1/projects", kAuth, Bind(context, CreateProject));
    AddRoute(router, "GET", "/api/v1/projects", kAuth, Bind(context, ListProjects));
    AddRoute(router, "GET", "/api/v1/projects/{id}", kAuth, Bind(context, GetProject));
    AddRoute(router, "DELETE", "/api/v1/projects/{id}", kAuth, Bind(context, DeleteProject));
    AddRoute(router, "PATCH", "/api/v1/projects/{id}", kAuth, Bind(context, PatchProject));
    AddRoute(router, "POST", "/api/v1/projects/{id}/start", kAuth, Bind(context, StartProject));
    AddRoute(router, "POST", "/api/v1/projects/{id}/pause", kAuth, Bind(context, PauseProject));
    AddRoute(router, "GET", "/api/v1/projects/{id}/items", kAuth, Bind(context, ListItems));
    AddRoute(router, "GET", "/api/v1/projects/{id}/items/{item_id}", kAuth,
             Bind(context, GetItemRecord));
}

}  // namespace tessera::http
