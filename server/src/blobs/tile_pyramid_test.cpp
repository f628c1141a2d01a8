#include "blobs/tile_pyramid.hpp"

#include <gtest/gtest.h>
#include <vips/vips8>

#include <thread>
#include <vector>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::ImageSize;
using testing::TempDir;

constexpr int kWidth = 5000;
constexpr int kHeight = 3000;

// Black, with a red square covering exactly level-0 tile (2, 1) and an 8-pixel green strip along
// the right edge (wide enough to survive JPEG chroma subsampling), saved as a tiled TIFF like a
// scanner or slide exporter would.
void WriteLargeTiff(const fs::path& path) {
    vips::VImage image =
        vips::VImage::black(kWidth, kHeight, vips::VImage::option()->set("bands", 3))
            .cast(VIPS_FORMAT_UCHAR)
            .copy_memory();
    image.draw_rect({255, 0, 0}, 1024, 512, 512, 512, vips::VImage::option()->set("fill", true));
    image.draw_rect({0, 255, 0}, kWidth - 8, 0, 8, kHeight,
                    vips::VImage::option()->set("fill", true));
    image.tiffsave(path.c_str(), vips::VImage::option()->set("tile", true));
}

std::vector<double> PixelAt(const fs::path& jpeg, int x, int y) {
    return vips::VImage::new_from_file(jpeg.c_str()).getpoint(x, y);
}

// JPEG is lossy: compare colours loosely.
bool Near(const std::vector<double>& pixel, double r, double g, double b) {
    return pixel.size() == 3 && std::abs(pixel[0] - r) < 40 && std::abs(pixel[1] - g) < 40 &&
           std::abs(pixel[2] - b) < 40;
}

class TilePyramidTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        fs::create_directories(dir_.path() / "src");
    }
    fs::path Src(const std::string& name) const { return dir_.path() / "src" / name; }
    fs::path LargeTiff() {
        fs::path path = Src("large.tif");
        if (!fs::exists(path)) {
            WriteLargeTiff(path);
        }
        return path;
    }

    TempDir dir_;
    TilePyramid pyramid_{dir_.path() / "tiles"};
};

TEST(PyramidLevelsTest, HalvesUntilOneTile) {
    EXPECT_EQ(PyramidLevels(512, 512, 512), 1);
    EXPECT_EQ(PyramidLevels(513, 10, 512), 2);
    EXPECT_EQ(PyramidLevels(1024, 1024, 512), 2);
    EXPECT_EQ(PyramidLevels(1025, 1, 512), 3);
    EXPECT_EQ(PyramidLevels(5000, 3000, 512), 5);
    EXPECT_EQ(PyramidLevels(40000, 40000, 512), 8);
    PyramidInfo info{5000, 3000, 512, 5};
    EXPECT_EQ(info.LevelWidth(4), 313);
    EXPECT_EQ(info.LevelHeight(4), 188);
    EXPECT_EQ(info.Columns(0), 10);
    EXPECT_EQ(info.Rows(0), 6);
    EXPECT_EQ(info.Columns(1), 5);
    EXPECT_EQ(info.Rows(1), 3);
}

TEST_F(TilePyramidTest, InfoDescribesTheLevels) {
    auto info = pyramid_.Info(LargeTiff(), "p1-i1");
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->width, kWidth);
    EXPECT_EQ(info->height, kHeight);
    EXPECT_EQ(info->tile_size, 512);
    EXPECT_EQ(info->levels, 5);
}

TEST_F(TilePyramidTest, TilesHaveTheRightSizesAtEveryLevel) {
    auto info = pyramid_.Info(LargeTiff(), "p1-i1");
    ASSERT_TRUE(info.ok()) << info.error().message;
    for (int level = 0; level < info->levels; ++level) {
        int cols = info->Columns(level);
        int rows = info->Rows(level);
        for (auto [col, row] : {std::pair{0, 0}, std::pair{cols - 1, rows - 1}}) {
            auto tile = pyramid_.Tile(LargeTiff(), "p1-i1", level, col, row);
            ASSERT_TRUE(tile.ok())
                << level << "/" << col << "/" << row << ": " << tile.error().message;
            int want_w = std::min(512, info->LevelWidth(level) - col * 512);
            int want_h = std::min(512, info->LevelHeight(level) - row * 512);
            EXPECT_EQ(ImageSize(tile->path), (std::pair{want_w, want_h}))
                << "level " << level << " tile " << col << "," << row;
        }
    }
    // Edge tiles of level 0 are smaller: 5000 = 9 * 512 + 392, 3000 = 5 * 512 + 440.
    auto edge = pyramid_.Tile(LargeTiff(), "p1-i1", 0, 9, 5);
    ASSERT_TRUE(edge.ok());
    EXPECT_EQ(ImageSize(edge->path), (std::pair{392, 440}));
    auto top = pyramid_.Tile(LargeTiff(), "p1-i1", 4, 0, 0);
    ASSERT_TRUE(top.ok());
    EXPECT_EQ(ImageSize(top->path), (std::pair{313, 188}));
}

