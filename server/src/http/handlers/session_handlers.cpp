// Login sessions, API tokens and user accounts.
#include "http/api_routes.hpp"
#include "http/json_codec.hpp"
#include "http/json_io.hpp"
#include "services/permissions.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;

Result<Response> Login(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(std::string username, RequiredString(body, "username"));
    TESSERA_ASSIGN_OR_RETURN(std::string password, RequiredString(body, "password"));
    TESSERA_ASSIGN_OR_RETURN(LoginResult login, context.auth->Login(username, password));
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

Result<Response> CreateToken(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(json body, ParseJsonObject(request));
    TESSERA_ASSIGN_OR_RETURN(std::string name, RequiredString(body, "name"));
    TESSERA_ASSIGN_OR_RETURN(std::string token, context.auth->CreateApiToken(request.user(), name));
    Response response = JsonResponse(201, {{"token", token}, {"name", name}});
    response.Header("Cache-Control", "no-store");
    return response;
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

}  // namespace

void RegisterSessionRoutes(Router& router, ApiContext& context) {
    AddRoute(router, "POST", "/api/v1/session", Access::kPublic, Bind(context, Login));
    AddRoute(router, "GET", "/api/v1/session", Access::kAuthenticated,
             Bind(context, CurrentSession));
    AddRoute(router, "DELETE", "/api/v1/session", Access::kAuthenticated, Bind(context, Logout));
    AddRoute(router, "POST", "/api/v1/tokens", Access::kAuthenticated, Bind(context, CreateToken));
    AddRoute(router, "GET", "/api/v1/users", Access::kAuthenticated, Bind(context, ListUsers));
    AddRoute(router, "POST", "/api/v1/users", Access::kAuthenticated, Bind(context, CreateUser));
}

}  // namespace tessera::http
