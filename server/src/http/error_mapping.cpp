#include "http/error_mapping.hpp"

#include "http/json_io.hpp"

namespace tessera::http {

unsigned HttpStatusFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument: return 400;
        case ErrorCode::kUnauthenticated: return 401;
        case ErrorCode::kPermissionDenied: return 403;
        case ErrorCode::kNotFound: return 404;
        case ErrorCode::kConflict:
        case ErrorCode::kLeaseInvalid:
        case ErrorCode::kFailedPrecondition: return 409;
        case ErrorCode::kPayloadTooLarge: return 413;
        case ErrorCode::kUnsupportedMediaType: return 415;
        case ErrorCode::kPreconditionFailed: return 412;
        case ErrorCode::kTooManyRequests: return 429;
        case ErrorCode::kUnavailable: return 503;
        case ErrorCode::kInternal: return 500;
    }
    return 500;
}

nlohmann::json ErrorBody(const Error& error) {
    nlohmann::json inner{{"code", ErrorCodeName(error.code)}, {"message", error.message}};
    if (!error.field.empty()) {
        inner["field"] = error.field;
    }
    return {{"error", std::move(inner)}};
}

Response ErrorResponse(const Error& error) {
    Response response = JsonResponse(HttpStatusFor(error.code), ErrorBody(error));
    if (error.code == ErrorCode::kUnauthenticated) {
        // Tells API clients which scheme to use; browsers ignore it for non-Basic schemes.
        response.Header("WWW-Authenticate", "Bearer");
    }
    return response;
}

}  // namespace tessera::http
