// Health, sessions, CSRF, bearer tokens, throttling, request limits, the OpenAPI document.
#include <string>
#include <vector>
#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

class AuthIt : public IntegrationTest {};

TEST_P(AuthIt, HealthVersionAndRequestIds) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient client = NewClient();
    auto health = client.Get("/healthz");
    EXPECT_EQ(health.status, 200u);
    EXPECT_EQ(health.Json()["status"], "ok");
    EXPECT_FALSE(health.Header("X-Request-Id").empty());
    auto version = client.Get("/api/v1/version");
    EXPECT_EQ(version.status, 200u);
    EXPECT_EQ(version.Json()["version"], "0.1.0");
    EXPECT_NE(version.Header("X-Request-Id"), health.Header("X-Request-Id"));
    auto missing = client.Get("/api/v1/nope");
    EXPECT_EQ(missing.status, 404u);
    EXPECT_EQ(missing.Json()["error"]["code"], "not_found");
}

TEST_P(AuthIt, LoginSetsAHardenedCookieAndSessionRestores) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient client = NewClient();
    auto login = client.SendJson("POST", "/api/v1/session",
                                 {{"username", "admin"}, {"password", kAdminPassword}});
    ASSERT_EQ(login.status, 200u) << login.body;
    std::string cookie = login.Header("Set-Cookie");
    EXPECT_NE(cookie.find("tessera_session="), std::string::npos);
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    EXPECT_NE(cookie.find("Path=/"), std::string::npos);
    EXPECT_EQ(cookie.find("Secure"), std::string::npos);
    EXPECT_EQ(login.Json()["user"]["role"], "owner");
    std::string csrf = login.Json()["csrf_token"];

    auto session = client.Get("/api/v1/session");
    EXPECT_EQ(session.status, 200u);
    EXPECT_EQ(session.Json()["csrf_token"], csrf);
    EXPECT_EQ(session.Json()["user"]["username"], "admin");

    client.csrf_token = csrf;
    auto logout = client.Send("DELETE", "/api/v1/session");
    EXPECT_EQ(logout.status, 204u);
    EXPECT_TRUE(client.cookie.empty());
    EXPECT_EQ(client.Get("/api/v1/session").status, 401u);
}

TEST_P(AuthIt, WrongPasswordIs401AndRepeatedFailuresAre429) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient client = NewClient();
    json wrong = {{"username", "admin"}, {"password", "not-the-password"}};
    for (int i = 0; i < 5; ++i) {
        auto response = client.SendJson("POST", "/api/v1/session", wrong);
        ASSERT_EQ(response.status, 401u) << "attempt " << i << ": " << response.body;
        EXPECT_EQ(response.Json()["error"]["code"], "unauthenticated");
    }
    auto throttled = client.SendJson("POST", "/api/v1/session",
                                     {{"username", "admin"}, {"password", kAdminPassword}});
    EXPECT_EQ(throttled.status, 429u) << throttled.body;
    EXPECT_EQ(throttled.Json()["error"]["code"], "too_many_requests");
}

TEST_P(AuthIt, CookieWritesWithoutCsrfAre403) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::string csrf = admin.csrf_token;
    admin.csrf_token.clear();
    auto without = admin.SendJson("POST", "/api/v1/projects", ProjectBody("NoCsrf"));
    EXPECT_EQ(without.status, 403u);
    EXPECT_EQ(without.Json()["error"]["code"], "permission_denied");
    auto wrong = admin.SendJson("POST", "/api/v1/projects", ProjectBody("NoCsrf"),
                                {{"X-CSRF-Token", "0123"}});
    EXPECT_EQ(wrong.status, 403u);
    admin.csrf_token = csrf;
    EXPECT_EQ(admin.SendJson("POST", "/api/v1/projects", ProjectBody("NoCsrf")).status, 201u);
}

