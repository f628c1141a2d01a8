// Responses that are not one JSON document: images, the dashboard event stream, exports.
#include "http/api_routes.hpp"
#include "http/etag.hpp"
#include "http/json_codec.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr const char* kImageCacheControl = "private, max-age=86400";

Result<Response> SendImage(ApiContext& context, Request& request, Rendition rendition) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(Id item_id, request.IdParam("item_id"));
    TESSERA_ASSIGN_OR_RETURN(ImageFile image,
                             context.images->Get(request.user(), project_id, item_id, rendition));
    Response response;
    response.Header("ETag", image.etag);
    response.Header("Cache-Control", kImageCacheControl);
    if (IfNoneMatch(request.raw, image.etag)) {
        response.status = 304;
        return response;
    }
    response.Header("Content-Type", image.content_type);
    response.Header("X-Content-Type-Options", "nosniff");
    response.file = image.path;
    return response;
}

Result<Response> Image(ApiContext& context, Request& request) {
    return SendImage(context, request, Rendition::kDisplay);
}

Result<Response> Thumbnail(ApiContext& context, Request& request) {
    return SendImage(context, request, Rendition::kThumbnail);
}

Result<Response> Dashboard(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(DashboardView view,
                             context.dashboard->Get(request.user(), project_id));
    return JsonResponse(200, DashboardToJson(view));
}

Status SendEvent(StreamWriter& writer, const std::string& data) {
    TESSERA_TRY(writer.Write("event: dashboard\ndata: " + data + "\n\n"));
    return writer.Flush();
}

// Recomputes the dashboard every interval and sends it when it changed; a comment line keeps
// idle connections (and proxies) alive. Ends on shutdown, client hang-up or project deletion.
Status StreamDashboard(ApiContext& context, const User& user, Id project_id, std::string last,
                       StreamWriter& writer) {
    const ApiSettings& settings = context.settings;
    TESSERA_TRY(SendEvent(writer, last));
    milliseconds quiet{0};
    while (writer.WaitFor(settings.events_interval)) {
        quiet += settings.events_interval;
        auto view = context.dashboard->Get(user, project_id);
        if (!view.ok() && view.error().code == ErrorCode::kNotFound) {
            return Status::Ok();
        }
        if (view.ok()) {
            std::string data =
                DashboardToJson(*view).dump(-1, ' ', false, json::error_handler_t::replace);
            if (data != last) {
                TESSERA_TRY(SendEvent(writer, data));
                last = std::move(data);
                quiet = milliseconds(0);
            }
        }
        if (quiet >= settings.events_keepalive) {
            TESSERA_TRY(writer.Write(": keepalive\n\n"));
            TESSERA_TRY(writer.Flush());
            quiet = milliseconds(0);
        }
    }
    return Status::Ok();
}

Result<Response> Events(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    // Checked before the 200 goes out, so a bad id or permission is still a JSON error.
    TESSERA_ASSIGN_OR_RETURN(DashboardView first,
                             context.dashboard->Get(request.user(), project_id));
    std::string data = DashboardToJson(first).dump(-1, ' ', false, json::error_handler_t::replace);
    Response response;
    response.Header("Content-Type", "text/event-stream");
    response.Header("Cache-Control", "no-cache");
    response.Header("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
    response.stream = [&context, user = request.user(), project_id,
                       data = std::move(data)](StreamWriter& writer) {
        return StreamDashboard(context, user, project_id, data, writer);
    };
    return response;
}

Result<Response> Export(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    std::string format_name = request.Query("format").value_or("csv");
    std::optional<ExportFormat> format = ParseExportFormat(format_name);
    if (!format) {
        return Error::InvalidArgument(
            "format must be csv, jsonl, mltable, coco, coco-azure, voc, yolo or masks", "format");
    }
    TESSERA_ASSIGN_OR_RETURN(ExportInfo info,
                             context.exports->Prepare(request.user(), project_id, *format));
    Response response;
    response.Header("Content-Type", info.content_type);
    response.Header("Content-Disposition", "attachment; filename=\"" + info.filename + "\"");
    response.Header("Cache-Control", "no-store");
    response.stream = [&context, user = request.user(), project_id,
                       format = *format](StreamWriter& writer) {
        return context.exports->Write(user, project_id, format, writer);
    };
    return response;
}

}  // namespace

void RegisterMediaRoutes(Router& router, ApiContext& context) {
    constexpr Access kAuth = Access::kAuthenticated;
    const std::string item = "/api/v1/projects/{id}/items/{item_id}";
    AddRoute(router, "GET", item + "/image", kAuth, Bind(context, Image));
    AddRoute(router, "GET", item + "/thumbnail", kAuth, Bind(context, Thumbnail));
    AddRoute(router, "GET", "/api/v1/projects/{id}/dashboard", kAuth, Bind(context, Dashboard));
    AddRoute(router, "GET", "/api/v1/projects/{id}/events", kAuth, Bind(context, Events));
    AddRoute(router, "GET", "/api/v1/projects/{id}/export", kAuth, Bind(context, Export));
}

}  // namespace tessera::http
