#include "http/etag.hpp"

#include "http/text.hpp"

namespace tessera::http {

bool IfNoneMatch(const RawRequest& request, std::string_view etag) {
    auto field = request.find(boost::beast::http::field::if_none_match);
    if (field == request.end()) {
        return false;
    }
    std::string_view list = Sv(field->value());
    if (TrimSpace(list) == "*") {
        return true;
    }
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view candidate = TrimSpace(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        // Weak comparison is right for GET (RFC 9110 13.1.2).
        if (candidate.starts_with("W/")) {
            candidate.remove_prefix(2);
        }
        if (candidate == etag) {
            return true;
        }
    }
    return false;
}

}  // namespace tessera::http
