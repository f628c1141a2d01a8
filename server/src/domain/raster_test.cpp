#include "domain/raster.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace tessera {
namespace {

// Pixel indices of runs, for comparing against a brute-force model.
std::set<std::int64_t> Pixels(const Runs& runs) {
    std::set<std::int64_t> out;
    for (std::size_t i = 0; i + 1 < runs.size(); i += 2) {
        for (std::int64_t p = runs[i]; p < runs[i] + runs[i + 1]; ++p) {
            out.insert(p);
        }
    }
    return out;
}

bool IsNormal(const Runs& runs) {
    for (std::size_t i = 0; i + 1 < runs.size(); i += 2) {
        if (runs[i + 1] <= 0) {
            return false;
        }
        if (i >= 2 && runs[i] <= runs[i - 2] + runs[i - 1]) {
            return false;  // overlapping or touching the previous run
        }
    }
    return runs.size() % 2 == 0;
}

Runs RandomRuns(std::mt19937& rng, std::int64_t pixels) {
    std::vector<std::int64_t> raw;
    std::uniform_int_distribution<std::int64_t> start(0, pixels - 1);
    for (int k = 0; k < 6; ++k) {
        std::int64_t s = start(rng);
        std::uniform_int_distribution<std::int64_t> len(1, std::min<std::int64_t>(9, pixels - s));
        raw.push_back(s);
        raw.push_back(len(rng));
    }
    return *NormalizeRuns(raw, pixels);
}

TEST(RasterTest, NormalizeSortsAndMergesAndRejectsBadRuns) {
    auto runs = NormalizeRuns({10, 5, 0, 2, 12, 5, 17, 1}, 100);
    ASSERT_TRUE(runs.ok());
    EXPECT_EQ(*runs, (Runs{0, 2, 10, 8}));
    EXPECT_FALSE(NormalizeRuns({1}, 100).ok());
    EXPECT_FALSE(NormalizeRuns({-1, 2}, 100).ok());
    EXPECT_FALSE(NormalizeRuns({3, 0}, 100).ok());
    EXPECT_FALSE(NormalizeRuns({99, 2}, 100).ok());
    EXPECT_TRUE(NormalizeRuns({99, 1}, 100).ok());
    EXPECT_FALSE(NormalizeRuns({100, 1}, 100).ok());
    // A length that would overflow start + length is still caught.
    EXPECT_FALSE(NormalizeRuns({5, INT64_MAX}, 100).ok());
}

TEST(RasterTest, SetOperationsMatchBruteForce) {
    std::mt19937 rng(1234);
    for (int trial = 0; trial < 500; ++trial) {
        Runs a = RandomRuns(rng, 60);
        Runs b = RandomRuns(rng, 60);
        std::set<std::int64_t> pa = Pixels(a);
        std::set<std::int64_t> pb = Pixels(b);
        std::set<std::int64_t> want_union = pa;
        want_union.insert(pb.begin(), pb.end());
        std::set<std::int64_t> want_diff;
        bool want_meet = false;
        for (std::int64_t p : pa) {
            if (pb.count(p) == 0) {
                want_diff.insert(p);
            } else {
                want_meet = true;
            }
        }
        Runs u = UnionRuns(a, b);
        Runs d = SubtractRuns(a, b);
        ASSERT_TRUE(IsNormal(u)) << trial;
        ASSERT_TRUE(IsNormal(d)) << trial;
        EXPECT_EQ(Pixels(u), want_union) << trial;
        EXPECT_EQ(Pixels(d), want_diff) << trial;
        EXPECT_EQ(RunsIntersect(a, b), want_meet) << trial;
        EXPECT_EQ(RunsArea(u), static_cast<std::int64_t>(want_union.size()));
    }
}

TEST(RasterTest, BoxPolygonCoversPixelCentresInside) {
    // [1, 4) x [2, 4): centres 1.5..3.5 in x, 2.5..3.5 in y.
    Polygon square{{{{1, 2}, {4, 2}, {4, 4}, {1, 4}}}};
    EXPECT_EQ(RasterizePolygon(square, {10, 10}), (Runs{21, 3, 31, 3}));
    // Edges through pixel centres: half-open, so a shared edge goes to one polygon only.
    Polygon left{{{{0, 0}, {2.5, 0}, {2.5, 1}, {0, 1}}}};
    Polygon right{{{{2.5, 0}, {5, 0}, {5, 1}, {2.5, 1}}}};
    Runs l = RasterizePolygon(left, {5, 1});
    Runs r = RasterizePolygon(right, {5, 1});
    EXPECT_FALSE(RunsIntersect(l, r));
    EXPECT_EQ(RunsArea(l) + RunsArea(r), 5);
}

TEST(RasterTest, EvenOddMakesInnerRingsHolesAndClipsToImage) {
    Polygon donut{{{{0, 0}, {5, 0}, {5, 5}, {0, 5}}, {{1, 1}, {4, 1}, {4, 4}, {1, 4}}}};
    Runs runs = RasterizePolygon(donut, {5, 5});
    EXPECT_EQ(RunsArea(runs), 25 - 9);
    EXPECT_FALSE(Pixels(runs).count(2 * 5 + 2));
    // Points far outside the image are clipped, not a crash or a huge loop.
    Polygon huge{{{{-1e9, -1e9}, {1e9, -1e9}, {1e9, 1e9}, {-1e9, 1e9}}}};
    EXPECT_EQ(RasterizePolygon(huge, {7, 3}), (Runs{0, 21}));
    // Wholly above or left of the image, however far: nothing (and no out-of-range cast).
    Polygon above{{{{0, -1e300}, {5, -1e300}, {5, -1e299}}}};
    EXPECT_TRUE(RasterizePolygon(above, {7, 3}).empty());
    Polygon left{{{{-1e300, 0}, {-1e299, 0}, {-1e299, 3}}}};
    EXPECT_TRUE(RasterizePolygon(left, {7, 3}).empty());
}

TEST(RasterTest, TriangleMatchesPointInPolygonAtCentres) {
    Polygon tri{{{{0.3, 0.2}, {17.7, 3.1}, {6.2, 12.9}}}};
    const ImageSize size{20, 15};
    std::set<std::int64_t> want;
    const Ring& r = tri.rings[0];
    for (int y = 0; y < size.height; ++y) {
        for (int x = 0; x < size.width; ++x) {
            const double px = x + 0.5;
            const double py = y + 0.5;
            bool inside = false;
            for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
                if ((r[i].y <= py) != (r[j].y <= py) &&
                    px < r[i].x + (py - r[i].y) * (r[j].x - r[i].x) / (r[j].y - r[i].y)) {
                    inside = !inside;
                }
            }
            if (inside) {
                want.insert(std::int64_t{y} * size.width + x);
            }
        }
    }
    EXPECT_EQ(Pixels(RasterizePolygon(tri, size)), want);
    EXPECT_GT(want.size(), 50U);
}

}  // namespace
}  // namespace tessera
