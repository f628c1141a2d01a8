#include "ml/object_outline.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace tessera::ml {
namespace {

// A noisy grey-green field with a red disc of radius `r` centred at (cx, cy).
std::vector<std::uint8_t> DiscImage(int width, int height, int cx, int cy, int r) {
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * 3);
    std::mt19937 random(3);
    std::uniform_int_distribution<int> noise(-12, 12);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
            const int base[3] = {inside ? 200 : 90, inside ? 40 : 120, inside ? 40 : 90};
            for (int c = 0; c < 3; ++c) {
                pixels[(static_cast<std::size_t>(y) * width + x) * 3 + c] =
                    static_cast<std::uint8_t>(std::clamp(base[c] + noise(random), 0, 255));
            }
        }
    }
    return pixels;
}

double Area(const std::vector<std::array<double, 2>>& ring) {
    double twice = 0;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const auto& a = ring[i];
        const auto& b = ring[(i + 1) % ring.size()];
        twice += a[0] * b[1] - b[0] * a[1];
    }
    return std::abs(twice) / 2;
}

TEST(ObjectOutlineTest, TracesTheObjectInsideTheBoxNotTheBox) {
    const std::vector<std::uint8_t> pixels = DiscImage(200, 150, 90, 70, 30);
    const RgbImage image{200, 150, pixels};
    // A loose box: 20 pixels of field on every side of the disc.
    auto ring = OutlineObject(image, {40, 20, 100, 100});
    ASSERT_TRUE(ring.has_value());
    EXPECT_GE(ring->size(), 8u);   // a round outline, not a box's four corners
    EXPECT_LE(ring->size(), 80u);  // simplified
    const double disc = M_PI * 30 * 30;
    EXPECT_NEAR(Area(*ring), disc, 0.15 * disc);
    for (const auto& p : *ring) {
        EXPECT_NEAR(std::hypot(p[0] - 90, p[1] - 70), 30, 4) << p[0] << "," << p[1];
    }
    // The same box gives the same outline (GrabCut's random start is seeded).
    EXPECT_EQ(OutlineObject(image, {40, 20, 100, 100}), ring);
}

TEST(ObjectOutlineTest, TinyOrEmptyBoxesGiveNothing) {
    const std::vector<std::uint8_t> pixels = DiscImage(64, 48, 30, 20, 10);
    const RgbImage image{64, 48, pixels};
    EXPECT_FALSE(OutlineObject(image, {10, 10, 3, 30}).has_value());
    EXPECT_FALSE(OutlineObject(image, {70, 10, 20, 20}).has_value());  // outside the image
    const RgbImage broken{64, 48, std::span<const std::uint8_t>(pixels.data(), 10)};
    EXPECT_FALSE(OutlineObject(broken, {10, 10, 30, 30}).has_value());
}

}  // namespace
}  // namespace tessera::ml
