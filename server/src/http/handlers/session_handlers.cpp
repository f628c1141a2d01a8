// Login sessions, API tokens and user accounts.
#include "http/api_routes.hpp"
#include "http/json_codec.hpp"
#include "http/json_io.hpp"
#include "services/permissions.hpp"

#include <algorithm>

namespace tessera::http {
namespace {

using nlohmann::json;

constexpr TimeMs kDayMs = TimeMs{24} * 3600 * 1000;

json TokenToJson(const ApiToken& token) {
    return {{"id", token.id},
            {"name", token.name},
            {"created_at", token.created_at},
            {"expires_at", token.expires_at}};
}

Result<bool> QueryBool(const Request& request, const std::string& name) {
    auto text = request.Query(name);
    if (!text || text->empty() || *text == "false" || *text == "0") {
        return false;
    }
    if (*text == "true" || *text == "1") {
        return true;
    }
    return Error::InvalidArgument(name + " must be true or false", name);
}

Result<Response> Login(ApiContext& context, Request& request) {
    TESSERA_TRY(CheckSameOrigin(request.raw));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(std::string username, RequiredString(body, "username"));
    TESSERA_ASSIGN_OR_RETURN(std::string password, RequiredString(body, "password"));
    TESSERA_ASSIGN_OR_RETURN(LoginResult login,
                             context.auth->Login(username, password, request.client_address));
    Response response =
        JsonResponse(200, {{"csrf_token", login.csrf_token}, {"user", UserToJson(login.user)}});
    response.Header("Set-Cookie", SessionCookie(login.session_token, context.settings.cookies));
    response.Header("Cache-Control", "no-store");
    return response;
}

Result<Response> CurrentSession(ApiContext& context, Request& request) {
    const Principal& principal = *request.principal;
    Response response = JsonResponse(
        200, {{"csrf_token", principal.csrf_token}, {"user", UserToJson(principal.user)}});
    if (principal.via_cookie) {
        // The session slides on use; refresh the cookie's lifetime to match.
        response.Header("Set-Cookie",
                        SessionCookie(principal.session_token, context.settings.cookies));
    }
    response.Header("Cache-Control", "no-store");
    return response;
}

Result<Response> Logout(ApiContext& context, Request& request) {
    if (request.principal->via_cookie) {
        TESSERA_TRY(context.auth->Logout(request.principal->session_token));
    }
    Response response = NoContent();
    response.Header("Set-Cookie", ClearedSessionCookie(context.settings.cookies));
    return response;
}

Result<Response> LogoutEverywhere(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(bool revoke_tokens, QueryBool(request, "revoke_tokens"));
    TESSERA_ASSIGN_OR_RETURN(LogoutEverywhereResult ended,
                             context.auth->LogoutEverywhere(request.user(), revoke_tokens));
    Response response = JsonResponse(
        200, {{"sessions_ended", ended.sessions_ended}, {"tokens_revoked", ended.tokens_revoked}});
    response.Header("Set-Cookie", ClearedSessionCookie(context.settings.cookies));
    return response;
}

Result<Response> ChangePassword(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(std::string current, RequiredString(body, "current_password"));
    TESSERA_ASSIGN_OR_RETURN(std::string replacement, RequiredString(body, "new_password"));
    const Principal& principal = *request.principal;
    TESSERA_TRY(context.auth->ChangePassword(principal.user, principal.session_token, current,
                                             replacement, request.client_address));
    return NoContent();
}

Result<Response> CreateToken(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(std::string name, RequiredString(body, "name"));
    TESSERA_ASSIGN_OR_RETURN(std::optional<std::int64_t> days,
                             OptionalInt(body, "expires_in_days"));
    std::optional<TimeMs> ttl;
    if (days) {
        // Clamped only so the multiplication cannot overflow: a value out of the allowed range
        // stays out of it, and the service names the range.
        constexpr std::int64_t kClampDays = 100'000;
        ttl = std::clamp<std::int64_t>(*days, 0, kClampDays) * kDayMs;
    }
    TESSERA_ASSIGN_OR_RETURN(CreatedApiToken created,
                             context.auth->CreateApiToken(request.user(), name, ttl));
    json out = TokenToJson(created.record);
    out["token"] = created.token;
    Response response = JsonResponse(201, out);
    response.Header("Cache-Control", "no-store");
    return response;
}

Result<Response> ListTokens(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(auto tokens, context.auth->ListApiTokens(request.user()));
    json list = json::array();
    for (const auto& token : tokens) {
        list.push_back(TokenToJson(token));
    }
    json body = json::object();
    body["tokens"] = std::move(list);
    return JsonResponse(200, body);
}

Result<Response> RevokeToken(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id id, request.IdParam("token_id"));
    TESSERA_TRY(context.auth->RevokeApiToken(request.user(), id));
    return NoContent();
}

Result<Response> ListUsers(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(auto users, context.auth->ListUsers(request.user()));
    json list = json::array();
    for (const auto& user : users) {
        list.push_back(UserToJson(user));
    }
    json body = json::object();
    body["users"] = std::move(list);
    return JsonResponse(200, body);
}

Result<Response> CreateUser(ApiContext& context, Request& request) {
    TESSERA_TRY(RequireOwner(request.user(), "create users"));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(std::string username, RequiredString(body, "username"));
    TESSERA_ASSIGN_OR_RETURN(std::string password, RequiredString(body, "password"));
    TESSERA_ASSIGN_OR_RETURN(std::string role_name, RequiredString(body, "role"));
    std::optional<Role> role = ParseRole(role_name);
    if (!role) {
        return Error::InvalidArgument("role must be owner or labeler", "role");
    }
    TESSERA_ASSIGN_OR_RETURN(User user, context.auth->CreateUser(username, password, *role));
    return JsonResponse(201, UserToJson(user));
}

Result<Response> UpdateUser(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id user_id, request.IdParam("id"));
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    AuthService::UserPatch patch;
    for (const auto& [key, value] : body.items()) {
        if (key == "role") {
            std::optional<Role> role =
                value.is_string() ? ParseRole(value.get<std::string>()) : std::nullopt;
            if (!role) {
                return Error::InvalidArgument("role must be owner or labeler", "role");
            }
            patch.role = role;
        } else if (key == "password") {
            if (!value.is_string()) {
                return Error::InvalidArgument("password must be a string", "password");
            }
            patch.password = value.get<std::string>();
        } else {
            return Error::InvalidArgument("unknown field " + key + ": role and password are", key);
        }
    }
    TESSERA_ASSIGN_OR_RETURN(User user, context.auth->UpdateUser(request.user(), user_id, patch));
    return JsonResponse(200, UserToJson(user));
}

}  // namespace

