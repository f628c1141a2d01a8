#pragma once
// The one mapping from ErrorCode to HTTP status and error body (see base/error_code.hpp).
#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "http/message.hpp"

namespace tessera::http {

unsigned HttpStatusFor(ErrorCode code);
// {"error": {"code", "message", "field"?}}
nlohmann::json ErrorBody(const Error& error);
Response ErrorResponse(const Error& error);

}  // namespace tessera::http
