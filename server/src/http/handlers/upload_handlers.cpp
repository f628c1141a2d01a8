// Image uploads over the tus 1.0.0 resumable-upload protocol (core, creation,
// creation-with-upload, termination, expiration): docs/api.md "Uploads", docs/design/uploads.md.
// tus-js-client and Uppy work against /api/v1/projects/{id}/uploads/ unchanged.
#include <string>

#include "base/base64.hpp"
#include "http/api_routes.hpp"
#include "http/error_mapping.hpp"
#include "http/json_io.hpp"
#include "http/text.hpp"
#include "http/tus.hpp"
#include "services/upload_service.hpp"

namespace tessera::http {
namespace {

constexpr std::string_view kChunkType = "application/offset+octet-stream";

std::string_view HeaderOf(const Request& request, std::string_view name) {
    auto found = request.raw.find(boost::string_view(name.data(), name.size()));
    return found == request.raw.end() ? std::string_view() : Sv(found->value());
}

bool HasHeader(const Request& request, std::string_view name) {
    return request.raw.find(boost::string_view(name.data(), name.size())) != request.raw.end();
}

// Every tus request but OPTIONS names the protocol version it speaks.
Status CheckTusResumable(const Request& request) {
    const std::string_view version = TrimSpace(HeaderOf(request, "Tus-Resumable"));
    if (version != kTusVersion) {
        return Error{ErrorCode::kPreconditionFailed,
                     version.empty()
                         ? "Tus-Resumable header is missing; this server speaks tus 1.0.0"
                         : "Tus-Resumable " + std::string(version) +
                               " is not supported; this server speaks tus 1.0.0",
                     "Tus-Resumable"};
    }
    return Status::Ok();
}

Status CheckChunkType(const Request& request) {
    std::string_view type = HeaderOf(request, "Content-Type");
    type = TrimSpace(type.substr(0, type.find(';')));
    if (!IEquals(type, kChunkType)) {
        return Error{
            ErrorCode::kUnsupportedMediaType,
            "an upload chunk must be sent as Content-Type: application/offset+octet-stream",
            "Content-Type"};
    }
    return Status::Ok();
}

UploadService* Uploads(ApiContext& context) {
    return context.uploads;
}

Result<UploadService*> RequireUploads(ApiContext& context) {
    if (Uploads(context) == nullptr) {
        return Error::Unavailable("uploads are not enabled on this server");
    }
    return Uploads(context);
}

// The file's name as tus-js-client and Uppy send it: `relativePath` for files of a picked or
// dropped folder (Uppy writes "null" for single files), else `filename` (or Uppy's `name`).
Result<NewUpload> NewUploadOf(const Request& request, std::int64_t length) {
    TESSERA_ASSIGN_OR_RETURN(auto metadata,
                             ParseUploadMetadata(HeaderOf(request, "Upload-Metadata")));
    NewUpload upload;
    upload.length = length;
    for (const char* key : {"relativePath", "filename", "name"}) {
        auto found = metadata.find(key);
        if (found != metadata.end() && !found->second.empty() && found->second != "null") {
            upload.relative_path = found->second;
            break;
        }
    }
    if (upload.relative_path.empty()) {
        return Error::InvalidArgument(
            "Upload-Metadata must name the file: filename or relativePath (base64)",
            "Upload-Metadata");
    }
    auto overwrite = metadata.find("overwrite");
    upload.overwrite =
        overwrite != metadata.end() && (overwrite->second == "true" || overwrite->second == "1");
    return upload;
}

UploadChunk ChunkOf(const Request& request) {
    UploadChunk chunk;
    chunk.file = request.upload;  // streamed to disk by the server; empty in small test servers
    chunk.bytes = request.raw.body();
    return chunk;
}

void AddProgressHeaders(Response& response, const UploadInfo& info) {
    response.Header("Upload-Offset", std::to_string(info.offset));
    if (!info.complete) {
        response.Header("Upload-Expires", HttpDate(info.expires_at));
    }
}

nlohmann::json UploadJson(const UploadInfo& info) {
    return {{"id", info.id},
            {"offset", info.offset},
            {"length", info.length},
            {"path", info.relative_path},
            {"complete", info.complete},
            {"replaced", info.replaced}};
}

std::string UploadUrl(Id project_id, const std::string& upload_id) {
    return "/api/v1/projects/" + std::to_string(project_id) + "/uploads/" + upload_id;
}

Result<Response> Options(ApiContext& context, Request& /*request*/) {
    Response response;
    response.status = 204;
    response.Header("Tus-Version", std::string(kTusVersion));
    response.Header("Tus-Extension", std::string(kTusExtensions));
    if (Uploads(context) != nullptr) {
        response.Header("Tus-Max-Size",
                        std::to_string(Uploads(context)->settings().max_file_bytes));
    }
    return response;
}

Result<Response> Create(ApiContext& context, Request& request) {
    TESSERA_TRY(CheckTusResumable(request));
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(UploadService * uploads, RequireUploads(context));
    if (HasHeader(request, "Upload-Defer-Length")) {
        return Error::InvalidArgument(
            "Upload-Defer-Length is not supported; send the file's size in Upload-Length",
            "Upload-Length");
    }
    if (!HasHeader(request, "Upload-Length")) {
        return Error::InvalidArgument("Upload-Length header is required", "Upload-Length");
    }
    TESSERA_ASSIGN_OR_RETURN(std::int64_t length,
                             ParseTusNumber(HeaderOf(request, "Upload-Length"), "Upload-Length"));
    TESSERA_ASSIGN_OR_RETURN(NewUpload upload, NewUploadOf(request, length));
    const UploadChunk chunk = ChunkOf(request);
    const bool with_upload = chunk.size() > 0;
    if (with_upload) {
        TESSERA_TRY(CheckChunkType(request));  // before anything is created
    }
    TESSERA_ASSIGN_OR_RETURN(UploadInfo info, uploads->Create(request.user(), project_id, upload));
    if (with_upload && !info.complete) {
        // creation-with-upload: the body is the first chunk.
        TESSERA_ASSIGN_OR_RETURN(info,
                                 uploads->Append(request.user(), project_id, info.id, 0, chunk));
    }
    Response response = JsonResponse(201, UploadJson(info));
    response.Header("Location", UploadUrl(project_id, info.id));
    AddProgressHeaders(response, info);
    return response;
}

Result<Response> Head(ApiContext& context, Request& request) {
    TESSERA_TRY(CheckTusResumable(request));
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(UploadService * uploads, RequireUploads(context));
    TESSERA_ASSIGN_OR_RETURN(
        UploadInfo info, uploads->Get(request.user(), project_id, request.params.at("upload_id")));
    Response response;
    response.status = 200;
    response.Header("Cache-Control", "no-store");
    response.Header("Upload-Length", std::to_string(info.length));
    response.Header("Upload-Metadata", "relativePath " + EncodeBase64(info.relative_path) +
                                           (info.overwrite ? ",overwrite dHJ1ZQ==" : ""));
    AddProgressHeaders(response, info);
    return response;
}

Result<Response> Patch(ApiContext& context, Request& request) {
    TESSERA_TRY(CheckTusResumable(request));
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(UploadService * uploads, RequireUploads(context));
    TESSERA_TRY(CheckChunkType(request));
    if (!HasHeader(request, "Upload-Offset")) {
        return Error::InvalidArgument("Upload-Offset header is required", "Upload-Offset");
    }
    TESSERA_ASSIGN_OR_RETURN(std::int64_t offset,
                             ParseTusNumber(HeaderOf(request, "Upload-Offset"), "Upload-Offset"));
    TESSERA_ASSIGN_OR_RETURN(
        UploadInfo info, uploads->Append(request.user(), project_id, request.params.at("upload_id"),
                                         offset, ChunkOf(request)));
    Response response;
    response.status = 204;
    AddProgressHeaders(response, info);
    if (info.complete) {
        // Not tus: tells our UI and CLI the file is now an item (and whether it replaced one).
        response.Header("Tessera-Upload-Complete", info.replaced ? "replaced" : "created");
    }
    return response;
}

Result<Response> Terminate(ApiContext& context, Request& request) {
    TESSERA_TRY(CheckTusResumable(request));
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(UploadService * uploads, RequireUploads(context));
    TESSERA_TRY(uploads->Terminate(request.user(), project_id, request.params.at("upload_id")));
    Response response;
    response.status = 204;
    return response;
}

// Every answer, errors included, carries Tus-Resumable; a version refusal also says which
// versions the server speaks.
void AddTusRoute(Router& router, ApiContext& context, std::string method, std::string pattern,
                 Access access, ContextHandler handler) {
    router.Add(std::move(method), std::move(pattern), access,
               [&context, handler](Request& request) {
                   Result<Response> result = handler(context, request);
                   Response response =
                       result.ok() ? std::move(result).value() : ErrorResponse(result.error());
                   response.Header("Tus-Resumable", std::string(kTusVersion));
                   if (response.status == 412) {
                       response.Header("Tus-Version", std::string(kTusVersion));
                   }
                   return response;
               });
}

}  // namespace

void RegisterUploadRoutes(Router& router, ApiContext& context) {
    for (const char* collection :
         {"/api/v1/projects/{id}/uploads/", "/api/v1/projects/{id}/uploads"}) {
        AddTusRoute(router, context, "OPTIONS", collection, Access::kPublic, Options);
        AddTusRoute(router, context, "POST", collection, Access::kAuthenticated, Create);
    }
    const std::string one = "/api/v1/projects/{id}/uploads/{upload_id}";
    AddTusRoute(router, context, "GET", one, Access::kAuthenticated, Head);  // and HEAD
    AddTusRoute(router, context, "PATCH", one, Access::kAuthenticated, Patch);
    AddTusRoute(router, context, "DELETE", one, Access::kAuthenticated, Terminate);
}

}  // namespace tessera::http
