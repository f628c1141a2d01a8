#include "services/login_throttle.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "fakes/fake_clock.hpp"

namespace tessera {
namespace {

LoginThrottleSettings SmallLimits() {
    LoginThrottleSettings s;
    s.failures_per_user = 3;
    s.failures_per_address = 5;
    s.delay_ms = 1000;
    s.window_ms = 60'000;
    s.max_concurrent_checks = 2;
    s.prune_above = 8;
    return s;
}

class LoginThrottleTest : public ::testing::Test {
protected:
    // Begins and ends one check with the given outcome; the error when refused.
    std::optional<ErrorCode> Check(const std::string& user, const std::string& address,
                                   bool right) {
        auto attempt = throttle.Begin(user, address);
        if (!attempt.ok()) {
            return attempt.error().code;
        }
        right ? attempt->Succeeded() : attempt->Failed();
        return std::nullopt;
    }

    FakeClock clock;
    LoginThrottle throttle{clock, SmallLimits()};
};

TEST_F(LoginThrottleTest, UserLockLastsTheDelayAndNamesAreCaseInsensitive) {
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Check(i % 2 == 0 ? "ana" : "ANA", "a1", false), std::nullopt);
    }
    EXPECT_EQ(Check("Ana", "a1", true), ErrorCode::kTooManyRequests);
    clock.Advance(999);
    EXPECT_EQ(Check("ana", "a1", true), ErrorCode::kTooManyRequests);
    clock.Advance(1);
    EXPECT_EQ(Check("ana", "a1", true), std::nullopt);
}

TEST_F(LoginThrottleTest, FailuresOlderThanTheWindowAreForgotten) {
    EXPECT_EQ(Check("ana", "a1", false), std::nullopt);
    EXPECT_EQ(Check("ana", "a1", false), std::nullopt);
    clock.Advance(60'000);
    EXPECT_EQ(Check("ana", "a1", false), std::nullopt);
    EXPECT_EQ(Check("ana", "a1", false), std::nullopt);
    EXPECT_EQ(Check("ana", "a1", true), std::nullopt);  // 2 in the window, not 3
}

TEST_F(LoginThrottleTest, AnAddressThatIsNotFailingStillGetsItsCheck) {
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Check("ana", "attacker", false), std::nullopt);
    }
    EXPECT_EQ(Check("ana", "attacker", true), ErrorCode::kTooManyRequests);
    EXPECT_EQ(Check("ana", "owner", true), std::nullopt);
    // An address turns failing with its own failure; then the name's lock applies to it too.
    EXPECT_EQ(Check("ana", "third", false), std::nullopt);
    EXPECT_EQ(Check("ana", "third", true), ErrorCode::kTooManyRequests);
}

TEST_F(LoginThrottleTest, AddressLimitCountsEveryName) {
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(Check("user" + std::to_string(i), "sprayer", false), std::nullopt);
    }
    EXPECT_EQ(Check("fresh", "sprayer", true), ErrorCode::kTooManyRequests);
    EXPECT_EQ(Check("fresh", "elsewhere", true), std::nullopt);
    clock.Advance(1000);
    EXPECT_EQ(Check("fresh", "sprayer", true), std::nullopt);
}

TEST_F(LoginThrottleTest, ChecksUnderWayCountAndTheCapRefusesAtOnce) {
    auto first = throttle.Begin("ana", "a1");
    auto second = throttle.Begin("bob", "a2");
    ASSERT_TRUE(first.ok() && second.ok());
    auto third = throttle.Begin("cy", "a3");
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.error().code, ErrorCode::kUnavailable);
    first->Failed();
    EXPECT_TRUE(throttle.Begin("cy", "a3").ok());  // a slot is free again (and given back)
    second->Succeeded();
}

TEST_F(LoginThrottleTest, DroppedAttemptsCountNeitherWay) {
    for (int i = 0; i < 10; ++i) {
        auto attempt = throttle.Begin("ana", "a1");
        ASSERT_TRUE(attempt.ok()) << i;
    }
    EXPECT_EQ(Check("ana", "a1", false), std::nullopt);
    EXPECT_EQ(Check("ana", "a1", false), std::nullopt);
    EXPECT_EQ(Check("ana", "a1", true), std::nullopt);
}

TEST_F(LoginThrottleTest, IdleCountersPastTheirWindowAreDropped) {
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(Check("user" + std::to_string(i), "a" + std::to_string(i), false), std::nullopt);
    }
    EXPECT_EQ(throttle.Tracked(), 40u);
    clock.Advance(60'000);
    EXPECT_EQ(Check("last", "a-last", true), std::nullopt);
    EXPECT_EQ(throttle.Tracked(), 2u);
}

}  // namespace
}  // namespace tessera
