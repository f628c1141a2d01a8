#include "base/log.hpp"

#include <gtest/gtest.h>

namespace tessera::log {
namespace {

TEST(LogTest, QuotesValuesThatWouldBreakTheLine) {
    EXPECT_EQ(FormatValue("plain"), "plain");
    EXPECT_EQ(FormatValue("two words"), "\"two words\"");
    EXPECT_EQ(FormatValue("a\"b"), "\"a\\\"b\"");
    EXPECT_EQ(FormatValue("line\nbreak"), "\"line\\nbreak\"");
    EXPECT_EQ(FormatValue(""), "\"\"");
}

}  // namespace
}  // namespace tessera::log
