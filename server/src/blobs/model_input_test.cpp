#include "blobs/model_input.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>

#include <vips/vips8>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class ModelInputTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(InitVips("test").ok()); }

    Result<RgbPixels> Decode(const std::string& name, int width, int height) {
        auto file = SourceFile::Open({dir_.path(), dir_.path() / name});
        if (!file.ok()) {
            return file.error();
        }
        return DecodeForModel(*file, width, height);
    }

    // A width x height image whose left half is `left` and right half `right` (per band).
    void WriteHalves(const std::string& name, int width, int height,
                     const std::vector<double>& left, const std::vector<double>& right) {
        const auto bands = static_cast<int>(left.size());
        vips::VImage x = vips::VImage::xyz(width, height)[0];
        vips::VImage l =
            vips::VImage::black(width, height, vips::VImage::option()->set("bands", bands)) + left;
        vips::VImage r =
            vips::VImage::black(width, height, vips::VImage::option()->set("bands", bands)) + right;
        vips::VImage image = (x < width / 2.0).ifthenelse(l, r).cast(VIPS_FORMAT_UCHAR);
        image.write_to_file((dir_.path() / name).c_str());
    }

    static std::array<int, 3> At(const RgbPixels& p, int x, int y) {
        const auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(p.width) +
                        static_cast<std::size_t>(x)) *
                       3;
        return {p.pixels[i], p.pixels[i + 1], p.pixels[i + 2]};
    }

    // libvips's shrink and flatten work in float: a value may come back one step off, which
    // no network notices.
    static bool Near(std::array<int, 3> got, std::array<int, 3> want) {
        for (std::size_t c = 0; c < 3; ++c) {
            if (std::abs(got[c] - want[c]) > 1) {
                return false;
            }
        }
        return true;
    }

    TempDir dir_;
};

TEST_F(ModelInputTest, SquashesTheWholeImageToTheInputSizeInRgb) {
    WriteHalves("halves.png", 400, 100, {255, 0, 0}, {0, 0, 255});
    auto out = Decode("halves.png", 16, 16);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->width, 16);
    EXPECT_EQ(out->height, 16);
    ASSERT_EQ(out->pixels.size(), 16U * 16U * 3U);
    // Squashed, not cropped: both halves are still there, each in its own half.
    EXPECT_TRUE(Near(At(*out, 2, 8), {255, 0, 0}));
    EXPECT_TRUE(Near(At(*out, 13, 8), {0, 0, 255}));
}

TEST_F(ModelInputTest, GreyBecomesThreeEqualChannelsAndAlphaIsFlattenedOnWhite) {
    WriteHalves("grey.png", 64, 64, {40}, {200});
    auto grey = Decode("grey.png", 8, 8);
    ASSERT_TRUE(grey.ok()) << grey.error().message;
    EXPECT_TRUE(Near(At(*grey, 1, 4), {40, 40, 40})) << At(*grey, 1, 4)[0];
    EXPECT_TRUE(Near(At(*grey, 6, 4), {200, 200, 200})) << At(*grey, 6, 4)[0];

    WriteHalves("alpha.png", 64, 64, {0, 0, 0, 0}, {0, 128, 0, 255});
    auto alpha = Decode("alpha.png", 8, 8);
    ASSERT_TRUE(alpha.ok()) << alpha.error().message;
    EXPECT_TRUE(Near(At(*alpha, 1, 4), {255, 255, 255}));
    EXPECT_TRUE(Near(At(*alpha, 6, 4), {0, 128, 0}));
}

TEST_F(ModelInputTest, EnlargesSmallImages) {
    WriteHalves("tiny.png", 4, 2, {10, 20, 30}, {10, 20, 30});
    auto out = Decode("tiny.png", 224, 224);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->width, 224);
    EXPECT_TRUE(Near(At(*out, 200, 200), {10, 20, 30}));
}

TEST_F(ModelInputTest, RefusesWhatItCannotDecodeAndSizesOutOfRange) {
    testing::WriteText(dir_.path() / "notes.jpg", "not a picture at all");
    auto text = Decode("notes.jpg", 32, 32);
    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.error().code, ErrorCode::kFailedPrecondition);

    testing::WriteImage(dir_.path() / "cut.jpg", 300, 200);
    testing::Truncate(dir_.path() / "cut.jpg", 200);
    auto cut = Decode("cut.jpg", 32, 32);
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code, ErrorCode::kFailedPrecondition);

    testing::WriteImage(dir_.path() / "ok.jpg", 30, 20);
    EXPECT_EQ(Decode("ok.jpg", 0, 32).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(Decode("ok.jpg", 32, 5000).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera
