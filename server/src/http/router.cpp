#include "http/router.hpp"

namespace tessera::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = 1;  // skip the leading '/'
    while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            slash = path.size();
        }
        out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

bool IsParam(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills `params` when every segment fits.
bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string>& params) {
    if (route.segments.size() != parts.size()) {
        return false;
    }
    std::map<std::string, std::string> found;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& segment = route.segments[i];
        if (IsParam(segment)) {
            if (parts[i].empty()) {
                return false;
            }
            found.emplace(segment.substr(1, segment.size() - 2), std::string(parts[i]));
        } else if (segment != parts[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Access access, Handler handler) {
    Route route{std::move(method), std::move(pattern), access, std::move(handler), {}};
    for (std::string_view part : Split(route.pattern)) {
        route.segments.emplace_back(part);
    }
    routes_.push_back(std::move(route));
}

RouteMatch Router::Find(std::string_view method, std::string_view path) const {
    RouteMatch match;
    if (path.empty() || path.front() != '/') {
        return match;
    }
    std::string_view wanted = method == "HEAD" ? "GET" : method;
    auto parts = Split(path);
    for (const Route& route : routes_) {
        std::map<std::string, std::string> params;
        if (!MatchSegments(route, parts, params)) {
            continue;
        }
        if (route.method != wanted) {
            match.path_matched = true;
            continue;
        }
        match.route = &route;
        match.params = std::move(params);
        return match;
    }
    return match;
}

}  // namespace tessera::http
