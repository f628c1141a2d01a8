#include "blobs/image_renderer.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::ImageSize;
using testing::TempDir;

class ImageRendererTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        fs::create_directories(dir_.path() / "src");
    }
    fs::path Src(const std::string& name) const { return dir_.path() / "src" / name; }
    SourceRef Ref(const std::string& name) const { return {dir_.path() / "src", Src(name)}; }

    TempDir dir_;
    ImageRenderer renderer_{dir_.path() / "cache"};
};

TEST_F(ImageRendererTest, DisplayAndThumbnailFitTheirBox) {
    testing::WriteImage(Src("wide.png"), 3000, 1000);
    auto display =
        renderer_.Render(Ref("wide.png"), RenditionSpec::Display(), CacheKey{"p1", "i1-display"});
    ASSERT_TRUE(display.ok()) << display.error().message;
    EXPECT_EQ(ImageSize(*display), (std::pair{2048, 683}));
    EXPECT_EQ(display->extension(), ".jpg");
    auto thumb =
        renderer_.Render(Ref("wide.png"), RenditionSpec::Thumbnail(), CacheKey{"p1", "i1-thumb"});
    ASSERT_TRUE(thumb.ok()) << thumb.error().message;
    EXPECT_EQ(ImageSize(*thumb), (std::pair{256, 85}));
    EXPECT_NE(*display, *thumb);
}

TEST_F(ImageRendererTest, SmallImagesAreNotEnlarged) {
    testing::WriteImage(Src("small.jpg"), 100, 50);
    auto out =
        renderer_.Render(Ref("small.jpg"), RenditionSpec::Display(), CacheKey{"p1", "i2-display"});
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(ImageSize(*out), (std::pair{100, 50}));
}

TEST_F(ImageRendererTest, AppliesExifOrientation) {
    testing::WriteImage(Src("rotated.jpg"), 300, 100, 6);
    auto out = renderer_.Render(Ref("rotated.jpg"), RenditionSpec::Display(),
                                CacheKey{"p1", "i3-display"});
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(ImageSize(*out), (std::pair{100, 300}));
}

TEST_F(ImageRendererTest, AlphaAndBmpSourcesBecomeJpeg) {
    testing::WriteImage(Src("alpha.png"), 64, 64, 1, 4);
    testing::WriteBmp(Src("plain.bmp"), 30, 20);
    for (const char* name : {"alpha.png", "plain.bmp"}) {
        auto out = renderer_.Render(Ref(name), RenditionSpec::Thumbnail(),
                                    CacheKey{"p1", "k-" + std::string(name)});
        ASSERT_TRUE(out.ok()) << name << ": " << out.error().message;
        EXPECT_EQ(ImageSize(*out).first > 0, true);
    }
}

TEST_F(ImageRendererTest, ABmpOverTheLimitIsNotDecoded) {
    // A file swapped for a huge BMP after ingest: refused like any file that cannot be decoded.
    testing::WriteBmp(Src("big.bmp"), 10, 10);
    fs::resize_file(Src("big.bmp"), std::uintmax_t{130} << 20);
    auto out = renderer_.Render(Ref("big.bmp"), RenditionSpec::Thumbnail(), CacheKey{"p1", "big"});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(out.error().message.find("over the limit of 129 MiB a BMP"), std::string::npos)
        << out.error().message;
}

TEST_F(ImageRendererTest, SecondRequestIsServedFromTheCache) {
    testing::WriteImage(Src("a.png"), 500, 400);
    auto first =
        renderer_.Render(Ref("a.png"), RenditionSpec::Thumbnail(), CacheKey{"p1", "i4-thumb"});
    ASSERT_TRUE(first.ok());
    auto written = fs::last_write_time(*first);
    // Mark the cached file so a re-render would be visible.
    fs::last_write_time(*first, written - std::chrono::hours(1));
    auto second =
        renderer_.Render(Ref("a.png"), RenditionSpec::Thumbnail(), CacheKey{"p1", "i4-thumb"});
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(*first, *second);
    EXPECT_EQ(fs::last_write_time(*second), written - std::chrono::hours(1));
}

TEST_F(ImageRendererTest, ChangedSourceIsRenderedAgain) {
    testing::WriteImage(Src("a.png"), 500, 400);
    auto first =
        renderer_.Render(Ref("a.png"), RenditionSpec::Display(), CacheKey{"p1", "i5-display"});
    ASSERT_TRUE(first.ok());
    testing::WriteImage(Src("a.png"), 300, 600);
    auto second =
        renderer_.Render(Ref("a.png"), RenditionSpec::Display(), CacheKey{"p1", "i5-display"});
    ASSERT_TRUE(second.ok());
    EXPECT_NE(*first, *second);
    EXPECT_EQ(ImageSize(*second), (std::pair{300, 600}));
}

TEST_F(ImageRendererTest, ConcurrentRequestsForOneKeyAgreeAndLeaveNoTempFiles) {
    testing::WriteImage(Src("big.jpg"), 2500, 2500);
    std::vector<std::thread> threads;
    std::vector<Result<fs::path>> results(8, Error::Internal("not run"));
    threads.reserve(8);
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&, i] {
            results[i] = renderer_.Render(Ref("big.jpg"), RenditionSpec::Display(),
                                          CacheKey{"p1", "i6-display"});
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (const auto& r : results) {
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(*r, *results[0]);
    }
    EXPECT_EQ(ImageSize(*results[0]), (std::pair{2048, 2048}));
    int files = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir_.path() / "cache")) {
        if (e.is_regular_file()) {
            ++files;
            EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
        }
    }
    EXPECT_EQ(files, 1);
}

TEST_F(ImageRendererTest, ErrorsAreValues) {
    testing::WriteText(Src("junk.jpg"), std::string(1000, 'j'));
    testing::WriteImage(Src("cut.png"), 200, 200);
    testing::Truncate(Src("cut.png"), 30);
    testing::WriteText(Src("x.dicom"), "DICM");
    EXPECT_EQ(renderer_.Render(Ref("junk.jpg"), RenditionSpec::Display(), CacheKey{"p1", "a"})
                  .error()
                  .code,
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(renderer_.Render(Ref("cut.png"), RenditionSpec::Display(), CacheKey{"p1", "b"})
                  .error()
                  .code,
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(renderer_.Render(Ref("x.dicom"), RenditionSpec::Display(), CacheKey{"p1", "c"})
                  .error()
                  .code,
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(renderer_.Render(Ref("gone.png"), RenditionSpec::Display(), CacheKey{"p1", "d"})
                  .error()
                  .code,
              ErrorCode::kNotFound);
    testing::WriteImage(Src("ok.png"), 10, 10);
    for (const std::string& key :
         std::vector<std::string>{"", "../escape", "a/b", ".hidden", std::string(121, 'k')}) {
        EXPECT_EQ(renderer_.Render(Ref("ok.png"), RenditionSpec::Display(), CacheKey{"p1", key})
                      .error()
                      .code,
                  ErrorCode::kInvalidArgument)
            << key;
    }
}

TEST_F(ImageRendererTest, NeverRendersASourceSwappedForALinkLeavingTheRoot) {
    testing::WriteImage(Src("a.png"), 40, 30);
    testing::WriteImage(dir_.path() / "outside.png", 50, 50);
    ASSERT_TRUE(
        renderer_.Render(Ref("a.png"), RenditionSpec::Thumbnail(), CacheKey{"p1", "a"}).ok());
    fs::remove(Src("a.png"));
    fs::create_symlink(dir_.path() / "outside.png", Src("a.png"));
    auto swapped = renderer_.Render(Ref("a.png"), RenditionSpec::Thumbnail(), CacheKey{"p1", "a"});
    ASSERT_FALSE(swapped.ok());
    EXPECT_EQ(swapped.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(swapped.error().message.find(dir_.path().string()), std::string::npos);
}

}  // namespace
}  // namespace tessera
