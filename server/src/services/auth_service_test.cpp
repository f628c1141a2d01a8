#include "services/auth_service.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

#include "services/service_test_support.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {
namespace {

constexpr char kHere[] = "10.0.0.1";
constexpr char kThere[] = "10.0.0.2";
constexpr TimeMs kDayMs = TimeMs{24} * 3600 * 1000;

AuthSettings FastSettings() {
    AuthSettings s;
    s.opslimit = crypto_pwhash_OPSLIMIT_MIN;
    s.memlimit = crypto_pwhash_MEMLIMIT_MIN;
    s.throttle.failures_per_user = 3;
    s.throttle.failures_per_address = 6;
    s.throttle.delay_ms = 10'000;
    return s;
}

// Real (cheap) argon2id, plus a count of the checks and, while `hold` is set, checks that wait
// until released: tests see how many password checks ran and how many ran at once.
class ObservedHasher final : public PasswordHasher {
public:
    ObservedHasher() : real_(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) {}
    Result<std::string> Hash(const std::string& password) override { return real_.Hash(password); }
    bool Verify(const std::string& hash, const std::string& password) override {
        std::unique_lock lock(mu_);
        ++verified_;
        ++running_;
        changed_.notify_all();
        // Bounded, so a broken cap fails the test instead of hanging it.
        changed_.wait_for(lock, std::chrono::seconds(20), [this] { return !hold_; });
        --running_;
        lock.unlock();
        return real_.Verify(hash, password);
    }
    void Hold() {
        std::lock_guard lock(mu_);
        hold_ = true;
    }
    void Release() {
        std::lock_guard lock(mu_);
        hold_ = false;
        changed_.notify_all();
    }
    // Waits until `n` checks are held.
    bool WaitRunning(int n) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return running_ >= n; });
    }
    int verified() {
        std::lock_guard lock(mu_);
        return verified_;
    }

private:
    Argon2Hasher real_;
    std::mutex mu_;
    std::condition_variable changed_;
    bool hold_ = false;
    int running_ = 0;
    int verified_ = 0;
};

class AuthServiceTest : public ::testing::Test {
protected:
    testing::ServiceEnv env;
    AuthService auth{*env.repo, env.clock, env.random, FastSettings()};
};

class ObservedAuthServiceTest : public ::testing::Test {
protected:
    AuthService Make(AuthSettings settings) {
        return AuthService(*env.repo, env.clock, env.random, settings, &hasher);
    }
    testing::ServiceEnv env;
    ObservedHasher hasher;
};

TEST_F(AuthServiceTest, LoginWithRightPasswordGivesWorkingSession) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto login = auth.Login("ANA", "correct horse", kHere);
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
    auto wrong = auth.Login("ana", "battery staple", kHere);
    auto unknown = auth.Login("bob", "battery staple", kHere);
    ASSERT_FALSE(wrong.ok());
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_F(AuthServiceTest, RepeatedFailuresDelayEvenTheRightPasswordFromTheFailingAddress) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(auth.Login("ana", "nope-nope", kHere).error().code, ErrorCode::kUnauthenticated);
    }
    EXPECT_EQ(auth.Login("ana", "correct horse", kHere).error().code, ErrorCode::kTooManyRequests);
    env.clock.Advance(10'001);
    EXPECT_TRUE(auth.Login("ana", "correct horse", kHere).ok());
}

// Finding 7: five wrong guesses from anywhere used to lock the owner out for 30 s.
TEST_F(AuthServiceTest, SomeoneElsesFailuresDoNotLockTheOwnerOut) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(auth.Login("ana", "nope-nope", kThere).error().code, ErrorCode::kUnauthenticated);
    }
    EXPECT_EQ(auth.Login("ana", "nope-nope", kThere).error().code, ErrorCode::kTooManyRequests);
    EXPECT_TRUE(auth.Login("ana", "correct horse", kHere).ok());
    // The guesser stays locked out, right password or not.
    EXPECT_EQ(auth.Login("ana", "correct horse", kThere).error().code, ErrorCode::kTooManyRequests);
}

