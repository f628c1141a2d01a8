#include "services/auth_service.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "services/service_test_support.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {
namespace {

AuthSettings FastSettings() {
    AuthSettings s;
    s.opslimit = crypto_pwhash_OPSLIMIT_MIN;
    s.memlimit = crypto_pwhash_MEMLIMIT_MIN;
    s.failures_before_delay = 3;
    s.failure_delay_ms = 10'000;
    return s;
}

class AuthServiceTest : public ::testing::Test {
protected:
    testing::ServiceEnv env;
    AuthService auth{*env.repo, env.clock, env.random, FastSettings()};
};

TEST_F(AuthServiceTest, LoginWithRightPasswordGivesWorkingSession) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto login = auth.Login("ANA", "correct horse");
    ASSERT_TRUE(login.ok()) << login.error().message;
    EXPECT_EQ(login->user.username, "ana");
    auto session = auth.AuthenticateSession(login->session_token);
    ASSERT_TRUE(session.ok());
    EXPECT_EQ(session->csrf_token, login->csrf_token);
    ASSERT_TRUE(auth.Logout(login->session_token).ok());
    EXPECT_EQ(auth.AuthenticateSession(login->session_token).error().code,
              ErrorCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, WrongPasswordAndUnknownUserLookAlike) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto wrong = auth.Login("ana", "battery staple");
    auto unknown = auth.Login("bob", "battery staple");
    ASSERT_FALSE(wrong.ok());
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_F(AuthServiceTest, RepeatedFailuresDelayEvenTheRightPassword) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(auth.Login("ana", "nope-nope").error().code, ErrorCode::kUnauthenticated);
    }
    EXPECT_EQ(auth.Login("ana", "correct horse").error().code, ErrorCode::kTooManyRequests);
    env.clock.Advance(10'001);
    EXPECT_TRUE(auth.Login("ana", "correct horse").ok());
}

TEST_F(AuthServiceTest, SessionsExpire) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto login = auth.Login("ana", "correct horse");
    ASSERT_TRUE(login.ok());
    env.clock.Advance(8LL * 24 * 3600 * 1000);
    EXPECT_EQ(auth.AuthenticateSession(login->session_token).error().code,
              ErrorCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, ApiTokenAuthenticatesItsUser) {
    auto user = auth.CreateUser("bot", "long enough pw", Role::kOwner);
    ASSERT_TRUE(user.ok());
    auto token = auth.CreateApiToken(*user, "ci");
    ASSERT_TRUE(token.ok());
    auto who = auth.AuthenticateBearer(*token);
    ASSERT_TRUE(who.ok());
    EXPECT_EQ(who->id, user->id);
    EXPECT_EQ(auth.AuthenticateBearer("tsr_bogus").error().code, ErrorCode::kUnauthenticated);
}

// Validated credentials are cached for credential_cache_ttl_ms (3 s): a session deleted behind
// this process's back (another server's logout) keeps working until then, and no longer.
TEST_F(AuthServiceTest, CachedSessionOutlivesAForeignLogoutByTheTtlOnly) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto login = auth.Login("ana", "correct horse");
    ASSERT_TRUE(login.ok());
    ASSERT_TRUE(auth.AuthenticateSession(login->session_token).ok());
    ASSERT_TRUE(env.repo->DeleteSession(AuthService::HashToken(login->session_token)).ok());
    env.clock.Advance(2999);
    auto cached = auth.AuthenticateSession(login->session_token);
    ASSERT_TRUE(cached.ok());
    EXPECT_EQ(cached->user.username, "ana");
    EXPECT_EQ(cached->csrf_token, login->csrf_token);
    env.clock.Advance(1);
    EXPECT_EQ(auth.AuthenticateSession(login->session_token).error().code,
              ErrorCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, LogoutEndsACachedSessionAtOnce) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto first = auth.Login("ana", "correct horse");
    auto second = auth.Login("ana", "correct horse");
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(second.ok());
    ASSERT_TRUE(auth.AuthenticateSession(first->session_token).ok());
    ASSERT_TRUE(auth.AuthenticateSession(second->session_token).ok());
    ASSERT_TRUE(auth.Logout(first->session_token).ok());
    EXPECT_EQ(auth.AuthenticateSession(first->session_token).error().code,
              ErrorCode::kUnauthenticated);
    EXPECT_TRUE(auth.AuthenticateSession(second->session_token).ok());  // only that session
}

