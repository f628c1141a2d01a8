#include "base/percent_decode.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndOptionallyPlus) {
    EXPECT_EQ(PercentDecode("a%20b+c"), "a b+c");
    EXPECT_EQ(PercentDecode("a%20b+c", /*plus_is_space=*/true), "a b c");
    EXPECT_EQ(PercentDecode("%C3%A9/%c3%bc.jpg"), "\xC3\xA9/\xC3\xBC.jpg");
    EXPECT_EQ(PercentDecode(""), "");
}

TEST(PercentDecodeTest, RejectsBrokenEscapesAndNul) {
    EXPECT_FALSE(PercentDecode("%"));
    EXPECT_FALSE(PercentDecode("%4"));
    EXPECT_FALSE(PercentDecode("bad%2"));
    EXPECT_FALSE(PercentDecode("%zz"));
    EXPECT_FALSE(PercentDecode("%g0"));
    EXPECT_FALSE(PercentDecode("a%00b"));
}

}  // namespace
}  // namespace tessera
