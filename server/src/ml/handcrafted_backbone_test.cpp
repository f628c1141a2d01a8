#include "ml/handcrafted_backbone.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tessera::ml {
namespace {

// A `side` × `side` RGB image from a function of the pixel position.
template <typename F>
std::vector<std::uint8_t> Draw(int side, F colour) {
    std::vector<std::uint8_t> pixels;
    for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x) {
            const std::array<std::uint8_t, 3> rgb = colour(x, y);
            pixels.insert(pixels.end(), rgb.begin(), rgb.end());
        }
    }
    return pixels;
}

double Norm(std::span<const float> v) {
    double sum = 0;
    for (const float x : v) {
        sum += static_cast<double>(x) * x;
    }
    return std::sqrt(sum);
}

double Distance(std::span<const float> a, std::span<const float> b) {
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sum += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    }
    return std::sqrt(sum);
}

TEST(HandcraftedBackboneTest, ThreeUnitBlocksThatTellShapesAndColoursApart) {
    HandcraftedBackbone backbone;
    EXPECT_EQ(backbone.Spec().dimensions, 644);
    const auto stripes = [](std::uint8_t r, std::uint8_t g, std::uint8_t b, bool vertical) {
        return [=](int x, int y) -> std::array<std::uint8_t, 3> {
            const bool on = ((vertical ? x : y) / 6) % 2 == 0;
            return on ? std::array<std::uint8_t, 3>{r, g, b}
                      : std::array<std::uint8_t, 3>{20, 20, 20};
        };
    };
    // Red vertical stripes at two sizes, red horizontal ones, blue vertical ones.
    const auto red_v = Draw(96, stripes(220, 30, 30, true));
    const auto red_v_small =
        Draw(48, [&](int x, int y) { return stripes(220, 30, 30, true)(2 * x, 2 * y); });
    const auto red_h = Draw(96, stripes(220, 30, 30, false));
    const auto blue_v = Draw(96, stripes(30, 30, 220, true));
    const std::vector<RgbImage> batch{
        {96, 96, red_v}, {48, 48, red_v_small}, {96, 96, red_h}, {96, 96, blue_v}};
    auto out = backbone.Embed(batch);
    ASSERT_TRUE(out.ok()) << out.error().message;
    ASSERT_EQ(out->size(), 4U * 644);
    const auto row = [&](std::size_t i) {
        return std::span<const float>(out->data() + i * 644, 644);
    };
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_NEAR(Norm(row(i).subspan(0, 324)), 1.0, 1e-4);    // shape
        EXPECT_NEAR(Norm(row(i).subspan(324, 256)), 1.0, 1e-4);  // layout
        EXPECT_NEAR(Norm(row(i).subspan(580, 64)), 1.0, 1e-4);   // colour
    }
    // The same picture at another size is close; turned or recoloured, it is farther.
    const double same = Distance(row(0), row(1));
    EXPECT_LT(same, Distance(row(0), row(2)));
    EXPECT_LT(same, Distance(row(0), row(3)));
    // Colour alone: the red and blue stripes share shape and layout, not colour.
    EXPECT_LT(Distance(row(0).subspan(0, 324), row(3).subspan(0, 324)), 1e-3);
    EXPECT_GT(Distance(row(0).subspan(580, 64), row(3).subspan(580, 64)), 0.5);
}

TEST(HandcraftedBackboneTest, AnImageWhosePixelsDoNotMatchItsSizeIsRefused) {
    HandcraftedBackbone backbone;
    const std::vector<std::uint8_t> pixels(10 * 10 * 3 - 1);
    const RgbImage image{10, 10, pixels};
    auto out = backbone.Embed(std::span(&image, 1));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().message, "image 0 is empty or its pixels do not match its size");
}

}  // namespace
}  // namespace tessera::ml
