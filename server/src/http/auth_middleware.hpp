#pragma once
// Who is calling: `Authorization: Bearer <token>` (API clients) or the `tessera_session`
// cookie (the browser UI). Cookie-authenticated writes must echo the session's CSRF token in
// `X-CSRF-Token`; bearer requests need none because browsers never attach them on their own.
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "http/message.hpp"
#include "http/server.hpp"
#include "services/auth_service.hpp"

namespace tessera::http {

inline constexpr std::string_view kSessionCookie = "tessera_session";

std::optional<std::string> FindCookie(const RawRequest& request, std::string_view name);
std::optional<std::string> BearerToken(const RawRequest& request);

// Refuses (403, field Origin) a request that a browser says came from another site: a
// `Sec-Fetch-Site` other than same-origin or none, or else an `Origin` whose host differs from
// `Host`. Requests with neither header (scripts, the CLI) pass. Login uses it: without a
// session there is no CSRF token yet, and a cross-site login would sign the victim's browser
// in as the attacker.
Status CheckSameOrigin(const RawRequest& request);

// 401 without valid credentials, 403 for a cookie-authenticated write without the CSRF token.
Result<Principal> AuthenticateRequest(AuthService& auth, const RawRequest& request);
Authenticator MakeAuthenticator(AuthService& auth);

struct CookieSettings {
    bool secure = false;  // add `Secure` (when served over HTTPS, e.g. behind a proxy)
    TimeMs max_age_ms = 7LL * 24 * 3600 * 1000;
};
std::string SessionCookie(const std::string& token, const CookieSettings& settings);
std::string ClearedSessionCookie(const CookieSettings& settings);

}  // namespace tessera::http
