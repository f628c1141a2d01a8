#include "http/message.hpp"

#include "http/text.hpp"

#include <charconv>

namespace tessera::http {

Result<Id> Request::IdParam(const std::string& name) const {
    auto it = params.find(name);
    if (it == params.end()) {
        return Error::Internal("route has no parameter " + name);
    }
    const std::string& text = it->second;
    Id value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
        return Error::InvalidArgument(name + " must be a positive integer", name);
    }
    return value;
}

std::optional<std::string> Request::Query(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::string> Response::FindHeader(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (IEquals(key, name)) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace tessera::http