// Finding 2: one client trying many names is slowed as well.
TEST_F(AuthServiceTest, OneAddressSprayingManyNamesIsLockedOut) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(auth.Login("user" + std::to_string(i), "nope-nope", kThere).error().code,
                  ErrorCode::kUnauthenticated)
            << i;
    }
    auto refused = auth.Login("user6", "nope-nope", kThere);
    EXPECT_EQ(refused.error().code, ErrorCode::kTooManyRequests);
    EXPECT_NE(refused.error().message.find("address"), std::string::npos);
    EXPECT_EQ(auth.Login("ana", "correct horse", kThere).error().code, ErrorCode::kTooManyRequests);
    EXPECT_TRUE(auth.Login("ana", "correct horse", kHere).ok());
    env.clock.Advance(10'001);
    EXPECT_TRUE(auth.Login("ana", "correct horse", kThere).ok());
}

// Finding 4: an unknown name must cost the same password hash as a wrong password.
TEST_F(ObservedAuthServiceTest, UnknownNamesAreCheckedAgainstADummyHash) {
    AuthService auth = Make(FastSettings());
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    ASSERT_EQ(auth.Login("ana", "battery staple", kHere).error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(hasher.verified(), 1);
    ASSERT_EQ(auth.Login("nobody", "battery staple", kHere).error().code,
              ErrorCode::kUnauthenticated);
    EXPECT_EQ(hasher.verified(), 2);
}

// Finding 2: attempts are counted before hashing, so a burst for one name gets no more checks
// than the limit, however many arrive at once.
TEST_F(ObservedAuthServiceTest, ConcurrentGuessesGetNoMoreChecksThanTheLimit) {
    AuthSettings settings = FastSettings();
    settings.throttle.max_concurrent_checks = 16;
    AuthService auth = Make(settings);
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    hasher.Hold();
    std::vector<std::future<Result<LoginResult>>> held;
    held.reserve(3);
    for (int i = 0; i < 3; ++i) {
        held.push_back(
            std::async(std::launch::async, [&] { return auth.Login("ana", "nope-nope", kThere); }));
    }
    ASSERT_TRUE(hasher.WaitRunning(3));
    // The three under way count: the rest are refused without a check.
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(auth.Login("ana", "nope-nope", kThere).error().code, ErrorCode::kTooManyRequests);
    }
    hasher.Release();
    for (auto& login : held) {
        EXPECT_EQ(login.get().error().code, ErrorCode::kUnauthenticated);
    }
    EXPECT_EQ(hasher.verified(), 3);
}

// Finding 2: each check holds its own hash memory, so only a few run at once; the rest are
// answered at once instead of queueing.
TEST_F(ObservedAuthServiceTest, ConcurrentChecksAreCappedAndTheRestRefusedAtOnce) {
    AuthSettings settings = FastSettings();
    settings.throttle.max_concurrent_checks = 2;
    AuthService auth = Make(settings);
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    hasher.Hold();
    std::vector<std::future<Result<LoginResult>>> held;
    held.reserve(2);
    for (int i = 0; i < 2; ++i) {
        held.push_back(std::async(std::launch::async, [&auth, i] {
            return auth.Login("user" + std::to_string(i), "nope-nope",
                              "10.0.1." + std::to_string(i));
        }));
    }
    ASSERT_TRUE(hasher.WaitRunning(2));
    auto busy = auth.Login("ana", "correct horse", kHere);
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);
    hasher.Release();
    for (auto& login : held) {
        EXPECT_EQ(login.get().error().code, ErrorCode::kUnauthenticated);
    }
    EXPECT_EQ(hasher.verified(), 2);
    EXPECT_TRUE(auth.Login("ana", "correct horse", kHere).ok());  // refused, not counted
}

TEST_F(AuthServiceTest, SessionsExpire) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto login = auth.Login("ana", "correct horse", kHere);
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
    auto who = auth.AuthenticateBearer(token->token);
    ASSERT_TRUE(who.ok());
    EXPECT_EQ(who->id, user->id);
    EXPECT_EQ(auth.AuthenticateBearer("tsr_bogus").error().code, ErrorCode::kUnauthenticated);
}

