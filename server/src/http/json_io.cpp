#include "http/json_io.hpp"

#include <charconv>

#include "http/text.hpp"

namespace tessera::http {

Response JsonResponse(unsigned status, const nlohmann::json& body) {
    Response response;
    response.status = status;
    // Replace invalid UTF-8 (e.g. from file names) instead of throwing mid-response.
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    response.Header("Content-Type", "application/json");
    return response;
}

Response NoContent() {
    Response response;
    response.status = 204;
    return response;
}

bool IsJsonContentType(std::string_view content_type) {
    std::string_view media_type = TrimSpace(content_type.substr(0, content_type.find(';')));
    return IEquals(media_type, "application/json");
}

Result<nlohmann::json> ParseJsonObject(const Request& request) {
    const std::string& body = request.raw.body();
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return nlohmann::json::object();
    }
    if (!IsJsonContentType(Sv(request.raw[boost::beast::http::field::content_type]))) {
        Error error{ErrorCode::kUnsupportedMediaType,
                    "request body must be sent as Content-Type: application/json", "Content-Type"};
        return error;
    }
    auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
        return Error::InvalidArgument("request body is not valid JSON", "body");
    }
    if (!parsed.is_object()) {
        return Error::InvalidArgument("request body must be a JSON object", "body");
    }
    return parsed;
}

Result<std::optional<std::string>> OptionalString(const nlohmann::json& object,
                                                  const std::string& field) {
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) {
        return std::optional<std::string>();
    }
    if (!it->is_string()) {
        return Error::InvalidArgument(field + " must be a string", field);
    }
    return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> RequiredString(const nlohmann::json& object, const std::string& field) {
    TESSERA_ASSIGN_OR_RETURN(auto value, OptionalString(object, field));
    if (!value) {
        return Error::InvalidArgument(field + " is required", field);
    }
    return *value;
}

Result<std::optional<std::int64_t>> OptionalInt(const nlohmann::json& object,
                                                const std::string& field) {
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) {
        return std::optional<std::int64_t>();
    }
    if (!it->is_number_integer()) {
        return Error::InvalidArgument(field + " must be an integer", field);
    }
    return std::optional<std::int64_t>(it->get<std::int64_t>());
}

Result<std::int64_t> QueryInt(const Request& request, const std::string& name,
                              std::int64_t fallback) {
    auto text = request.Query(name);
    if (!text || text->empty()) {
        return fallback;
    }
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        return Error::InvalidArgument(name + " must be an integer", name);
    }
    return value;
}

}  // namespace tessera::http
