// GET /healthz, /api/v1/version, /api/v1/openapi.json, /metrics
#include "http/api_routes.hpp"
#include "http/embedded_files.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

// Compares in time that depends only on the lengths, so the token cannot be guessed bytewise.
bool SameSecret(std::string_view given, std::string_view expected) {
    if (given.size() != expected.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (std::size_t i = 0; i < given.size(); ++i) {
        diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
    }
    return diff == 0;
}

Status CheckMetricsToken(const Request& request, const std::string& token) {
    auto header = request.raw.find(boost::beast::http::field::authorization);
    constexpr std::string_view kBearer = "Bearer ";
    const std::string_view value =
        header == request.raw.end()
            ? std::string_view()
            : std::string_view(header->value().data(), header->value().size());
    if (!value.starts_with(kBearer)) {
        return Error::Unauthenticated("GET /metrics needs Authorization: Bearer <metrics_token>");
    }
    const std::string_view given = value.substr(kBearer.size());
    if (!SameSecret(given, token)) {
        return Error::Unauthenticated("wrong metrics token");
    }
    return Status::Ok();
}

}  // namespace

void AddMetricsRoute(Router& router, const Metrics* metrics, std::string token,
                     bool open_without_token) {
    AddRoute(router, "GET", "/metrics", Access::kPublic,
             [metrics, token = std::move(token),
              open_without_token](Request& request) -> Result<Response> {
                 if (metrics == nullptr || (token.empty() && !open_without_token)) {
                     return Error::NotFound(
                         "metrics are off on this listener: set metrics_token or "
                         "metrics_listen (docs/deploy.md)");
                 }
                 if (!token.empty()) {
                     TESSERA_TRY(CheckMetricsToken(request, token));
                 }
                 Response response;
                 response.body = metrics->Render();
                 response.Header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                 response.Header("Cache-Control", "no-store");
                 return response;
             });
}

void RegisterMetaRoutes(Router& router, ApiContext& context) {
    AddRoute(router, "GET", "/healthz", Access::kPublic, [](Request&) -> Result<Response> {
        return JsonResponse(200, {{"status", "ok"}});
    });
    AddRoute(router, "GET", "/api/v1/version", Access::kPublic,
             [&context](Request&) -> Result<Response> {
                 return JsonResponse(200, {{"version", context.settings.version}});
             });
    AddRoute(router, "GET", "/api/v1/openapi.json", Access::kPublic,
             [](Request&) -> Result<Response> {
                 for (const EmbeddedFile& file : EmbeddedApiFiles()) {
                     if (file.path == "/openapi.json") {
                         Response response;
                         response.body.assign(file.data);
                         response.Header("Content-Type", "application/json");
                         return response;
                     }
                 }
                 return Error::Internal("openapi.json was not embedded");
             });
    AddMetricsRoute(router, context.metrics, context.settings.metrics_token, false);
}

}  // namespace tessera::http