void RegisterSessionRoutes(Router& router, ApiContext& context) {
    AddRoute(router, "POST", "/api/v1/session", Access::kPublic, Bind(context, Login));
    AddRoute(router, "GET", "/api/v1/session", Access::kAuthenticated,
             Bind(context, CurrentSession));
    AddRoute(router, "DELETE", "/api/v1/session", Access::kAuthenticated, Bind(context, Logout));
    AddRoute(router, "DELETE", "/api/v1/sessions", Access::kAuthenticated,
             Bind(context, LogoutEverywhere));
    AddRoute(router, "PUT", "/api/v1/session/password", Access::kAuthenticated,
             Bind(context, ChangePassword));
    AddRoute(router, "POST", "/api/v1/tokens", Access::kAuthenticated, Bind(context, CreateToken));
    AddRoute(router, "GET", "/api/v1/tokens", Access::kAuthenticated, Bind(context, ListTokens));
    AddRoute(router, "DELETE", "/api/v1/tokens/{token_id}", Access::kAuthenticated,
             Bind(context, RevokeToken));
    AddRoute(router, "GET", "/api/v1/users", Access::kAuthenticated, Bind(context, ListUsers));
    AddRoute(router, "POST", "/api/v1/users", Access::kAuthenticated, Bind(context, CreateUser));
    AddRoute(router, "PATCH", "/api/v1/users/{id}", Access::kAuthenticated,
             Bind(context, UpdateUser));
}

}  // namespace tessera::http
