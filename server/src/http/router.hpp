#pragma once
// Method + path-pattern routing. Patterns are literal segments and `{name}` parameters, e.g.
// "/api/v1/projects/{id}/items/{item_id}/annotation". HEAD requests match GET routes.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "http/metrics.hpp"

namespace tessera::http {

enum class Access {
    kPublic,         // no credentials needed
    kAuthenticated,  // cookie (+ CSRF for writes) or bearer token
};

using Handler = std::function<Response(Request&)>;

struct Route {
    std::string method;   // "GET", "POST", ...
    std::string pattern;  // as registered
    Access access = Access::kAuthenticated;
    Handler handler;
    std::vector<std::string> segments;  // pattern split on '/'
};

struct RouteMatch {
    const Route* route = nullptr;  // null when nothing matched
    std::map<std::string, std::string> params;
    bool path_matched = false;  // some route has this path, with another method (405)
};

class Router {
public:
    // Registration happens before the server starts; Find is then safe from many threads.
    void Add(std::string method, std::string pattern, Access access, Handler handler);
    RouteMatch Find(std::string_view method, std::string_view path) const;
    const std::vector<Route>& routes() const { return routes_; }

    // Public handler for GET/HEAD requests no route matched (the UI's static files).
    void SetFallback(Handler handler) { fallback_ = std::move(handler); }
    const Handler& fallback() const { return fallback_; }

    // Where Dispatch records each request it answers (null: nothing is recorded). Must outlive
    // the router's use.
    void SetMetrics(Metrics* metrics) { metrics_ = metrics; }
    Metrics* metrics() const { return metrics_; }

private:
    std::vector<Route> routes_;
    Handler fallback_;
    Metrics* metrics_ = nullptr;
};

}  // namespace tessera::http
