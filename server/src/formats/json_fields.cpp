#include "formats/json_fields.hpp"

#include <cmath>

namespace tessera {

std::optional<double> JsonNumber(const nlohmann::json& object, const char* key) {
    if (!object.is_object()) {
        return std::nullopt;
    }
    auto it = object.find(key);
    if (it == object.end() || !it->is_number()) {
        return std::nullopt;
    }
    return it->get<double>();
}

std::string JsonStringOr(const nlohmann::json& object, const char* key,
                         const std::string& fallback) {
    if (!object.is_object()) {
        return fallback;
    }
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool JsonIsTrue(const nlohmann::json& object, const char* key) {
    if (!object.is_object()) {
        return false;
    }
    auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
}

double JsonNumberOrNan(const nlohmann::json& object, const char* key) {
    return JsonNumber(object, key).value_or(NAN);
}

}  // namespace tessera