TEST_F(TilePyramidTest, TilesShowTheRightPixels) {
    auto red = pyramid_.Tile(LargeTiff(), "p1-i1", 0, 2, 1);
    ASSERT_TRUE(red.ok()) << red.error().message;
    EXPECT_TRUE(Near(PixelAt(red->path, 256, 256), 255, 0, 0));
    EXPECT_TRUE(Near(PixelAt(red->path, 5, 5), 255, 0, 0));
    auto black = pyramid_.Tile(LargeTiff(), "p1-i1", 0, 1, 1);
    ASSERT_TRUE(black.ok());
    EXPECT_TRUE(Near(PixelAt(black->path, 256, 256), 0, 0, 0));
    auto edge = pyramid_.Tile(LargeTiff(), "p1-i1", 0, 9, 0);
    ASSERT_TRUE(edge.ok());
    EXPECT_TRUE(Near(PixelAt(edge->path, 388, 100), 0, 255, 0));
    EXPECT_TRUE(Near(PixelAt(edge->path, 370, 100), 0, 0, 0));
    // Level 1 halves: the square is at x 512-767, y 256-511, i.e. the lower-left quarter of
    // tile (1, 0).
    auto half = pyramid_.Tile(LargeTiff(), "p1-i1", 1, 1, 0);
    ASSERT_TRUE(half.ok());
    EXPECT_TRUE(Near(PixelAt(half->path, 100, 400), 255, 0, 0));
    EXPECT_TRUE(Near(PixelAt(half->path, 400, 100), 0, 0, 0));
    EXPECT_TRUE(Near(PixelAt(half->path, 100, 100), 0, 0, 0));
}

TEST_F(TilePyramidTest, OutOfRangeTilesAreNotFound) {
    fs::path source = LargeTiff();
    for (auto [level, col, row] :
         {std::tuple{5, 0, 0}, std::tuple{-1, 0, 0}, std::tuple{0, 10, 0}, std::tuple{0, 0, 6},
          std::tuple{0, -1, 0}, std::tuple{4, 1, 0}}) {
        auto tile = pyramid_.Tile(source, "p1-i1", level, col, row);
        ASSERT_FALSE(tile.ok()) << level << "/" << col << "/" << row;
        EXPECT_EQ(tile.error().code, ErrorCode::kNotFound);
    }
}

TEST_F(TilePyramidTest, SmallImageIsOneLevelOneTile) {
    testing::WriteImage(Src("small.png"), 300, 200);
    auto info = pyramid_.Info(Src("small.png"), "small");
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->levels, 1);
    auto tile = pyramid_.Tile(Src("small.png"), "small", 0, 0, 0);
    ASSERT_TRUE(tile.ok()) << tile.error().message;
    EXPECT_EQ(ImageSize(tile->path), (std::pair{300, 200}));
    EXPECT_FALSE(pyramid_.Tile(Src("small.png"), "small", 0, 1, 0).ok());
}

TEST_F(TilePyramidTest, AppliesExifOrientationLikeTheProbe) {
    testing::WriteImage(Src("rotated.jpg"), 900, 300, 6);
    auto info = pyramid_.Info(Src("rotated.jpg"), "rot");
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->width, 300);
    EXPECT_EQ(info->height, 900);
    EXPECT_EQ(info->levels, 2);
    auto tile = pyramid_.Tile(Src("rotated.jpg"), "rot", 0, 0, 1);
    ASSERT_TRUE(tile.ok()) << tile.error().message;
    EXPECT_EQ(ImageSize(tile->path), (std::pair{300, 900 - 512}));
}

TEST_F(TilePyramidTest, ConcurrentFirstRequestsBuildOnce) {
    fs::path source = LargeTiff();
    std::vector<std::thread> threads;
    std::vector<Result<TileFile>> results(6, Error::Internal("not run"));
    threads.reserve(6);
    for (int i = 0; i < 6; ++i) {
        threads.emplace_back([&, i] { results[i] = pyramid_.Tile(source, "p1-i1", 0, i, 0); });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (const auto& result : results) {
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result->version, results[0]->version);
    }
    // One finished pyramid folder, no temp folders left behind.
    int entries = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir_.path() / "tiles")) {
        if (entry.path().parent_path().parent_path() == dir_.path() / "tiles") {
            ++entries;
            EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
        }
    }
    EXPECT_EQ(entries, 1);
}

TEST_F(TilePyramidTest, ChangedSourceGetsANewPyramid) {
    testing::WriteImage(Src("a.png"), 600, 400);
    auto first = pyramid_.Tile(Src("a.png"), "a", 0, 0, 0);
    ASSERT_TRUE(first.ok()) << first.error().message;
    testing::WriteImage(Src("a.png"), 700, 400);
    fs::last_write_time(Src("a.png"), fs::last_write_time(Src("a.png")) + std::chrono::hours(1));
    auto info = pyramid_.Info(Src("a.png"), "a");
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->width, 700);
    auto second = pyramid_.Tile(Src("a.png"), "a", 0, 0, 0);
    ASSERT_TRUE(second.ok());
    EXPECT_NE(first->version, second->version);
}

TEST_F(TilePyramidTest, ErrorsAreValues) {
    auto missing = pyramid_.Info(Src("nope.png"), "k");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

    testing::WriteText(Src("fake.jpg"), "not an image");
    auto bad = pyramid_.Info(Src("fake.jpg"), "k");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kFailedPrecondition);

    testing::WriteImage(Src("cut.png"), 200, 200);
    testing::Truncate(Src("cut.png"), 30);
    auto cut = pyramid_.Info(Src("cut.png"), "cut");
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code, ErrorCode::kFailedPrecondition);

    testing::WriteImage(Src("ok.png"), 10, 10);
    for (const char* key : {"", "../up", "a/b", ".hidden"}) {
        auto result = pyramid_.Info(Src("ok.png"), key);
        ASSERT_FALSE(result.ok()) << key;
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    }
}

}  // namespace
}  // namespace tessera
