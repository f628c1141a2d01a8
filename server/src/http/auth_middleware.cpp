#include "http/auth_middleware.hpp"

#include "http/text.hpp"

namespace tessera::http {
namespace {

namespace bhttp = boost::beast::http;

// Compares without an early exit, so timing does not reveal how much of a token matched.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

bool IsSafeMethod(const RawRequest& request) {
    return request.method() == bhttp::verb::get || request.method() == bhttp::verb::head;
}

std::string CookieAttributes(const CookieSettings& settings) {
    return std::string("; Path=/; HttpOnly; SameSite=Strict") + (settings.secure ? "; Secure" : "");
}

}  // namespace

std::optional<std::string> FindCookie(const RawRequest& request, std::string_view name) {
    auto [begin, end] = request.equal_range(bhttp::field::cookie);
    for (auto it = begin; it != end; ++it) {
        std::string_view rest = Sv(it->value());
        while (!rest.empty()) {
            std::size_t semicolon = rest.find(';');
            std::string_view pair = TrimSpace(rest.substr(0, semicolon));
            rest = semicolon == std::string_view::npos ? std::string_view()
                                                       : rest.substr(semicolon + 1);
            std::size_t eq = pair.find('=');
            if (eq != std::string_view::npos && TrimSpace(pair.substr(0, eq)) == name) {
                return std::string(TrimSpace(pair.substr(eq + 1)));
            }
        }
    }
    return std::nullopt;
}

std::optional<std::string> BearerToken(const RawRequest& request) {
    auto it = request.find(bhttp::field::authorization);
    if (it == request.end()) {
        return std::nullopt;
    }
    std::string_view value = TrimSpace(Sv(it->value()));
    constexpr std::string_view kScheme = "bearer ";
    if (value.size() <= kScheme.size() || !IEquals(value.substr(0, kScheme.size()), kScheme)) {
        return std::nullopt;
    }
    return std::string(TrimSpace(value.substr(kScheme.size())));
}

Status CheckSameOrigin(const RawRequest& request) {
    auto cross_site = [](const std::string& why) {
        Error error = Error::PermissionDenied(why);
        error.field = "Origin";
        return error;
    };
    auto fetch_site = request.find("Sec-Fetch-Site");
    if (fetch_site != request.end()) {
        std::string_view site = TrimSpace(Sv(fetch_site->value()));
        if (IEquals(site, "same-origin") || IEquals(site, "none")) {
            return Status::Ok();
        }
        return cross_site("refused: the request came from another site (Sec-Fetch-Site: " +
                          std::string(site) + ")");
    }
    auto origin = request.find(bhttp::field::origin);
    if (origin == request.end()) {
        return Status::Ok();
    }
    std::string_view value = TrimSpace(Sv(origin->value()));
    std::size_t scheme_end = value.find("://");
    std::string_view origin_host =
        scheme_end == std::string_view::npos ? std::string_view() : value.substr(scheme_end + 3);
    std::string_view host = TrimSpace(Sv(request[bhttp::field::host]));
    if (origin_host.empty() || host.empty() || !IEquals(origin_host, host)) {
        return cross_site("refused: the request came from another origin (" + std::string(value) +
                          ")");
    }
    return Status::Ok();
}

Result<Principal> AuthenticateRequest(AuthService& auth, const RawRequest& request) {
    if (request.find(bhttp::field::authorization) != request.end()) {
        auto token = BearerToken(request);
        if (!token || token->empty()) {
            return Error::Unauthenticated("Authorization must be 'Bearer <token>'");
        }
        TESSERA_ASSIGN_OR_RETURN(User user, auth.AuthenticateBearer(*token));
        Principal principal;
        principal.user = std::move(user);
        return principal;
    }
    auto session_token = FindCookie(request, kSessionCookie);
    if (!session_token || session_token->empty()) {
        return Error::Unauthenticated("login required");
    }
    TESSERA_ASSIGN_OR_RETURN(AuthenticatedSession session,
                             auth.AuthenticateSession(*session_token));
    if (!IsSafeMethod(request)) {
        auto header = request.find("X-CSRF-Token");
        if (header == request.end() ||
            !ConstantTimeEquals(Sv(header->value()), session.csrf_token)) {
            Error error = Error::PermissionDenied("missing or wrong X-CSRF-Token header");
            error.field = "X-CSRF-Token";
            return error;
        }
    }
    Principal principal;
    principal.user = std::move(session.user);
    principal.via_cookie = true;
    principal.session_token = std::move(*session_token);
    principal.csrf_token = std::move(session.csrf_token);
    return principal;
}

Authenticator MakeAuthenticator(AuthService& auth) {
    return [&auth](const RawRequest& request) { return AuthenticateRequest(auth, request); };
}

std::string SessionCookie(const std::string& token, const CookieSettings& settings) {
    return std::string(kSessionCookie) + "=" + token +
           "; Max-Age=" + std::to_string(settings.max_age_ms / 1000) + CookieAttributes(settings);
}

std::string ClearedSessionCookie(const CookieSettings& settings) {
    return std::string(kSessionCookie) + "=; Max-Age=0" + CookieAttributes(settings);
}

}  // namespace tessera::http
