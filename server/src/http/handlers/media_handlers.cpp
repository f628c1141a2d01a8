// Responses that are not one JSON document: images, the dashboard event stream, exports.
// Also the DICOM metadata of an item, which belongs with its image.
#include <charconv>
#include <cmath>

#include "http/api_routes.hpp"
#include "http/etag.hpp"
#include "http/json_codec.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr const char* kImageCacheControl = "private, max-age=86400";

// Window values beyond this are no window a modality produces (CT spans about -1024 to 3071 HU,
// 16-bit pixels at most 65,535 times a slope); the bound keeps cache names short.
constexpr double kMaxWindowValue = 1e7;
constexpr std::int64_t kMaxFrameParam = 1 << 20;

Result<std::optional<double>> QueryNumber(const Request& request, const std::string& name) {
    auto text = request.Query(name);
    if (!text || text->empty()) {
        return std::optional<double>();
    }
    double value = 0;
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value) ||
        std::abs(value) > kMaxWindowValue) {
        return Error::InvalidArgument(name + " must be a number between -10000000 and 10000000",
                                      name);
    }
    return std::optional<double>(value);
}

// frame=, wc= and ww= of the DICOM image endpoints; the renderer refuses them for other items.
Result<DicomView> DicomViewParams(const Request& request) {
    DicomView view;
    TESSERA_ASSIGN_OR_RETURN(std::int64_t frame, QueryInt(request, "frame", 0));
    if (frame < 0 || frame > kMaxFrameParam) {
        return Error::InvalidArgument("frame must be 0 or more (the first frame is 0)", "frame");
    }
    view.frame = static_cast<int>(frame);
    TESSERA_ASSIGN_OR_RETURN(auto center, QueryNumber(request, "wc"));
    TESSERA_ASSIGN_OR_RETURN(auto width, QueryNumber(request, "ww"));
    if (center.has_value() != width.has_value()) {
        return Error::InvalidArgument("wc and ww go together: give both or neither",
                                      center ? "ww" : "wc");
    }
    if (width && *width < 1) {
        return Error::InvalidArgument("ww (window width) must be at least 1", "ww");
    }
    if (center) {
        view.window = DicomWindow{*center, *width};
    }
    return view;
}

Result<Response> SendImage(ApiContext& context, Request& request, Rendition rendition) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(Id item_id, request.IdParam("item_id"));
    TESSERA_ASSIGN_OR_RETURN(DicomView view, DicomViewParams(request));
    TESSERA_ASSIGN_OR_RETURN(
        ImageFile image, context.images->Get(request.user(), project_id, item_id, rendition, view));
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

json DicomToJson(const DicomInfo& info) {
    json window = nullptr;
    if (info.default_window) {
        window = {{"center", info.default_window->center}, {"width", info.default_window->width}};
    }
    json spacing = nullptr;
    if (info.pixel_spacing) {
        spacing = json::array({info.pixel_spacing->first, info.pixel_spacing->second});
    }
    return {
        {"rows", info.rows},
        {"columns", info.columns},
        {"frames", info.frames},
        {"samples_per_pixel", info.samples_per_pixel},
        {"bits_allocated", info.bits_allocated},
        {"bits_stored", info.bits_stored},
        {"signed", info.is_signed},
        {"photometric", info.photometric},
        {"monochrome", info.IsMonochrome()},
        {"transfer_syntax",
         {{"uid", info.transfer_syntax_uid}, {"name", info.transfer_syntax_name}}},
        {"modality", info.modality},
        {"study_description", info.study_description},
        {"series_description", info.series_description},
        {"pixel_spacing", spacing},
        {"rescale",
         {{"slope", info.rescale_slope},
          {"intercept", info.rescale_intercept},
          {"type", info.rescale_type}}},
        {"default_window", window},
        {"window_source", DicomWindowSourceName(info.window_source)},
    };
}

Result<Response> Dicom(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(Id item_id, request.IdParam("item_id"));
    TESSERA_ASSIGN_OR_RETURN(DicomInfo info,
                             context.images->Dicom(request.user(), project_id, item_id));
    return JsonResponse(200, DicomToJson(info));
}

// POST .../outline {"box": {"x", "y", "w", "h"}} -> {"points": [[x, y], ...]} (empty when no
// object stands out inside the box).
Result<Response> Outline(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(Id item_id, request.IdParam("item_id"));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    auto it = body.find("box");
    if (it == body.end() || !it->is_object()) {
        return Error::InvalidArgument("box must be an object {\"x\", \"y\", \"w\", \"h\"}", "box");
    }
    Box box;
    for (auto [name, field] : {std::pair{"x", &box.x}, std::pair{"y", &box.y},
                               std::pair{"w", &box.w}, std::pair{"h", &box.h}}) {
        auto value = it->find(name);
        if (value == it->end() || !value->is_number()) {
            return Error::InvalidArgument(std::string("box.") + name + " must be a number",
                                          std::string("box.") + name);
        }
        *field = value->get<double>();
    }
    TESSERA_ASSIGN_OR_RETURN(Ring ring,
                             context.images->Outline(request.user(), project_id, item_id, box));
    json points = json::array();
    for (const ImagePoint& p : ring) {
        points.push_back({p.x, p.y});
    }
    return JsonResponse(200, {{"points", std::move(points)}});
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
    AddRoute(router, "GET", item + "/dicom", kAuth, Bind(context, Dicom));
    AddRoute(router, "POST", item + "/outline", kAuth, Bind(context, Outline));
    AddRoute(router, "GET", "/api/v1/projects/{id}/dashboard", kAuth, Bind(context, Dashboard));
    AddRoute(router, "GET", "/api/v1/projects/{id}/events", kAuth, Bind(context, Events));
    AddRoute(router, "GET", "/api/v1/projects/{id}/export", kAuth, Bind(context, Export));
}

}  // namespace tessera::http
