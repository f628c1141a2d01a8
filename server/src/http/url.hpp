#pragma once
// Splitting a request target into a decoded path and query parameters.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::http {

struct Target {
    std::string path;
    std::multimap<std::string, std::string> query;
};

// nullopt when the target is not an origin-form path ("/...") or cannot be decoded.
std::optional<Target> ParseTarget(std::string_view target);

}  // namespace tessera::http
