#include "services/credential_cache.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"

namespace tessera {
namespace {

CachedCredential Of(Id user_id, TimeMs expires_at = 0) {
    CachedCredential credential;
    credential.user.id = user_id;
    credential.user.username = "user" + std::to_string(user_id);
    credential.csrf_token = "csrf" + std::to_string(user_id);
    credential.expires_at = expires_at;
    return credential;
}

class CredentialCacheTest : public ::testing::Test {
protected:
    void Put(CredentialCache& cache, const std::string& key, CachedCredential credential) {
        cache.Put(key, std::move(credential), clock.NowMs(), cache.Generation());
    }

    FakeClock clock;
    CredentialCache cache{3000, 4};
};

TEST_F(CredentialCacheTest, HitUntilTheTtlRunsOut) {
    Put(cache, "a", Of(1));
    clock.Advance(2999);
    auto hit = cache.Get("a", clock.NowMs());
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->user.id, 1);
    EXPECT_EQ(hit->user.username, "user1");
    EXPECT_EQ(hit->csrf_token, "csrf1");
    clock.Advance(1);
    EXPECT_FALSE(cache.Get("a", clock.NowMs()).has_value());
    EXPECT_EQ(cache.Size(), 0U);
}

TEST_F(CredentialCacheTest, ClockSetBackMisses) {
    Put(cache, "a", Of(1));
    EXPECT_FALSE(cache.Get("a", clock.NowMs() - 1).has_value());
}

TEST_F(CredentialCacheTest, PutAgainStartsANewTtl) {
    Put(cache, "a", Of(1));
    clock.Advance(2000);
    Put(cache, "a", Of(1));
    clock.Advance(2000);
    EXPECT_TRUE(cache.Get("a", clock.NowMs()).has_value());
    EXPECT_EQ(cache.Size(), 1U);
}

TEST_F(CredentialCacheTest, SessionThatExpiresBeforeTheTtlMisses) {
    Put(cache, "s", Of(1, clock.NowMs() + 1000));
    EXPECT_TRUE(cache.Get("s", clock.NowMs() + 999).has_value());
    EXPECT_FALSE(cache.Get("s", clock.NowMs() + 1000).has_value());
}

TEST_F(CredentialCacheTest, EraseAndEraseUser) {
    Put(cache, "session:1", Of(1));
    Put(cache, "token:1", Of(1));
    Put(cache, "token:2", Of(2));
    cache.Erase("session:1");
    EXPECT_FALSE(cache.Get("session:1", clock.NowMs()).has_value());
    EXPECT_TRUE(cache.Get("token:1", clock.NowMs()).has_value());
    cache.EraseUser(1);
    EXPECT_FALSE(cache.Get("token:1", clock.NowMs()).has_value());
    EXPECT_TRUE(cache.Get("token:2", clock.NowMs()).has_value());
    EXPECT_EQ(cache.Size(), 1U);
}

// A request that read the database before a logout must not put the session back afterwards.
TEST_F(CredentialCacheTest, PutFromBeforeAnEraseIsDropped) {
    const std::uint64_t before = cache.Generation();
    cache.Erase("session:1");
    cache.Put("session:1", Of(1), clock.NowMs(), before);
    EXPECT_FALSE(cache.Get("session:1", clock.NowMs()).has_value());
    cache.Put("session:1", Of(1), clock.NowMs(), cache.Generation());
    EXPECT_TRUE(cache.Get("session:1", clock.NowMs()).has_value());
}

TEST_F(CredentialCacheTest, FullCacheDropsExpiredThenOldest) {
    for (Id id = 1; id <= 4; ++id) {
        Put(cache, "k" + std::to_string(id), Of(id));
        clock.Advance(900);
    }
    // k1 was put 3600 ms ago: expired, so it makes room without evicting anyone live.
    Put(cache, "k5", Of(5));
    EXPECT_EQ(cache.Size(), 4U);
    EXPECT_TRUE(cache.Get("k2", clock.NowMs()).has_value());
    // Nothing has expired now: the oldest live entry (k2) goes.
    Put(cache, "k6", Of(6));
    EXPECT_EQ(cache.Size(), 4U);
    EXPECT_FALSE(cache.Get("k2", clock.NowMs()).has_value());
    for (const char* key : {"k3", "k4", "k5", "k6"}) {
        EXPECT_TRUE(cache.Get(key, clock.NowMs()).has_value()) << key;
    }
}

TEST_F(CredentialCacheTest, ZeroTtlTurnsItOff) {
    CredentialCache off(0, 100);
    Put(off, "a", Of(1));
    EXPECT_FALSE(off.Get("a", clock.NowMs()).has_value());
    EXPECT_EQ(off.Size(), 0U);
}

}  // namespace
}  // namespace tessera