TEST_P(AuthIt, BearerTokensWorkWithoutCookieOrCsrf) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    auto created = admin.SendJson("POST", "/api/v1/tokens", {{"name", "ci"}});
    ASSERT_EQ(created.status, 201u) << created.body;
    std::string token = created.Json()["token"];
    EXPECT_EQ(created.Json()["name"], "ci");

    HttpClient api = NewClient();
    auto project = api.SendJson("POST", "/api/v1/projects", ProjectBody("ViaToken"),
                                {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(project.status, 201u) << project.body;
    auto bad = api.Get("/api/v1/projects", {{"Authorization", "Bearer 00ff"}});
    EXPECT_EQ(bad.status, 401u);
    EXPECT_EQ(api.Get("/api/v1/projects").status, 401u);
}

TEST_P(AuthIt, MalformedJsonIs400AndOversizedBodyIs413) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    auto malformed = admin.Send("POST", "/api/v1/projects",
                                "{\"name\": ", {{"Content-Type", "application/json"}});
    EXPECT_EQ(malformed.status, 400u);
    EXPECT_EQ(malformed.Json()["error"]["code"], "invalid_argument");
    json big = ProjectBody("Big");
    big["instructions"] = {{"text", std::string(2 << 20, 'x')}};
    auto too_large = admin.SendJson("POST", "/api/v1/projects", big);
    EXPECT_EQ(too_large.status, 413u);
    EXPECT_EQ(too_large.Json()["error"]["code"], "payload_too_large");
    EXPECT_EQ(admin.Get("/healthz").status, 200u);
}

TEST_P(AuthIt, OwnersManageUsersLabelersMayNot) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    CreateUser(admin, "lara", "lara-password", "labeler");
    auto duplicate =
        admin.SendJson("POST", "/api/v1/users",
                       {{"username", "LARA"}, {"password", "other-password"}, {"role", "labeler"}});
    EXPECT_EQ(duplicate.status, 409u);
    auto bad_role = admin.SendJson(
        "POST", "/api/v1/users", {{"username", "x1"}, {"password", "xxxxxxxxxx"}, {"role", "god"}});
    EXPECT_EQ(bad_role.status, 400u);
    EXPECT_EQ(bad_role.Json()["error"]["field"], "role");

    HttpClient lara = LoginAs("lara", "lara-password");
    auto forbidden =
        lara.SendJson("POST", "/api/v1/users",
                      {{"username", "x2"}, {"password", "xxxxxxxxxx"}, {"role", "owner"}});
    EXPECT_EQ(forbidden.status, 403u);
    EXPECT_EQ(lara.SendJson("POST", "/api/v1/projects", ProjectBody("Nope")).status, 403u);
    EXPECT_EQ(lara.Get("/api/v1/users").status, 403u);

    auto listed = admin.Get("/api/v1/users");
    ASSERT_EQ(listed.status, 200u);
    std::vector<std::string> names;
    const auto body = listed.Json();  // kept alive: range-for over a temporary's member dangles
    for (const auto& user : body["users"]) {
        names.push_back(user["username"].get<std::string>() + ":" +
                        user["role"].get<std::string>());
    }
    EXPECT_EQ(names, (std::vector<std::string>{"admin:owner", "lara:labeler"}));
}

TEST_P(AuthIt, OpenApiDocumentListsEveryRoute) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient client = NewClient();
    auto response = client.Get("/api/v1/openapi.json");
    ASSERT_EQ(response.status, 200u);
    json doc = response.Json();
    EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
    const char* expected[] = {"/healthz",
                              "/api/v1/session",
                              "/api/v1/tokens",
                              "/api/v1/users",
                              "/api/v1/projects",
                              "/api/v1/projects/{id}",
                              "/api/v1/projects/{id}/next",
                              "/api/v1/projects/{id}/items/{item_id}/annotation",
                              "/api/v1/projects/{id}/items/{item_id}/thumbnail",
                              "/api/v1/projects/{id}/events",
                              "/api/v1/projects/{id}/export",
                              "/api/v1/projects/{id}/import",
                              "/api/v1/projects/{id}/items/{item_id}/draft",
                              "/api/v1/projects/{id}/items/{item_id}/tiles/info",
                              "/metrics"};
    for (const char* path : expected) {
        EXPECT_TRUE(doc["paths"].contains(path)) << path;
    }
    std::size_t operations = 0;
    for (const auto& [path, methods] : doc["paths"].items()) {
        operations += methods.size();
    }
    // 28 from the classification issue; drafts (2), import (1) and tiles (2) from drawing;
    // GET /metrics from operations.
    EXPECT_EQ(operations, 34u);
}

TEST_P(AuthIt, ServesTheUiWithCspAndSpaFallback) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient client = NewClient();
    auto index = client.Get("/");
    ASSERT_EQ(index.status, 200u);
    EXPECT_EQ(index.Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(index.Header("Content-Security-Policy").find("default-src 'self'"),
              std::string::npos);
    EXPECT_EQ(index.Header("Cache-Control"), "no-cache");
    auto deep_link = client.Get("/projects/12/label");
    EXPECT_EQ(deep_link.status, 200u);
    EXPECT_EQ(deep_link.body, index.body);
}

TESSERA_INSTANTIATE_BACKENDS(AuthIt);

}  // namespace
}  // namespace tessera::testing
