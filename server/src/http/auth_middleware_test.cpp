#include "http/auth_middleware.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "services/service_test_support.hpp"

namespace tessera::http {
namespace {

namespace bhttp = boost::beast::http;

RawRequest MakeRequest(bhttp::verb method,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
    RawRequest request{method, "/api/v1/projects", 11};
    for (const auto& [name, value] : headers) {
        request.insert(name, value);
    }
    return request;
}

TEST(CookieTest, FindsNamedCookieAmongOthers) {
    auto request = MakeRequest(bhttp::verb::get,
                               {{"Cookie", "a=1; tessera_session=abc ; b=2"}, {"Cookie", "c=3"}});
    EXPECT_EQ(FindCookie(request, "tessera_session"), "abc");
    EXPECT_EQ(FindCookie(request, "c"), "3");
    EXPECT_FALSE(FindCookie(request, "tessera"));
}

TEST(CookieTest, BearerSchemeIsCaseInsensitive) {
    EXPECT_EQ(BearerToken(MakeRequest(bhttp::verb::get, {{"Authorization", "bearer  xyz"}})),
              "xyz");
    EXPECT_FALSE(BearerToken(MakeRequest(bhttp::verb::get, {{"Authorization", "Basic xyz"}})));
}

TEST(CookieTest, SessionCookieAttributes) {
    CookieSettings settings;
    settings.max_age_ms = TimeMs{3600} * 1000;
    EXPECT_EQ(SessionCookie("tok", settings),
              "tessera_session=tok; Max-Age=3600; Path=/; HttpOnly; SameSite=Strict");
    settings.secure = true;
    EXPECT_EQ(ClearedSessionCookie(settings),
              "tessera_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure");
}

// Login CSRF (issue 8, finding 3): a page on another site must not be able to sign the
// browser in.
TEST(SameOriginTest, CrossSiteFetchMetadataIsRefused) {
    for (const char* site : {"cross-site", "same-site"}) {
        Status status = CheckSameOrigin(MakeRequest(
            bhttp::verb::post, {{"Host", "tessera.example"}, {"Sec-Fetch-Site", site}}));
        ASSERT_FALSE(status.ok()) << site;
        EXPECT_EQ(status.error().code, ErrorCode::kPermissionDenied);
        EXPECT_EQ(status.error().field, "Origin");
    }
    for (const char* site : {"same-origin", "none", "Same-Origin"}) {
        EXPECT_TRUE(CheckSameOrigin(MakeRequest(bhttp::verb::post, {{"Sec-Fetch-Site", site},
                                                                    {"Origin", "https://evil"}}))
                        .ok())
            << site;
    }
}

TEST(SameOriginTest, OriginMustNameTheHostWhenFetchMetadataIsAbsent) {
    auto check = [](const std::string& origin) {
        return CheckSameOrigin(
            MakeRequest(bhttp::verb::post, {{"Host", "tessera.example:8080"}, {"Origin", origin}}));
    };
    EXPECT_TRUE(check("http://tessera.example:8080").ok());
    EXPECT_TRUE(check("https://TESSERA.example:8080").ok());
    EXPECT_EQ(check("https://evil.example").error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(check("http://tessera.example").error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(check("null").error().code, ErrorCode::kPermissionDenied);
    // Scripts and the CLI send neither header.
    EXPECT_TRUE(CheckSameOrigin(MakeRequest(bhttp::verb::post, {{"Host", "x"}})).ok());
}

class AuthenticateTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_GE(sodium_init(), 0);
        AuthSettings settings;
        settings.opslimit = crypto_pwhash_OPSLIMIT_MIN;
        settings.memlimit = crypto_pwhash_MEMLIMIT_MIN;
        auth_ = std::make_unique<AuthService>(*env_.repo, env_.clock, env_.random, settings);
        ASSERT_TRUE(auth_->CreateUser("alice", "correct horse", Role::kOwner).ok());
        auto login = auth_->Login("alice", "correct horse", "127.0.0.1");
        ASSERT_TRUE(login.ok());
        login_ = *login;
    }

    Result<Principal> Authenticate(
        bhttp::verb method, const std::vector<std::pair<std::string, std::string>>& headers) {
        return AuthenticateRequest(*auth_, MakeRequest(method, headers));
    }

    std::string Cookie() const { return "tessera_session=" + login_.session_token; }

    testing::ServiceEnv env_;
    std::unique_ptr<AuthService> auth_;
    LoginResult login_;
};

TEST_F(AuthenticateTest, NoCredentialsIs401) {
    auto result = Authenticate(bhttp::verb::get, {});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AuthenticateTest, CookieAuthenticatesReads) {
    auto result = Authenticate(bhttp::verb::get, {{"Cookie", Cookie()}});
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->user.username, "alice");
    EXPECT_TRUE(result->via_cookie);
    EXPECT_EQ(result->csrf_token, login_.csrf_token);
}

TEST_F(AuthenticateTest, CookieWritesNeedTheCsrfToken) {
    auto missing = Authenticate(bhttp::verb::post, {{"Cookie", Cookie()}});
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kPermissionDenied);
    auto wrong =
        Authenticate(bhttp::verb::delete_, {{"Cookie", Cookie()}, {"X-CSRF-Token", "not-it"}});
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
    auto right = Authenticate(bhttp::verb::post,
                              {{"Cookie", Cookie()}, {"X-CSRF-Token", login_.csrf_token}});
    EXPECT_TRUE(right.ok());
}

TEST_F(AuthenticateTest, UnknownSessionIs401) {
    auto result = Authenticate(bhttp::verb::get, {{"Cookie", "tessera_session=deadbeef"}});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AuthenticateTest, BearerTokensNeedNoCsrf) {
    auto token = auth_->CreateApiToken(login_.user, "ci");
    ASSERT_TRUE(token.ok());
    auto result = Authenticate(bhttp::verb::post, {{"Authorization", "Bearer " + token->token}});
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->user.username, "alice");
    EXPECT_FALSE(result->via_cookie);
}

TEST_F(AuthenticateTest, BadBearerIs401EvenWithAValidCookie) {
    auto result =
        Authenticate(bhttp::verb::get, {{"Authorization", "Bearer nope"}, {"Cookie", Cookie()}});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace tessera::http
