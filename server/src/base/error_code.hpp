#pragma once
// The one list of error codes. Every place that maps them lives beside this comment:
//   - http/error_mapping.cpp: ErrorCode -> HTTP status and JSON body `{"error":{"code","message"}}`
//   - app/cli.cpp: ErrorCode -> process exit status for CLI commands
#include <string_view>

namespace tessera {

enum class ErrorCode {
    kInvalidArgument,       // 400: malformed or invalid input (the message names the field)
    kUnauthenticated,       // 401: no or bad credentials
    kPermissionDenied,      // 403: authenticated but not allowed
    kNotFound,              // 404
    kConflict,              // 409: name taken, state conflict
    kLeaseInvalid,          // 409: lease not yours, expired, or unknown
    kFailedPrecondition,    // 409: e.g. labeling a paused project
    kPayloadTooLarge,       // 413
    kUnsupportedMediaType,  // 415: a JSON endpoint got a body that is not application/json
    kPreconditionFailed,    // 412: a tus request of a protocol version the server does not speak
    kTooManyRequests,       // 429: login throttling
    kUnavailable,           // 503: database down, shutting down
    kInternal,              // 500: a bug; logged with the request id
};

// Stable snake_case string used in API error bodies.
std::string_view ErrorCodeName(ErrorCode code);

}  // namespace tessera
