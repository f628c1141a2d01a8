// The wizard's datasource helpers (owners): browse the allowed roots and count what a folder
// and pattern would give, without creating anything.
#include "http/api_routes.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;

Result<Response> ListFolders(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(
        FolderListing listing,
        context.projects->ListFolders(request.user(), request.Query("path").value_or("")));
    json folders = json::array();
    for (const FolderEntry& folder : listing.folders) {
        folders.push_back({{"name", folder.name}, {"path", folder.path}});
    }
    return JsonResponse(200, {{"roots", listing.roots},
                              {"path", listing.path},
                              {"parent", listing.parent ? json(*listing.parent) : json(nullptr)},
                              {"folders", std::move(folders)},
                              {"truncated", listing.truncated}});
}

Result<Response> PreviewDatasource(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(std::string path, RequiredString(body, "path"));
    TESSERA_ASSIGN_OR_RETURN(std::optional<std::string> pattern, OptionalString(body, "pattern"));
    TESSERA_ASSIGN_OR_RETURN(
        DatasourcePreview preview,
        context.projects->PreviewDatasource(request.user(), path, pattern.value_or("")));
    return JsonResponse(200, {{"path", preview.path},
                              {"count", preview.count},
                              {"capped", preview.capped},
                              {"scan_limited", preview.scan_limited},
                              {"examples", preview.examples}});
}

// The wizard's column-mapping step for a manifest datasource.
Result<Response> PreviewManifest(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(std::string path, RequiredString(body, "path"));
    TESSERA_ASSIGN_OR_RETURN(std::string format, RequiredString(body, "format"));
    TESSERA_ASSIGN_OR_RETURN(ManifestPreviewView view,
                             context.projects->PreviewManifest(request.user(), path, format));
    const ManifestMapping& guess = view.preview.guess;
    return JsonResponse(200, {{"path", view.path},
                              {"files", view.files},
                              {"read_format", std::string(ManifestFormatName(view.read_format))},
                              {"columns", view.preview.columns},
                              {"rows", view.preview.rows},
                              {"guess",
                               {{"image", guess.image},
                                {"category", guess.category},
                                {"confidence", guess.confidence}}}});
}

}  // namespace

void RegisterDatasourceRoutes(Router& router, ApiContext& context) {
    constexpr Access kAuth = Access::kAuthenticated;
    AddRoute(router, "GET", "/api/v1/datasources/folders", kAuth, Bind(context, ListFolders));
    AddRoute(router, "POST", "/api/v1/datasources/preview", kAuth,
             Bind(context, PreviewDatasource));
    AddRoute(router, "POST", "/api/v1/datasources/manifest/preview", kAuth,
             Bind(context, PreviewManifest));
}

}  // namespace tessera::http
