#include "base/text.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(TrimTest, StripsWhitespaceAtBothEndsOnly) {
    EXPECT_EQ(Trim("  a b\t\r\n"), "a b");
    EXPECT_EQ(Trim("\r\n x \n"), "x");
    EXPECT_EQ(Trim("none"), "none");
    EXPECT_EQ(Trim(""), "");
    EXPECT_EQ(Trim(" \t\r\n"), "");
}

TEST(TrimTest, BlanksKeepLineEnds) {
    EXPECT_EQ(Trim(" \tCat\n ", kBlanks), "Cat\n");
    EXPECT_EQ(Trim("\r\nCat", kBlanks), "\r\nCat");
    EXPECT_EQ(Trim(" \t ", kBlanks), "");
}

TEST(LowerTest, LowersAsciiAndKeepsOtherBytes) {
    EXPECT_EQ(Lower("Hello, WORLD 42"), "hello, world 42");
    EXPECT_EQ(Lower("\xC3\x84pfel"), "\xC3\x84pfel");  // UTF-8 "Äpfel": only ASCII changes
    EXPECT_EQ(Lower(""), "");
}

}  // namespace
}  // namespace tessera
