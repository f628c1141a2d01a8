#include "services/image_service.hpp"

#include <gtest/gtest.h>

#include "blobs/image_renderer.hpp"
#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class ImageServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        root_ = fs::canonical(dir_.path()) / "images";
        testing::WriteImage(root_ / "big.jpg", 3000, 1500);
        testing::WriteText(root_ / "broken.jpg", "garbage");
        labeler_ = *env.repo->CreateUser(User{0, "lab", Role::kLabeler, "x", 0});
        Project p;
        p.name = "Pets";
        p.labels_json = R"(["Cat"])";
        p.datasource = {"local", root_.string(), "**/*.*"};
        project_ = env.repo->CreateProject(p)->id;
        ASSERT_TRUE(env.repo
                        ->InsertItems(project_,
                                      {{"big.jpg", 1, 3000, 1500, "jpeg"},
                                       {"broken.jpg", 1, 0, 0, ""},
                                       {"gone.jpg", 1, 1, 1, "jpeg"},
                                       {"../images/big.jpg", 1, 1, 1, "jpeg"}},
                                      0)
                        .ok());
        auto items = env.repo->ListItems(project_, ItemFilter{});
        ASSERT_TRUE(items.ok());
        for (const Item& item : *items) {
            ids_[item.path] = item.id;
        }
    }

    testing::TempDir dir_;
    fs::path root_;
    testing::ServiceEnv env;
    ImageRenderer renderer_{dir_.path() / "cache"};
    ImageService service_{*env.repo, renderer_};
    User labeler_;
    Id project_ = 0;
    std::map<std::string, Id> ids_;
};

TEST_F(ImageServiceTest, ServesDisplayAndThumbnailWithDistinctEtags) {
    auto display = service_.Get(labeler_, project_, ids_["big.jpg"], Rendition::kDisplay);
    ASSERT_TRUE(display.ok()) << display.error().message;
    auto thumb = service_.Get(labeler_, project_, ids_["big.jpg"], Rendition::kThumbnail);
    ASSERT_TRUE(thumb.ok()) << thumb.error().message;
    EXPECT_EQ(testing::ImageSize(display->path), (std::pair{2048, 1024}));
    EXPECT_EQ(testing::ImageSize(thumb->path), (std::pair{256, 128}));
    EXPECT_EQ(display->content_type, "image/jpeg");
    ASSERT_GE(display->etag.size(), 3u);
    EXPECT_EQ(display->etag.front(), '"');
    EXPECT_EQ(display->etag.back(), '"');
    EXPECT_NE(display->etag, thumb->etag);
    // Same request, same ETag (what If-None-Match relies on).
    EXPECT_EQ(service_.Get(labeler_, project_, ids_["big.jpg"], Rendition::kDisplay)->etag,
              display->etag);
}

TEST_F(ImageServiceTest, ChangedSourceChangesTheEtag) {
    auto before = service_.Get(labeler_, project_, ids_["big.jpg"], Rendition::kThumbnail);
    ASSERT_TRUE(before.ok());
    testing::WriteImage(root_ / "big.jpg", 1000, 1000);
    auto after = service_.Get(labeler_, project_, ids_["big.jpg"], Rendition::kThumbnail);
    ASSERT_TRUE(after.ok());
    EXPECT_NE(before->etag, after->etag);
    EXPECT_EQ(testing::ImageSize(after->path), (std::pair{256, 256}));
}

TEST_F(ImageServiceTest, UnreadableSourcesAreFailedPrecondition) {
    for (const char* path : {"broken.jpg", "gone.jpg", "../images/big.jpg"}) {
        auto r = service_.Get(labeler_, project_, ids_[path], Rendition::kDisplay);
        ASSERT_FALSE(r.ok()) << path;
        EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << path;
    }
}

TEST_F(ImageServiceTest, UnknownItemsAndDeletedProjectsAreNotFound) {
    EXPECT_EQ(service_.Get(labeler_, project_, 12345, Rendition::kDisplay).error().code,
              ErrorCode::kNotFound);
    EXPECT_EQ(service_.Get(labeler_, 999, ids_["big.jpg"], Rendition::kDisplay).error().code,
              ErrorCode::kNotFound);
    ASSERT_TRUE(env.repo->DeleteProject(project_, 1).ok());
    EXPECT_EQ(service_.Get(labeler_, project_, ids_["big.jpg"], Rendition::kDisplay).error().code,
              ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tessera
