#include "http/dispatch.hpp"

#include <exception>

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

}  // namespace

Response Dispatch(const Router& router, const Authenticator& authenticate, Request& request) {
    const std::string method(request.raw.method_string());
    RouteMatch match = router.Find(method, request.path);
    if (match.route == nullptr) {
        bool is_read = method == "GET" || method == "HEAD";
        if (match.path_matched) {
            Response response = ErrorResponse(
                Error::InvalidArgument("method " + method + " is not allowed here", "method"));
            response.status = 405;
            return response;
        }
        bool is_api = request.path.rfind("/api/", 0) == 0 || request.path == "/api";
        if (is_read && !is_api && router.fallback()) {
            return CallHandler(router.fallback(), request);
        }
        return ErrorResponse(Error::NotFound("no such endpoint: " + request.path));
    }
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

}  // namespace tessera::http
