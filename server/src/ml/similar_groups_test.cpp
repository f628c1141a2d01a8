#include "ml/similar_groups.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace tessera::ml {
namespace {

TEST(SimilarGroupsTest, PointsAroundFourCentresFallIntoGroupsOfTheirOwnCentre) {
    // 4 centres in 16 dimensions, 18 points around each, shuffled: groups of 9 should each hold
    // points of one centre only.
    std::mt19937_64 random(11);
    std::normal_distribution<float> jitter(0.0F, 0.05F);
    std::vector<std::vector<float>> rows;
    std::vector<int> centre_of;
    for (int c = 0; c < 4; ++c) {
        for (int i = 0; i < 18; ++i) {
            std::vector<float> row(16);
            for (float& v : row) {
                v = jitter(random);
            }
            row[static_cast<std::size_t>(c)] += 1.0F;
            rows.push_back(row);
            centre_of.push_back(c);
        }
    }
    std::vector<std::size_t> order(rows.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::shuffle(order.begin(), order.end(), random);
    std::vector<std::vector<float>> shuffled;
    std::vector<int> shuffled_centre;
    for (const std::size_t i : order) {
        shuffled.push_back(rows[i]);
        shuffled_centre.push_back(centre_of[i]);
    }
    const auto groups = GroupSimilar(shuffled);
    ASSERT_EQ(groups.size(), 8U);
    std::set<std::size_t> seen;
    for (const auto& group : groups) {
        EXPECT_EQ(group.size(), 9U);
        for (const std::size_t i : group) {
            EXPECT_TRUE(seen.insert(i).second) << "row " << i << " is in two groups";
            EXPECT_EQ(shuffled_centre[i], shuffled_centre[group.front()]);
        }
    }
    EXPECT_EQ(seen.size(), rows.size());
    // In the order of their first row: the first group starts with row 0.
    EXPECT_EQ(groups.front().front(), 0U);
    EXPECT_EQ(GroupSimilar(shuffled), groups) << "not deterministic";
}

TEST(SimilarGroupsTest, RowsLikeNoOtherAreNotGroupedWithWhateverIsLeft) {
    // Five rows each on an axis of its own come first, then three centres of 9 close rows: each
    // of the five has nothing alike, so it stays alone instead of taking 8 unlike rows.
    std::mt19937_64 random(5);
    std::normal_distribution<float> jitter(0.0F, 0.02F);
    const auto row_near = [&](std::size_t axis) {
        std::vector<float> row(16);
        for (float& v : row) {
            v = jitter(random);
        }
        row[axis] += 1.0F;
        return row;
    };
    std::vector<std::vector<float>> rows;
    for (std::size_t axis = 3; axis < 8; ++axis) {
        rows.push_back(row_near(axis));
    }
    for (std::size_t centre = 0; centre < 3; ++centre) {
        for (int i = 0; i < 9; ++i) {
            rows.push_back(row_near(centre));
        }
    }
    const auto groups = GroupSimilar(rows);
    ASSERT_EQ(groups.size(), 8U);
    for (std::size_t g = 0; g < 5; ++g) {
        EXPECT_EQ(groups[g], std::vector<std::size_t>{g});
    }
    for (std::size_t g = 5; g < 8; ++g) {
        ASSERT_EQ(groups[g].size(), 9U);
        for (const std::size_t i : groups[g]) {
            EXPECT_EQ((i - 5) / 9, g - 5) << "row " << i << " in group " << g;
        }
    }
    GroupingOptions without;
    without.similarity_floor = false;
    EXPECT_EQ(GroupSimilar(rows, without).front().size(), 9U) << "the first row takes any 8";
}

TEST(SimilarGroupsTest, SmallAndOddInputs) {
    EXPECT_TRUE(GroupSimilar({}).empty());
    const auto one = GroupSimilar({{1.0F, 0.0F}});
    ASSERT_EQ(one.size(), 1U);
    EXPECT_EQ(one.front(), std::vector<std::size_t>{0});
    // A row of another width is a group of its own; the rest still group.
    const auto odd = GroupSimilar({{1.0F, 0.0F}, {1.0F}, {0.9F, 0.1F}}, {2, 10, 1});
    ASSERT_EQ(odd.size(), 2U);
    EXPECT_EQ(odd[0], (std::vector<std::size_t>{0, 2}));
    EXPECT_EQ(odd[1], std::vector<std::size_t>{1});
}

}  // namespace
}  // namespace tessera::ml
