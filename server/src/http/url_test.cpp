#include "http/url.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndOptionallyPlus) {
    EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
    EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
    EXPECT_EQ(PercentDecode("%C3%A9", false), "\xC3\xA9");
}

TEST(PercentDecodeTest, RejectsBrokenEscapesAndNul) {
    EXPECT_FALSE(PercentDecode("%", false));
    EXPECT_FALSE(PercentDecode("%4", false));
    EXPECT_FALSE(PercentDecode("%zz", false));
    EXPECT_FALSE(PercentDecode("%00", false));
}

TEST(ParseTargetTest, SplitsPathAndQuery) {
    auto target = ParseTarget("/api/v1/projects/3/items?state=labeled&after=10&limit=&x");
    ASSERT_TRUE(target);
    EXPECT_EQ(target->path, "/api/v1/projects/3/items");
    EXPECT_EQ(target->query.find("state")->second, "labeled");
    EXPECT_EQ(target->query.find("after")->second, "10");
    EXPECT_EQ(target->query.find("limit")->second, "");
    EXPECT_EQ(target->query.count("x"), 1u);
}

TEST(ParseTargetTest, RejectsNonOriginForm) {
    EXPECT_FALSE(ParseTarget("http://example.com/"));
    EXPECT_FALSE(ParseTarget(""));
    EXPECT_FALSE(ParseTarget("/a?b=%"));
}

}  // namespace
}  // namespace tessera::http
