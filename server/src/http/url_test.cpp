#include "http/url.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

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