// Validated credentials are cached for credential_cache_ttl_ms (3 s): a session deleted behind
// this process's back (another server's logout) keeps working until then, and no longer.
TEST_F(AuthServiceTest, CachedSessionOutlivesAForeignLogoutByTheTtlOnly) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto login = auth.Login("ana", "correct horse", kHere);
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
    auto first = auth.Login("ana", "correct horse", kHere);
    auto second = auth.Login("ana", "correct horse", kHere);
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
    auto login = auth.Login("ana", "correct horse", kHere);
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
    auto created = auth.CreateApiToken(*bot, "ci");
    auto other_created = auth.CreateApiToken(*other, "ci");
    ASSERT_TRUE(created.ok());
    ASSERT_TRUE(other_created.ok());
    const std::string* token = &created->token;
    const std::string* other_token = &other_created->token;
    ASSERT_TRUE(auth.AuthenticateBearer(*token).ok());
    ASSERT_TRUE(auth.AuthenticateBearer(*other_token).ok());
    // Delete the rows behind this process's back, as another server process would.
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
    auto login = uncached.Login("ana", "correct horse", kHere);
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
    EXPECT_TRUE(auth.Login("admin", **first, kHere).ok());
    auto second = auth.EnsureAdmin("");
    ASSERT_TRUE(second.ok());
    EXPECT_FALSE(second->has_value());
}

