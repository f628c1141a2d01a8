#include "http/dispatch.hpp"

#include <chrono>
#include <exception>
#include <string_view>

#include "base/log.hpp"
#include "http/error_mapping.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

Response CallHandler(const Handler& handler, Request& request) {
    try {
        return handler(request);
    } catch (const std::exception& e) {
        // A library threw where we expected a value: a bug, but one request's worth only.
        log::Error("handler threw", {{"request_id", request.request_id}, {"what", e.what()}});
    } catch (...) {
        log::Error("handler threw", {{"request_id", request.request_id}});
    }
    return ErrorResponse(Error::Internal("internal error; request id " + request.request_id));
}

// Routes, authenticates and calls the handler; `route` gets the metrics label (the pattern).
Response RouteAndCall(const Router& router, const Authenticator& authenticate, Request& request,
                      const std::string& method, std::string_view& route) {
    RouteMatch match = router.Find(method, request.path);
    if (match.route == nullptr) {
        route = kRouteUnmatched;
        bool is_read = method == "GET" || method == "HEAD";
        if (match.path_matched) {
            Response response = ErrorResponse(
                Error::InvalidArgument("method " + method + " is not allowed here", "method"));
            response.status = 405;
            return response;
        }
        bool is_api = request.path.rfind("/api/", 0) == 0 || request.path == "/api";
        if (is_read && !is_api && router.fallback()) {
            route = kRouteStatic;
            return CallHandler(router.fallback(), request);
        }
        return ErrorResponse(Error::NotFound("no such endpoint: " + request.path));
    }
    route = match.route->pattern;
    request.params = std::move(match.params);
    if (match.route->access == Access::kAuthenticated) {
        Result<Principal> principal = authenticate(request.raw);
        if (!principal.ok()) {
            return ErrorResponse(principal.error());
        }
        request.principal = std::move(principal).value();
    }
    return CallHandler(match.route->handler, request);
}

// Clients choose the method: anything unusual is one label value, so it cannot add series.
std::string_view MethodLabel(const std::string& method) {
    for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        if (method == known) {
            return known;
        }
    }
    return "OTHER";
}

}  // namespace

Response Dispatch(const Router& router, const Authenticator& authenticate, Request& request) {
    const std::string method(request.raw.method_string());
    Metrics* metrics = router.metrics();
    if (metrics == nullptr) {
        std::string_view unused;
        return RouteAndCall(router, authenticate, request, method, unused);
    }
    const auto start = std::chrono::steady_clock::now();
    std::string_view route;
    Response response = RouteAndCall(router, authenticate, request, method, route);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    metrics->RecordRequest(MethodLabel(method), route, response.status, elapsed.count());
    return response;
}

}  // namespace tessera::http
