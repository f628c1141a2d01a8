#include "blobs/cache_keys.hpp"

#include <gtest/gtest.h>

namespace tessera::blobs_internal {
namespace {

TEST(CacheKeysTest, OtherVersionsAreTheSameNameAndSpecWithAnotherMtimeOrSize) {
    const std::string current = "i4_18a_2f_t512q85";
    EXPECT_TRUE(IsOtherVersion("i4_17f_2f_t512q85", current, "i4"));
    EXPECT_TRUE(IsOtherVersion("i4_18a_30_t512q85", current, "i4"));
    EXPECT_FALSE(IsOtherVersion(current, current, "i4"));
    // Another key, another spec, a build in progress or its marker: never touched.
    EXPECT_FALSE(IsOtherVersion("i40_17f_2f_t512q85", current, "i4"));
    EXPECT_FALSE(IsOtherVersion("i4_17f_2f_t256q85", current, "i4"));
    EXPECT_FALSE(IsOtherVersion("i4_17f_2f_t512q85.tmp-12-3", current, "i4"));
    EXPECT_FALSE(IsOtherVersion("i4_17f_2f_t512q85.building", current, "i4"));
    EXPECT_FALSE(IsOtherVersion("i4_zz_2f_t512q85", current, "i4"));
    EXPECT_FALSE(IsOtherVersion("junk", current, "i4"));
}

TEST(CacheKeysTest, NamesWithUnderscoresSplitFromTheRight) {
    const std::string current = "a_b_1_2_t512q85";
    EXPECT_TRUE(IsOtherVersion("a_b_3_2_t512q85", current, "a_b"));
    EXPECT_FALSE(IsOtherVersion("a_b_3_2_t512q85", current, "a"));
    EXPECT_FALSE(IsOtherVersion("a_1_2_t512q85", current, "a_b"));
}

TEST(CacheKeysTest, KeysNeedASafeGroupAndName) {
    EXPECT_TRUE(CheckKey({"p1", "i2-thumb"}).ok());
    for (const CacheKey& bad : {CacheKey{"", "x"}, CacheKey{"p1", ""}, CacheKey{"..", "x"},
                                CacheKey{"p1", "a/b"}, CacheKey{".p", "x"}}) {
        EXPECT_EQ(CheckKey(bad).error().code, ErrorCode::kInvalidArgument)
            << bad.group << " " << bad.name;
    }
}

}  // namespace
}  // namespace tessera::blobs_internal
