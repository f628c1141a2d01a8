#include "http/url.hpp"

#include "base/percent_decode.hpp"

namespace tessera::http {

std::optional<Target> ParseTarget(std::string_view target) {
    if (target.empty() || target.front() != '/') {
        return std::nullopt;
    }
    Target out;
    std::size_t question = target.find('?');
    auto path = PercentDecode(target.substr(0, question), /*plus_is_space=*/false);
    if (!path) {
        return std::nullopt;
    }
    out.path = std::move(*path);
    if (question == std::string_view::npos) {
        return out;
    }
    std::string_view rest = target.substr(question + 1);
    while (!rest.empty()) {
        std::size_t amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        std::size_t eq = pair.find('=');
        auto key = PercentDecode(pair.substr(0, eq), true);
        auto value = PercentDecode(
            eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
        if (!key || !value) {
            return std::nullopt;
        }
        out.query.emplace(std::move(*key), std::move(*value));
    }
    return out;
}

}  // namespace tessera::http