TEST_F(AuthServiceTest, ApiTokensExpireAtTheChosenTimeOrTheDefault) {
    auto bot = auth.CreateUser("bot", "long enough pw", Role::kLabeler);
    ASSERT_TRUE(bot.ok());
    const TimeMs now = env.clock.NowMs();
    auto short_lived = auth.CreateApiToken(*bot, "short", 2 * kDayMs);
    auto by_default = auth.CreateApiToken(*bot, "default");
    ASSERT_TRUE(short_lived.ok());
    ASSERT_TRUE(by_default.ok());
    EXPECT_EQ(short_lived->record.expires_at, now + 2 * kDayMs);
    EXPECT_EQ(by_default->record.expires_at, now + 90 * kDayMs);
    EXPECT_EQ(auth.CreateApiToken(*bot, "long", 366 * kDayMs).error().field, "expires_in_days");
    EXPECT_EQ(auth.CreateApiToken(*bot, "never", 0).error().field, "expires_in_days");

    ASSERT_TRUE(auth.AuthenticateBearer(short_lived->token).ok());  // now cached
    env.clock.Advance(2 * kDayMs - 1);
    EXPECT_TRUE(auth.AuthenticateBearer(short_lived->token).ok());
    env.clock.Advance(1);
    auto expired = auth.AuthenticateBearer(short_lived->token);
    ASSERT_FALSE(expired.ok());
    EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
    EXPECT_TRUE(auth.AuthenticateBearer(by_default->token).ok());
    env.clock.Advance(88 * kDayMs);
    EXPECT_EQ(auth.AuthenticateBearer(by_default->token).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, TokensAreListedAndRevokedAtOnceByTheirOwnerOnly) {
    auto bot = auth.CreateUser("bot", "long enough pw", Role::kLabeler);
    auto eve = auth.CreateUser("eve", "long enough pw", Role::kOwner);
    ASSERT_TRUE(bot.ok() && eve.ok());
    auto ci = auth.CreateApiToken(*bot, "ci");
    env.clock.Advance(1);
    auto laptop = auth.CreateApiToken(*bot, "laptop");
    ASSERT_TRUE(ci.ok() && laptop.ok());
    auto listed = auth.ListApiTokens(*bot);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ((*listed)[0].name, "laptop");
    EXPECT_TRUE(auth.ListApiTokens(*eve)->empty());

    ASSERT_TRUE(auth.AuthenticateBearer(ci->token).ok());  // cached for 3 s
    EXPECT_EQ(auth.RevokeApiToken(*eve, ci->record.id).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(auth.AuthenticateBearer(ci->token).ok());
    ASSERT_TRUE(auth.RevokeApiToken(*bot, ci->record.id).ok());
    EXPECT_EQ(auth.AuthenticateBearer(ci->token).error().code, ErrorCode::kUnauthenticated);
    EXPECT_TRUE(auth.AuthenticateBearer(laptop->token).ok());
    EXPECT_EQ(auth.ListApiTokens(*bot)->size(), 1u);
}

TEST_F(AuthServiceTest, LogoutEverywhereEndsCachedSessionsAndOptionallyTokens) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    ASSERT_TRUE(auth.CreateUser("bob", "correct horse", Role::kLabeler).ok());
    auto first = auth.Login("ana", "correct horse", kHere);
    auto second = auth.Login("ana", "correct horse", kThere);
    auto bobs = auth.Login("bob", "correct horse", kHere);
    ASSERT_TRUE(first.ok() && second.ok() && bobs.ok());
    auto token = auth.CreateApiToken(first->user, "ci");
    ASSERT_TRUE(token.ok());
    for (const auto* login : {&*first, &*second, &*bobs}) {
        ASSERT_TRUE(auth.AuthenticateSession(login->session_token).ok());  // cached
    }
    ASSERT_TRUE(auth.AuthenticateBearer(token->token).ok());

    auto ended = auth.LogoutEverywhere(first->user, /*revoke_tokens=*/false);
    ASSERT_TRUE(ended.ok());
    EXPECT_EQ(ended->sessions_ended, 2);
    EXPECT_EQ(ended->tokens_revoked, 0);
    EXPECT_EQ(auth.AuthenticateSession(first->session_token).error().code,
              ErrorCode::kUnauthenticated);
    EXPECT_EQ(auth.AuthenticateSession(second->session_token).error().code,
              ErrorCode::kUnauthenticated);
    EXPECT_TRUE(auth.AuthenticateSession(bobs->session_token).ok());
    EXPECT_TRUE(auth.AuthenticateBearer(token->token).ok());

    auto revoked = auth.LogoutEverywhere(first->user, /*revoke_tokens=*/true);
    ASSERT_TRUE(revoked.ok());
    EXPECT_EQ(revoked->tokens_revoked, 1);
    EXPECT_EQ(auth.AuthenticateBearer(token->token).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, PasswordChangeNeedsTheCurrentPasswordAndEndsOtherSessions) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto here = auth.Login("ana", "correct horse", kHere);
    auto there = auth.Login("ana", "correct horse", kThere);
    ASSERT_TRUE(here.ok() && there.ok());
    auto token = auth.CreateApiToken(here->user, "ci");
    ASSERT_TRUE(token.ok());
    ASSERT_TRUE(auth.AuthenticateSession(there->session_token).ok());  // cached

    const User& ana = here->user;
    auto wrong = auth.ChangePassword(ana, here->session_token, "not it", "new password", kHere);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(wrong.error().field, "current_password");
    EXPECT_EQ(auth.ChangePassword(ana, here->session_token, "correct horse", "short", kHere)
                  .error()
                  .field,
              "new_password");
    EXPECT_TRUE(auth.AuthenticateSession(there->session_token).ok());  // nothing changed yet

    ASSERT_TRUE(
        auth.ChangePassword(ana, here->session_token, "correct horse", "new password", kHere).ok());
    EXPECT_TRUE(auth.AuthenticateSession(here->session_token).ok());
    EXPECT_EQ(auth.AuthenticateSession(there->session_token).error().code,
              ErrorCode::kUnauthenticated);
    EXPECT_TRUE(auth.AuthenticateBearer(token->token).ok());  // tokens are not sessions
    EXPECT_EQ(auth.Login("ana", "correct horse", kThere).error().code, ErrorCode::kUnauthenticated);
    EXPECT_TRUE(auth.Login("ana", "new password", kThere).ok());
}

// The current password of a password change is a guess like any login's.
TEST_F(AuthServiceTest, WrongCurrentPasswordsAreThrottledLikeLogins) {
    ASSERT_TRUE(auth.CreateUser("ana", "correct horse", Role::kLabeler).ok());
    auto login = auth.Login("ana", "correct horse", kHere);
    ASSERT_TRUE(login.ok());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(
            auth.ChangePassword(login->user, login->session_token, "guess", "new password", kThere)
                .error()
                .code,
            ErrorCode::kPermissionDenied);
    }
    EXPECT_EQ(auth.ChangePassword(login->user, login->session_token, "correct horse",
                                  "new password", kThere)
                  .error()
                  .code,
              ErrorCode::kTooManyRequests);
}

}  // namespace
}  // namespace tessera
