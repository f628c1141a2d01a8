#include "services/tile_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class TileServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        root_ = fs::canonical(dir_.path()) / "images";
        testing::WriteImage(root_ / "wide.png", 1500, 600);
        testing::WriteText(root_ / "broken.jpg", "garbage");
        labeler_ = *env.repo->CreateUser(User{0, "lab", Role::kLabeler, "x", 0});
        Project p;
        p.name = "Slides";
        p.labels_json = R"(["Cell"])";
        p.datasource = {"local", root_.string(), "**/*.*"};
        project_ = env.repo->CreateProject(p)->id;
        ASSERT_TRUE(env.repo
                        ->InsertItems(project_,
                                      {{"wide.png", 1, 1500, 600, "png"},
                                       {"broken.jpg", 1, 0, 0, ""},
                                       {"gone.png", 1, 1, 1, "png"},
                                       {"../images/wide.png", 1, 1, 1, "png"}},
                                      0)
                        .ok());
        auto items = env.repo->ListItems(project_, ItemFilter{});
        ASSERT_TRUE(items.ok());
        for (const Item& item : *items) {
            ids_[item.path] = item.id;
        }
    }

    // Polls Info until the background build has settled; the bound only keeps a broken build
    // from hanging the test.
    Result<TileStatus> Settled(Id item) {
        Result<TileStatus> status = Error::Internal("not polled");
        for (int i = 0; i < 2400; ++i) {
            status = service_.Info(labeler_, project_, item);
            if (!status.ok() || status->ready) {
                return status;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return status;
    }

    testing::TempDir dir_;
    fs::path root_;
    testing::ServiceEnv env;
    TilePyramid pyramid_{dir_.path() / "tiles"};
    TileService service_{*env.repo, pyramid_};
    User labeler_;
    Id project_ = 0;
    std::map<std::string, Id> ids_;
};

TEST_F(TileServiceTest, InfoAnswersAtOnceWhileThePyramidIsBuilt) {
    auto first = service_.Info(labeler_, project_, ids_["wide.png"]);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_FALSE(first->ready);
    // The shape it will have, from the item's stored size.
    EXPECT_EQ(first->info.width, 1500);
    EXPECT_EQ(first->info.height, 600);
    EXPECT_EQ(first->info.tile_size, 512);
    EXPECT_EQ(first->info.levels, 3);
    EXPECT_EQ(service_.Tile(labeler_, project_, ids_["wide.png"], 0, 0, 0).error().code,
              ErrorCode::kUnavailable);
    auto ready = Settled(ids_["wide.png"]);
    ASSERT_TRUE(ready.ok()) << ready.error().message;
    EXPECT_TRUE(ready->ready);
    EXPECT_EQ(ready->progress, 1.0);
}

TEST_F(TileServiceTest, InfoAndTilesOfAnItem) {
    auto info = Settled(ids_["wide.png"]);
    ASSERT_TRUE(info.ok()) << info.error().message;
    ASSERT_TRUE(info->ready);
    EXPECT_EQ(info->info.width, 1500);
    EXPECT_EQ(info->info.height, 600);
    EXPECT_EQ(info->info.tile_size, 512);
    EXPECT_EQ(info->info.levels, 3);  // 1500x600, 750x300, 375x150

    auto edge = service_.Tile(labeler_, project_, ids_["wide.png"], 0, 2, 1);
    ASSERT_TRUE(edge.ok()) << edge.error().message;
    EXPECT_EQ(testing::ImageSize(edge->path), (std::pair{1500 - 1024, 600 - 512}));
    EXPECT_EQ(edge->content_type, "image/jpeg");
    auto top = service_.Tile(labeler_, project_, ids_["wide.png"], 2, 0, 0);
    ASSERT_TRUE(top.ok()) << top.error().message;
    EXPECT_EQ(testing::ImageSize(top->path), (std::pair{375, 150}));
}

TEST_F(TileServiceTest, EtagsAreQuotedStableAndDistinctPerTile) {
    ASSERT_TRUE(Settled(ids_["wide.png"]).ok());
    auto a = service_.Tile(labeler_, project_, ids_["wide.png"], 0, 0, 0);
    auto b = service_.Tile(labeler_, project_, ids_["wide.png"], 0, 1, 0);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_GE(a->etag.size(), 3u);
    EXPECT_EQ(a->etag.front(), '"');
    EXPECT_EQ(a->etag.back(), '"');
    EXPECT_NE(a->etag, b->etag);
    EXPECT_EQ(service_.Tile(labeler_, project_, ids_["wide.png"], 0, 0, 0)->etag, a->etag);

    testing::WriteImage(root_ / "wide.png", 1400, 600);
    fs::last_write_time(root_ / "wide.png",
                        fs::last_write_time(root_ / "wide.png") + std::chrono::hours(1));
    ASSERT_TRUE(Settled(ids_["wide.png"]).ok());
    auto changed = service_.Tile(labeler_, project_, ids_["wide.png"], 0, 0, 0);
    ASSERT_TRUE(changed.ok());
    EXPECT_NE(changed->etag, a->etag);
}

TEST_F(TileServiceTest, OutOfRangeIsNotFound) {
    ASSERT_TRUE(Settled(ids_["wide.png"]).ok());
    for (auto [level, col, row] : {std::tuple{3, 0, 0}, std::tuple{-1, 0, 0}, std::tuple{0, 3, 0},
                                   std::tuple{0, 0, 2}, std::tuple{1, 2, 0}}) {
        auto tile = service_.Tile(labeler_, project_, ids_["wide.png"], level, col, row);
        ASSERT_FALSE(tile.ok()) << level << "/" << col << "/" << row;
        EXPECT_EQ(tile.error().code, ErrorCode::kNotFound);
    }
}

TEST_F(TileServiceTest, ErrorsAreValues) {
    EXPECT_EQ(service_.Info(User{}, project_, ids_["wide.png"]).error().code,
              ErrorCode::kUnauthenticated);
    EXPECT_EQ(service_.Info(labeler_, project_ + 100, ids_["wide.png"]).error().code,
              ErrorCode::kNotFound);
    EXPECT_EQ(service_.Info(labeler_, project_, 99999).error().code, ErrorCode::kNotFound);
    for (const char* path : {"broken.jpg", "gone.png", "../images/wide.png"}) {
        auto info = Settled(ids_[path]);
        ASSERT_FALSE(info.ok()) << path;
        EXPECT_EQ(info.error().code, ErrorCode::kFailedPrecondition) << path;
        EXPECT_EQ(service_.Tile(labeler_, project_, ids_[path], 0, 0, 0).error().code,
                  ErrorCode::kFailedPrecondition)
            << path;
    }
}

}  // namespace
}  // namespace tessera
