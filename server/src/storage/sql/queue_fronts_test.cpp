#include "storage/sql/queue_fronts.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

constexpr Id kProject = 7;
constexpr TimeMs kT0 = 1'000'000;
constexpr TimeMs kDue = kT0 + QueueFronts::kCheckEveryMs;

TEST(QueueFronts, StartsFromTheStartUntilALeaseRemembersAFront) {
    QueueFronts fronts;
    EXPECT_EQ(fronts.Get(kProject, kT0), std::nullopt);
    fronts.Advance(kProject, 40, kT0, true);
    EXPECT_EQ(fronts.Get(kProject, kT0 + 1), 40);
    EXPECT_EQ(fronts.Get(kProject + 1, kT0 + 1), std::nullopt);  // per project
}

TEST(QueueFronts, LeasesFromTheFrontOnlyRaiseIt) {
    QueueFronts fronts;
    fronts.Advance(kProject, 40, kT0, true);
    fronts.Advance(kProject, 90, kT0 + 1, false);
    fronts.Advance(kProject, 60, kT0 + 2, false);  // finished after a lease that went further
    EXPECT_EQ(fronts.Get(kProject, kT0 + 3), 90);
}

TEST(QueueFronts, OneCallerChecksADueFrontFromTheStartAndTheOthersKeepIt) {
    QueueFronts fronts;
    fronts.Advance(kProject, 40, kT0, true);
    EXPECT_EQ(fronts.Get(kProject, kDue - 1), 40);
    EXPECT_EQ(fronts.Get(kProject, kDue), std::nullopt);  // this one walks from the start
    EXPECT_EQ(fronts.Get(kProject, kDue), 40);            // the ones beside it do not
    EXPECT_EQ(fronts.Get(kProject, kDue + 1), 40);
    // The check found items back behind the front: it is lowered to what it found.
    fronts.Advance(kProject, 12, kDue + 2, true);
    EXPECT_EQ(fronts.Get(kProject, kDue + 3), 12);
    // Due again a full period after the check, not after the front was first remembered.
    EXPECT_EQ(fronts.Get(kProject, kDue + QueueFronts::kCheckEveryMs - 1), 12);
    EXPECT_EQ(fronts.Get(kProject, kDue + QueueFronts::kCheckEveryMs), std::nullopt);
}

TEST(QueueFronts, AClockSetBackChecksTheFront) {
    QueueFronts fronts;
    fronts.Advance(kProject, 40, kT0, true);
    EXPECT_EQ(fronts.Get(kProject, kT0 - 1), std::nullopt);
    EXPECT_EQ(fronts.Get(kProject, kT0 - 1), 40);
}

TEST(QueueFronts, ForgetDropsTheFront) {
    QueueFronts fronts;
    fronts.Advance(kProject, 40, kT0, true);
    fronts.Forget(kProject);
    EXPECT_EQ(fronts.Get(kProject, kT0 + 1), std::nullopt);
    EXPECT_EQ(fronts.Get(kProject, kT0 + 1), std::nullopt);  // nothing to keep until a lease
    fronts.Advance(kProject, 25, kT0 + 2, false);
    EXPECT_EQ(fronts.Get(kProject, kT0 + 3), 25);
}

}  // namespace
}  // namespace tessera
