#include "blobs/image_probe.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "blobs/dicom_test_files.hpp"
#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"

namespace tessera {
namespace {

using testing::TempDir;

class ImageProbeTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(InitVips("test").ok()); }
    std::filesystem::path At(const std::string& name) const { return dir_.path() / name; }
    Result<ImageInfo> Probe(const std::filesystem::path& path) {
        return prober_.Probe(SourceRef{dir_.path(), path});
    }

    TempDir dir_;
    VipsImageProber prober_;
};

TEST_F(ImageProbeTest, ReadsSizeAndFormatOfEachAcceptedFormat) {
    testing::WriteImage(At("a.png"), 40, 30);
    testing::WriteImage(At("b.jpg"), 41, 31);
    testing::WriteImage(At("c.tif"), 42, 32);
    testing::WriteBmp(At("d.bmp"), 43, 33);
    struct Case {
        std::string name, format;
        int w, h;
    };
    for (const Case& c : {Case{"a.png", "png", 40, 30}, Case{"b.jpg", "jpeg", 41, 31},
                          Case{"c.tif", "tiff", 42, 32}, Case{"d.bmp", "bmp", 43, 33}}) {
        auto info = Probe(At(c.name));
        ASSERT_TRUE(info.ok()) << c.name << ": " << info.error().message;
        EXPECT_EQ(info->format, c.format) << c.name;
        EXPECT_EQ(info->width, c.w) << c.name;
        EXPECT_EQ(info->height, c.h) << c.name;
        EXPECT_EQ(info->size_bytes,
                  static_cast<std::int64_t>(std::filesystem::file_size(At(c.name))));
    }
}

TEST_F(ImageProbeTest, ExifOrientationFiveToEightSwapsWidthAndHeight) {
    for (int orientation = 1; orientation <= 8; ++orientation) {
        auto path = At("o" + std::to_string(orientation) + ".jpg");
        testing::WriteImage(path, 60, 20, orientation);
        auto info = Probe(path);
        ASSERT_TRUE(info.ok()) << info.error().message;
        bool swapped = orientation >= 5;
        EXPECT_EQ(info->width, swapped ? 20 : 60) << "orientation " << orientation;
        EXPECT_EQ(info->height, swapped ? 60 : 20) << "orientation " << orientation;
    }
}

TEST_F(ImageProbeTest, FormatComesFromContentNotName) {
    testing::WriteImage(At("really-a.png"), 10, 12);
    std::filesystem::rename(At("really-a.png"), At("really-a-png.jpg"));
    auto info = Probe(At("really-a-png.jpg"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->format, "png");
}

TEST_F(ImageProbeTest, GarbageIsAnErrorWithAReason) {
    testing::WriteText(At("garbage.jpg"), std::string(4096, 'x'));
    auto info = Probe(At("garbage.jpg"));
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(info.error().message.empty());
}

TEST_F(ImageProbeTest, OtherFormatsInsideAnAcceptedNameAreRefused) {
    testing::WriteText(At("vector.png"),
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>");
    testing::WriteText(At("doc.jpg"), "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
    EXPECT_FALSE(Probe(At("vector.png")).ok());
    EXPECT_FALSE(Probe(At("doc.jpg")).ok());
}

TEST_F(ImageProbeTest, TruncatedHeadersAreErrors) {
    for (auto [name, keep] : {std::pair{"t.jpg", 10}, std::pair{"t.png", 20},
                              std::pair{"t.tif", 12}, std::pair{"t.bmp", 20}}) {
        if (std::string(name) == "t.bmp") {
            testing::WriteBmp(At(name), 50, 50);
        } else {
            testing::WriteImage(At(name), 50, 50);
        }
        testing::Truncate(At(name), static_cast<std::size_t>(keep));
        auto info = Probe(At(name));
        EXPECT_FALSE(info.ok()) << name << " read as " << info->width << "x" << info->height;
    }
}

// A small BMP whose header states width x height instead (a signed 32-bit field each).
void WriteBmpStating(const std::filesystem::path& path, std::int32_t width, std::int32_t height) {
    testing::WriteBmp(path, 4, 4);
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    for (auto [at, value] : {std::pair{18, width}, std::pair{22, height}}) {
        const auto bits = static_cast<std::uint32_t>(value);
        const char bytes[4] = {static_cast<char>(bits), static_cast<char>(bits >> 8),
                               static_cast<char>(bits >> 16), static_cast<char>(bits >> 24)};
        file.seekp(at);
        file.write(bytes, 4);
    }
}

TEST_F(ImageProbeTest, BmpsAreBoundedOnTheirHeaderBeforeBeingReadWhole) {
    // BMP alone is read and decoded whole: a header promising 8193 x 4096 pixels (a top-down
    // image: negative height) is refused on the header.
    WriteBmpStating(At("huge.bmp"), 8193, -4096);
    auto huge = Probe(At("huge.bmp"));
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(huge.error().message,
              "BMP of 8193 x 4096 pixels is over the limit of 33554432 pixels a BMP (decoded whole "
              "in memory); convert it to PNG or TIFF");
    // At the limit the header passes; the data is what fails.
    WriteBmpStating(At("limit.bmp"), 8192, 4096);
    auto at_limit = Probe(At("limit.bmp"));
    if (!at_limit.ok()) {
        EXPECT_EQ(at_limit.error().message.find("over the limit"), std::string::npos)
            << at_limit.error().message;
    }
    // A file far bigger than any BMP within the limit is not read (sparse: costs no disk).
    testing::WriteBmp(At("padded.bmp"), 10, 10);
    std::filesystem::resize_file(At("padded.bmp"), std::uintmax_t{130} << 20);
    auto padded = Probe(At("padded.bmp"));
    ASSERT_FALSE(padded.ok());
    EXPECT_EQ(padded.error().message,
              "BMP file of 130 MiB is over the limit of 129 MiB a BMP (read whole in memory); "
              "convert it to PNG or TIFF");
}

TEST_F(ImageProbeTest, EmptyAndMissingFiles) {
    testing::WriteText(At("empty.png"), "");
    EXPECT_EQ(Probe(At("empty.png")).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(Probe(At("missing.png")).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ImageProbeTest, DicomIsProbedFromItsHeader) {
    testing::DicomSpec spec;
    spec.rows = 3;
    spec.columns = 5;
    spec.values.assign(15, 100);
    testing::WriteDicom(At("scan.DCM"), spec);
    auto info = Probe(At("scan.DCM"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->format, "dicom");
    EXPECT_EQ(info->width, 5);
    EXPECT_EQ(info->height, 3);
    EXPECT_EQ(info->size_bytes,
              static_cast<std::int64_t>(std::filesystem::file_size(At("scan.DCM"))));
}

TEST_F(ImageProbeTest, CorruptDicomIsAnErrorWithAReason) {
    testing::WriteText(At("scan.dcm"), std::string(128, '\0') + "DICM" + std::string(9, 'x'));
    auto info = Probe(At("scan.dcm"));
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(info.error().message.find("DICOM"), std::string::npos) << info.error().message;
}

}  // namespace
}  // namespace tessera
