#include "blobs/tile_pyramid.hpp"

#include <gtest/gtest.h>
#include <vips/vips8>

#include <algorithm>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "blobs/cache_keys.hpp"
#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
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

CacheKey K(const std::string& name) {
    return {"p1", name};
}

class TilePyramidTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        fs::create_directories(dir_.path() / "src");
    }
    fs::path Src(const std::string& name) const { return dir_.path() / "src" / name; }
    SourceRef Ref(const std::string& name) const { return RefOf(Src(name)); }
    SourceRef RefOf(const fs::path& path) const { return {dir_.path() / "src", path}; }
    fs::path LargeTiff() {
        fs::path path = Src("large.tif");
        if (!fs::exists(path)) {
            WriteLargeTiff(path);
        }
        return path;
    }

    // Names of everything in the pyramid cache's shard folders, sorted.
    std::vector<std::string> ShardEntries() const {
        std::vector<std::string> names;
        std::error_code ec;
        for (const auto& group : fs::directory_iterator(dir_.path() / "tiles", ec)) {
            for (const auto& shard : fs::directory_iterator(group.path())) {
                for (const auto& entry : fs::directory_iterator(shard.path())) {
                    names.push_back(entry.path().filename().string());
                }
            }
        }
        std::sort(names.begin(), names.end());
        return names;
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
    auto info = pyramid_.Info(RefOf(LargeTiff()), K("i1"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->width, kWidth);
    EXPECT_EQ(info->height, kHeight);
    EXPECT_EQ(info->tile_size, 512);
    EXPECT_EQ(info->levels, 5);
}

TEST_F(TilePyramidTest, TilesHaveTheRightSizesAtEveryLevel) {
    auto info = pyramid_.Info(RefOf(LargeTiff()), K("i1"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    for (int level = 0; level < info->levels; ++level) {
        int cols = info->Columns(level);
        int rows = info->Rows(level);
        for (auto [col, row] : {std::pair{0, 0}, std::pair{cols - 1, rows - 1}}) {
            auto tile = pyramid_.Tile(RefOf(LargeTiff()), K("i1"), level, col, row);
            ASSERT_TRUE(tile.ok())
                << level << "/" << col << "/" << row << ": " << tile.error().message;
            int want_w = std::min(512, info->LevelWidth(level) - col * 512);
            int want_h = std::min(512, info->LevelHeight(level) - row * 512);
            EXPECT_EQ(ImageSize(tile->path), (std::pair{want_w, want_h}))
                << "level " << level << " tile " << col << "," << row;
        }
    }
    // Edge tiles of level 0 are smaller: 5000 = 9 * 512 + 392, 3000 = 5 * 512 + 440.
    auto edge = pyramid_.Tile(RefOf(LargeTiff()), K("i1"), 0, 9, 5);
    ASSERT_TRUE(edge.ok());
    EXPECT_EQ(ImageSize(edge->path), (std::pair{392, 440}));
    auto top = pyramid_.Tile(RefOf(LargeTiff()), K("i1"), 4, 0, 0);
    ASSERT_TRUE(top.ok());
    EXPECT_EQ(ImageSize(top->path), (std::pair{313, 188}));
}

TEST_F(TilePyramidTest, TilesShowTheRightPixels) {
    ASSERT_TRUE(pyramid_.Info(RefOf(LargeTiff()), K("i1")).ok());
    auto red = pyramid_.Tile(RefOf(LargeTiff()), K("i1"), 0, 2, 1);
    ASSERT_TRUE(red.ok()) << red.error().message;
    EXPECT_TRUE(Near(PixelAt(red->path, 256, 256), 255, 0, 0));
    EXPECT_TRUE(Near(PixelAt(red->path, 5, 5), 255, 0, 0));
    auto black = pyramid_.Tile(RefOf(LargeTiff()), K("i1"), 0, 1, 1);
    ASSERT_TRUE(black.ok());
    EXPECT_TRUE(Near(PixelAt(black->path, 256, 256), 0, 0, 0));
    auto edge = pyramid_.Tile(RefOf(LargeTiff()), K("i1"), 0, 9, 0);
    ASSERT_TRUE(edge.ok());
    EXPECT_TRUE(Near(PixelAt(edge->path, 388, 100), 0, 255, 0));
    EXPECT_TRUE(Near(PixelAt(edge->path, 370, 100), 0, 0, 0));
    // Level 1 halves: the square is at x 512-767, y 256-511, i.e. the lower-left quarter of
    // tile (1, 0).
    auto half = pyramid_.Tile(RefOf(LargeTiff()), K("i1"), 1, 1, 0);
    ASSERT_TRUE(half.ok());
    EXPECT_TRUE(Near(PixelAt(half->path, 100, 400), 255, 0, 0));
    EXPECT_TRUE(Near(PixelAt(half->path, 400, 100), 0, 0, 0));
    EXPECT_TRUE(Near(PixelAt(half->path, 100, 100), 0, 0, 0));
}

TEST_F(TilePyramidTest, OutOfRangeTilesAreNotFound) {
    fs::path source = LargeTiff();
    ASSERT_TRUE(pyramid_.Info(RefOf(source), K("i1")).ok());
    for (auto [level, col, row] :
         {std::tuple{5, 0, 0}, std::tuple{-1, 0, 0}, std::tuple{0, 10, 0}, std::tuple{0, 0, 6},
          std::tuple{0, -1, 0}, std::tuple{4, 1, 0}}) {
        auto tile = pyramid_.Tile(RefOf(source), K("i1"), level, col, row);
        ASSERT_FALSE(tile.ok()) << level << "/" << col << "/" << row;
        EXPECT_EQ(tile.error().code, ErrorCode::kNotFound);
    }
}

TEST_F(TilePyramidTest, SmallImageIsOneLevelOneTile) {
    testing::WriteImage(Src("small.png"), 300, 200);
    auto info = pyramid_.Info(Ref("small.png"), K("small"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->levels, 1);
    auto tile = pyramid_.Tile(Ref("small.png"), K("small"), 0, 0, 0);
    ASSERT_TRUE(tile.ok()) << tile.error().message;
    EXPECT_EQ(ImageSize(tile->path), (std::pair{300, 200}));
    EXPECT_FALSE(pyramid_.Tile(Ref("small.png"), K("small"), 0, 1, 0).ok());
}

TEST_F(TilePyramidTest, AppliesExifOrientationLikeTheProbe) {
    testing::WriteImage(Src("rotated.jpg"), 900, 300, 6);
    auto info = pyramid_.Info(Ref("rotated.jpg"), K("rot"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->width, 300);
    EXPECT_EQ(info->height, 900);
    EXPECT_EQ(info->levels, 2);
    auto tile = pyramid_.Tile(Ref("rotated.jpg"), K("rot"), 0, 0, 1);
    ASSERT_TRUE(tile.ok()) << tile.error().message;
    EXPECT_EQ(ImageSize(tile->path), (std::pair{300, 900 - 512}));
}

TEST_F(TilePyramidTest, ConcurrentFirstRequestsBuildOnce) {
    fs::path source = LargeTiff();
    std::vector<std::thread> threads;
    std::vector<Result<TileFile>> results(6, Error::Internal("not run"));
    threads.reserve(6);
    for (int i = 0; i < 6; ++i) {
        threads.emplace_back([&, i] {
            if (auto info = pyramid_.Info(RefOf(source), K("i1")); !info.ok()) {
                results[i] = info.error();
                return;
            }
            results[i] = pyramid_.Tile(RefOf(source), K("i1"), 0, i, 0);
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (const auto& result : results) {
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result->version, results[0]->version);
    }
    // One finished pyramid folder, no temp folders or progress markers left behind.
    EXPECT_EQ(ShardEntries(), std::vector<std::string>{results[0]->version});
}

TEST_F(TilePyramidTest, ChangedSourceGetsANewPyramid) {
    testing::WriteImage(Src("a.png"), 600, 400);
    ASSERT_TRUE(pyramid_.Info(Ref("a.png"), K("a")).ok());
    auto first = pyramid_.Tile(Ref("a.png"), K("a"), 0, 0, 0);
    ASSERT_TRUE(first.ok()) << first.error().message;
    testing::WriteImage(Src("a.png"), 700, 400);
    fs::last_write_time(Src("a.png"), fs::last_write_time(Src("a.png")) + std::chrono::hours(1));
    auto info = pyramid_.Info(Ref("a.png"), K("a"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->width, 700);
    auto second = pyramid_.Tile(Ref("a.png"), K("a"), 0, 0, 0);
    ASSERT_TRUE(second.ok());
    EXPECT_NE(first->version, second->version);
    // The first version's folder is gone: only the new pyramid is left.
    EXPECT_EQ(ShardEntries(), std::vector<std::string>{second->version});
}

TEST_F(TilePyramidTest, ErrorsAreValues) {
    auto missing = pyramid_.Info(Ref("nope.png"), K("k"));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

    testing::WriteText(Src("fake.jpg"), "not an image");
    auto bad = pyramid_.Info(Ref("fake.jpg"), K("k"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kFailedPrecondition);

    testing::WriteImage(Src("cut.png"), 200, 200);
    testing::Truncate(Src("cut.png"), 30);
    auto cut = pyramid_.Info(Ref("cut.png"), K("cut"));
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code, ErrorCode::kFailedPrecondition);

    testing::WriteImage(Src("ok.png"), 10, 10);
    for (const char* bad : {"", "../up", "a/b", ".hidden"}) {
        for (const CacheKey& key : {CacheKey{"p1", bad}, CacheKey{bad, "i1"}}) {
            auto result = pyramid_.Info(Ref("ok.png"), key);
            ASSERT_FALSE(result.ok()) << key.group << " " << key.name;
            EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
            EXPECT_EQ(pyramid_.Poll(Ref("ok.png"), key).error().code, ErrorCode::kInvalidArgument);
        }
    }
}

// Polls until the background build has settled. The bound only keeps a broken build from
// hanging the test; nothing here depends on how fast it is.
Result<PyramidStatus> PollUntilSettled(TilePyramid& pyramid, const SourceRef& source,
                                       const CacheKey& key) {
    Result<PyramidStatus> status = Error::Internal("not polled");
    for (int i = 0; i < 2400; ++i) {
        status = pyramid.Poll(source, key);
        if (!status.ok() || status->ready) {
            return status;
        }
        EXPECT_GE(status->progress, 0.0);
        EXPECT_LE(status->progress, 1.0);
        std::this_thread::sleep_for(50ms);
    }
    return status;
}

TEST_F(TilePyramidTest, PollAnswersAtOnceAndBuildsInTheBackground) {
    fs::path source = LargeTiff();
    auto first = pyramid_.Poll(RefOf(source), K("i1"));
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_FALSE(first->ready);
    EXPECT_EQ(pyramid_.Tile(RefOf(source), K("i1"), 0, 0, 0).error().code, ErrorCode::kUnavailable);
    auto settled = PollUntilSettled(pyramid_, RefOf(source), K("i1"));
    ASSERT_TRUE(settled.ok()) << settled.error().message;
    ASSERT_TRUE(settled->ready);
    EXPECT_EQ(settled->info.width, kWidth);
    EXPECT_EQ(settled->info.height, kHeight);
    EXPECT_EQ(settled->info.levels, 5);
    EXPECT_TRUE(pyramid_.Tile(RefOf(source), K("i1"), 0, 9, 5).ok());
    EXPECT_EQ(ShardEntries().size(), 1u);
}

TEST_F(TilePyramidTest, PollReportsTheProgressOfARunningBuild) {
    fs::path source = LargeTiff();
    std::vector<double> seen;
    bool marker_seen = false;
    // The stop callback runs inside the build, each time libvips reports progress: a window
    // onto what a viewer polling at that moment would get.
    auto watch = [&] {
        auto status = pyramid_.Poll(RefOf(source), K("i1"));
        if (status.ok() && !status->ready) {
            seen.push_back(status->progress);
        }
        if (!marker_seen) {
            for (const auto& name : ShardEntries()) {
                marker_seen |= name.ends_with(".building");
            }
        }
        return false;
    };
    ASSERT_TRUE(pyramid_.Info(RefOf(source), K("i1"), watch).ok());
    ASSERT_FALSE(seen.empty());
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    // Not how far the last report got: libvips emits "eval" on a timer, so on a fast machine
    // the last poll inside a 0.2 s build saw 41 % (CI, 2026-11-29) and on a busy one 90 %.
    EXPECT_GE(seen.front(), 0.0);
    EXPECT_LE(seen.back(), 1.0);
    EXPECT_TRUE(marker_seen);
    // Finished: no marker, no temp folder.
    EXPECT_EQ(ShardEntries().size(), 1u);
}

TEST_F(TilePyramidTest, ABuildInAnotherProcessIsReportedNotRepeated) {
    testing::WriteImage(Src("b.png"), 1200, 800);
    auto opened = SourceFile::Open(Ref("b.png"));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    std::string name = blobs_internal::VersionedName(*opened, "b", "t512q85");
    fs::path marker =
        blobs_internal::ShardDir(dir_.path() / "tiles", K("b")) / (name + ".building");
    fs::create_directories(marker.parent_path());
    testing::WriteText(marker, "0.25\n");
    for (int i = 0; i < 2; ++i) {
        auto status = pyramid_.Poll(Ref("b.png"), K("b"));
        ASSERT_TRUE(status.ok()) << status.error().message;
        EXPECT_FALSE(status->ready);
        EXPECT_DOUBLE_EQ(status->progress, 0.25);
    }
    // A marker nobody has touched for an hour belongs to a dead process: build it here.
    fs::last_write_time(marker, fs::file_time_type::clock::now() - std::chrono::hours(1));
    auto settled = PollUntilSettled(pyramid_, Ref("b.png"), K("b"));
    ASSERT_TRUE(settled.ok()) << settled.error().message;
    EXPECT_TRUE(settled->ready);
    EXPECT_EQ(settled->info.width, 1200);
}

TEST_F(TilePyramidTest, BackgroundFailuresAreReportedUntilTheSourceChanges) {
    testing::WriteText(Src("fake.jpg"), "not an image");
    auto failed = PollUntilSettled(pyramid_, Ref("fake.jpg"), K("fake"));
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(pyramid_.Poll(Ref("fake.jpg"), K("fake")).error().code,
              ErrorCode::kFailedPrecondition);
    testing::WriteImage(Src("fake.jpg"), 700, 300);
    fs::last_write_time(Src("fake.jpg"),
                        fs::last_write_time(Src("fake.jpg")) + std::chrono::hours(1));
    auto fixed = PollUntilSettled(pyramid_, Ref("fake.jpg"), K("fake"));
    ASSERT_TRUE(fixed.ok()) << fixed.error().message;
    EXPECT_TRUE(fixed->ready);
}

TEST_F(TilePyramidTest, AStoppedBuildLeavesNothingBehind) {
    fs::path source = LargeTiff();
    auto stopped = pyramid_.Info(RefOf(source), K("i1"), [] { return true; });
    ASSERT_FALSE(stopped.ok());
    EXPECT_EQ(stopped.error().code, ErrorCode::kUnavailable);
    int calls = 0;
    auto midway = pyramid_.Info(RefOf(source), K("i1"), [&] { return ++calls > 3; });
    ASSERT_FALSE(midway.ok());
    EXPECT_EQ(midway.error().code, ErrorCode::kUnavailable);
    EXPECT_TRUE(ShardEntries().empty());
    // Nothing remembered as a failure: the next request builds it.
    EXPECT_TRUE(pyramid_.Info(RefOf(source), K("i1")).ok());
}

TEST_F(TilePyramidTest, DestroyingStopsTheBackgroundBuild) {
    fs::path source = LargeTiff();
    {
        TilePyramid doomed(dir_.path() / "tiles");
        ASSERT_TRUE(doomed.Poll(RefOf(source), K("i1")).ok());
    }
    for (const auto& name : ShardEntries()) {
        EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
        EXPECT_FALSE(name.ends_with(".building")) << name;
    }
}

TEST_F(TilePyramidTest, AViewersPyramidIsBuiltBeforeTheJobsNextOne) {
    fs::path large = LargeTiff();
    testing::WriteImage(Src("viewed.png"), 900, 600);
    testing::WriteImage(Src("next.png"), 900, 600);
    // While the "job" builds the large image, a viewer polls another one...
    bool polled = false;
    auto viewer_polls = [&] {
        if (!polled) {
            polled = pyramid_.Poll(Ref("viewed.png"), K("viewed")).ok();
        }
        return false;
    };
    ASSERT_TRUE(pyramid_.Info(RefOf(large), K("i1"), viewer_polls).ok());
    ASSERT_TRUE(polled);
    // ...and the job's next build waits until the viewer's is done.
    std::optional<bool> viewed_ready_first;
    auto check_order = [&] {
        if (!viewed_ready_first) {
            auto status = pyramid_.Poll(Ref("viewed.png"), K("viewed"));
            viewed_ready_first = status.ok() && status->ready;
        }
        return false;
    };
    ASSERT_TRUE(pyramid_.Info(Ref("next.png"), K("next"), check_order).ok());
    ASSERT_TRUE(viewed_ready_first.has_value());
    EXPECT_TRUE(*viewed_ready_first);
}

TEST_F(TilePyramidTest, RemoveGroupRemovesOnlyThatGroup) {
    testing::WriteImage(Src("c.png"), 600, 400);
    ASSERT_TRUE(pyramid_.Info(Ref("c.png"), {"p1", "i1"}).ok());
    ASSERT_TRUE(pyramid_.Info(Ref("c.png"), {"p2", "i1"}).ok());
    auto removed = pyramid_.RemoveGroup("p1");
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    EXPECT_GT(*removed, 0u);
    EXPECT_FALSE(fs::exists(dir_.path() / "tiles" / "p1"));
    EXPECT_TRUE(pyramid_.Tile(Ref("c.png"), {"p2", "i1"}, 0, 0, 0).ok());
    EXPECT_EQ(pyramid_.Tile(Ref("c.png"), {"p1", "i1"}, 0, 0, 0).error().code,
              ErrorCode::kUnavailable);
    EXPECT_EQ(*pyramid_.RemoveGroup("p9"), 0u);
    EXPECT_EQ(pyramid_.RemoveGroup("../tiles").error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera
