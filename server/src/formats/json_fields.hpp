#pragma once

// Typed reads of one field of a parsed JSON object that never throw: other tools' files put
// strings where numbers belong, and nlohmann's value()/get<int>() would throw or cast a huge
// double to int (undefined behaviour).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace tessera {

// The field as a double when it is a JSON number (not necessarily finite-sized for an int).
std::optional<double> JsonNumber(const nlohmann::json& object, const char* key);
// The same, NaN when missing or not a number (for arithmetic that checks isfinite once).
double JsonNumberOrNan(const nlohmann::json& object, const char* key);
// The field when it is a string, else `fallback` (nlohmann's value() throws on a number).
std::string JsonStringOr(const nlohmann::json& object, const char* key,
                         const std::string& fallback = "");
// True only when `object` is an object whose field is the JSON literal true.
bool JsonIsTrue(const nlohmann::json& object, const char* key);

}  // namespace tessera