TEST_F(AuthServiceTest, SlidingExpiryStillExtendsWithTheCache) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto login = auth.Login("ana", "correct horse");
    ASSERT_TRUE(login.ok());
    ASSERT_TRUE(auth.AuthenticateSession(login->session_token).ok());  // cached, not extended
    env.clock.Advance(4LL * 24 * 3600 * 1000);  // past half of the 7-day lifetime
    ASSERT_TRUE(auth.AuthenticateSession(login->session_token).ok());  // extends to day 11
    env.clock.Advance(6LL * 24 * 3600 * 1000);
    EXPECT_TRUE(auth.AuthenticateSession(login->session_token).ok());
    const std::string hash = AuthService::HashToken(login->session_token);
    auto stored = env.repo->FindSession(hash, env.clock.NowMs());
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->session.expires_at, env.clock.NowMs() + 7LL * 24 * 3600 * 1000);
}

TEST_F(AuthServiceTest, RevokedTokenWorksUntilTheTtlOrForgetUser) {
    auto bot = auth.CreateUser("bot", "long enough pw", Role::kLabeler);
    auto other = auth.CreateUser("other", "long enough pw", Role::kLabeler);
    ASSERT_TRUE(bot.ok());
    ASSERT_TRUE(other.ok());
    auto token = auth.CreateApiToken(*bot, "ci");
    auto other_token = auth.CreateApiToken(*other, "ci");
    ASSERT_TRUE(token.ok());
    ASSERT_TRUE(other_token.ok());
    ASSERT_TRUE(auth.AuthenticateBearer(*token).ok());
    ASSERT_TRUE(auth.AuthenticateBearer(*other_token).ok());
    // The repository has no revocation yet: delete the rows as another process would.
    auto& sql = dynamic_cast<SqlRepository&>(*env.repo);
    ASSERT_TRUE(sql.ExecForTest("DELETE FROM api_tokens").ok());
    env.clock.Advance(2999);
    auto cached = auth.AuthenticateBearer(*token);
    ASSERT_TRUE(cached.ok());
    EXPECT_EQ(cached->id, bot->id);
    auth.ForgetUser(bot->id);
    EXPECT_EQ(auth.AuthenticateBearer(*token).error().code, ErrorCode::kUnauthenticated);
    EXPECT_TRUE(auth.AuthenticateBearer(*other_token).ok());  // another user's entry stays
    env.clock.Advance(1);
    EXPECT_EQ(auth.AuthenticateBearer(*other_token).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, ZeroTtlChecksTheDatabaseEveryTime) {
    AuthSettings settings = FastSettings();
    settings.credential_cache_ttl_ms = 0;
    AuthService uncached{*env.repo, env.clock, env.random, settings};
    ASSERT_TRUE(uncached.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto login = uncached.Login("ana", "correct horse");
    ASSERT_TRUE(login.ok());
    ASSERT_TRUE(uncached.AuthenticateSession(login->session_token).ok());
    ASSERT_TRUE(env.repo->DeleteSession(AuthService::HashToken(login->session_token)).ok());
    EXPECT_EQ(uncached.AuthenticateSession(login->session_token).error().code,
              ErrorCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, RejectsBadNamesShortPasswordsAndDuplicates) {
    EXPECT_EQ(auth.CreateUser("a b", "long enough", Role::kLabeler).error().field, "username");
    EXPECT_EQ(auth.CreateUser("ana", "short", Role::kLabeler).error().field, "password");
    ASSERT_TRUE(auth.CreateUser("ana", "long enough", Role::kLabeler).ok());
    EXPECT_EQ(auth.CreateUser("Ana", "long enough", Role::kLabeler).error().code,
              ErrorCode::kConflict);
}

TEST_F(AuthServiceTest, EnsureAdminGeneratesOncePrintsOnce) {
    auto first = auth.EnsureAdmin("");
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(first->has_value());
    EXPECT_TRUE(auth.Login("admin", **first).ok());
    auto second = auth.EnsureAdmin("");
    ASSERT_TRUE(second.ok());
    EXPECT_FALSE(second->has_value());
}

}  // namespace
}  // namespace tessera
