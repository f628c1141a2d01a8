#include "ml/embedding_codec.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace tessera::ml {
namespace {

TEST(EmbeddingCodecTest, KnownValuesHaveTheirFloat16Bits) {
    // 1.0 = 0x3c00, -2.0 = 0xc000, 65504 (the largest) = 0x7bff, 2^-24 (the smallest) = 0x0001.
    const std::vector<float> values{1.0F, -2.0F, 65504.0F, std::ldexp(1.0F, -24), 0.0F};
    EXPECT_EQ(EncodeFloat16(values), std::string("\x00\x3c\x00\xc0\xff\x7b\x01\x00\x00\x00", 10));
}

TEST(EmbeddingCodecTest, RoundTripsWithinHalfPrecisionAndRoundsToNearestEven) {
    std::vector<float> values;
    for (int i = -3000; i <= 3000; ++i) {
        values.push_back(static_cast<float>(i) * 0.00731F);
    }
    const std::vector<float> back = DecodeFloat16(EncodeFloat16(values));
    ASSERT_EQ(back.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        EXPECT_LE(std::abs(back[i] - values[i]), std::abs(values[i]) * (1.0F / 2048.0F) + 1e-7F)
            << values[i];
    }
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even one, 1.
    EXPECT_EQ(DecodeFloat16(EncodeFloat16(std::vector{1.0F + std::ldexp(1.0F, -11)}))[0], 1.0F);
    // Subnormals survive.
    const float tiny = std::ldexp(3.0F, -24);
    EXPECT_EQ(DecodeFloat16(EncodeFloat16(std::vector{tiny}))[0], tiny);
}

TEST(EmbeddingCodecTest, OutOfRangeBecomesInfinityAndOddBytesDecodeToNothing) {
    const auto back = DecodeFloat16(EncodeFloat16(std::vector{1e6F, -1e6F}));
    EXPECT_TRUE(std::isinf(back[0]) && back[0] > 0);
    EXPECT_TRUE(std::isinf(back[1]) && back[1] < 0);
    EXPECT_TRUE(std::isnan(
        DecodeFloat16(EncodeFloat16(std::vector{std::numeric_limits<float>::quiet_NaN()}))[0]));
    EXPECT_TRUE(DecodeFloat16("abc").empty());
}

}  // namespace
}  // namespace tessera::ml
