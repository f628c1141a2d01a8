#include "base/base64.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(Base64Test, RoundTripsAndRefusesMalformedText) {
    for (std::string text : {"", "a", "ab", "abc", "abcd", "trip/cat ünïcode.jpg"}) {
        EXPECT_EQ(DecodeBase64(EncodeBase64(text)).value_or("?"), text);
    }
    EXPECT_EQ(EncodeBase64("cat.jpg"), "Y2F0LmpwZw==");
    EXPECT_FALSE(DecodeBase64("Y2F0LmpwZw=").has_value());
    EXPECT_FALSE(DecodeBase64("Y2=0").has_value());
    EXPECT_FALSE(DecodeBase64("Y2F*").has_value());
}

}  // namespace
}  // namespace tessera
