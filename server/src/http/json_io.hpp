#pragma once
// Reading JSON request bodies and writing JSON responses. Field getters return kInvalidArgument
// naming the field, so handlers stay one line per field.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "http/message.hpp"

namespace tessera::http {

Response JsonResponse(unsigned status, const nlohmann::json& body);
Response NoContent();

// The body as a JSON object; an empty body counts as {} (e.g. POST .../start). A non-empty body
// must be declared `Content-Type: application/json` (kUnsupportedMediaType otherwise): an HTML
// form on another site can post text/plain bodies that look like JSON, but cannot set that
// type without a CORS preflight, which this server never grants.
Result<nlohmann::json> ParseJsonObject(const Request& request);
// Whether a Content-Type value is application/json (any case, parameters such as charset
// allowed).
bool IsJsonContentType(std::string_view content_type);

// Missing or null fields give nullopt; a present field of the wrong type is an error.
Result<std::optional<std::string>> OptionalString(const nlohmann::json& object,
                                                  const std::string& field);
Result<std::string> RequiredString(const nlohmann::json& object, const std::string& field);
Result<std::optional<std::int64_t>> OptionalInt(const nlohmann::json& object,
                                                const std::string& field);
// A query parameter as an integer, `fallback` when absent.
Result<std::int64_t> QueryInt(const Request& request, const std::string& name,
                              std::int64_t fallback);

}  // namespace tessera::http
