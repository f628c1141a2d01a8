#include "blobs/dicom_image.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "blobs/dicom_test_files.hpp"
#include "blobs/image_renderer.hpp"
#include "blobs/test_images.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::DicomSpec;
using testing::Gradient;
using testing::RunDcmtkTool;
using testing::WriteDicom;

// DICOM PS3.3 C.11.2.1.2.1, the linear VOI function, onto 0-255.
int Windowed(double x, double center, double width) {
    const double low = center - 0.5 - (width - 1) / 2;
    const double high = center - 0.5 + (width - 1) / 2;
    if (x <= low) {
        return 0;
    }
    if (x > high) {
        return 255;
    }
    return static_cast<int>(std::lround(((x - (center - 0.5)) / (width - 1) + 0.5) * 255));
}

class DicomImageTest : public ::testing::Test {
protected:
    fs::path Path(const std::string& name) const { return dir_.path() / name; }

    Result<DicomRaster> Render(const fs::path& path, DicomView view = {}) {
        auto file = SourceFile::Open({dir_.path(), path});
        if (!file.ok()) {
            return file.error();
        }
        return RenderDicom(*file, view);
    }
    Result<DicomInfo> Metadata(const fs::path& path) {
        auto file = SourceFile::Open({dir_.path(), path});
        if (!file.ok()) {
            return file.error();
        }
        return ReadDicomMetadata(*file);
    }
    Result<DicomInfo> Info(const fs::path& path) {
        auto file = SourceFile::Open({dir_.path(), path});
        if (!file.ok()) {
            return file.error();
        }
        return ReadDicomInfo(*file);
    }

    // 16 x 16 MONOCHROME2, 12-bit values 0-4095, no window in the file.
    static DicomSpec Mono16() {
        DicomSpec spec;
        spec.rows = 16;
        spec.columns = 16;
        spec.bits = 16;
        spec.values = Gradient(16, 16, 0, 4095);
        return spec;
    }
    // 16 x 16 MONOCHROME2, 8-bit values 0-255.
    static DicomSpec Mono8() {
        DicomSpec spec = Mono16();
        spec.bits = 8;
        spec.values = Gradient(16, 16, 0, 255);
        return spec;
    }
    // 8 x 8 RGB: a red, a green, a blue and a grey band of two rows each.
    static DicomSpec Rgb() {
        DicomSpec spec;
        spec.rows = 8;
        spec.columns = 8;
        spec.samples = 3;
        spec.bits = 8;
        spec.photometric = "RGB";
        const std::array<std::array<int, 3>, 4> colours{
            {{200, 30, 40}, {20, 180, 60}, {30, 40, 220}, {128, 128, 128}}};
        for (int y = 0; y < 8; ++y) {
            for (int x = 0; x < 8; ++x) {
                for (int c = 0; c < 3; ++c) {
                    spec.values.push_back(colours[static_cast<std::size_t>(y / 2)][c]);
                }
            }
        }
        return spec;
    }

    // The min/max rendering of Mono16: 0 maps to 0, 4095 to 255, linear between.
    static void ExpectMinMaxGradient(const DicomRaster& r, int tolerance) {
        ASSERT_EQ(r.width, 16);
        ASSERT_EQ(r.height, 16);
        ASSERT_EQ(r.bands, 1);
        EXPECT_NEAR(r.pixels.front(), 0, tolerance);
        EXPECT_NEAR(r.pixels.back(), 255, tolerance);
        EXPECT_NEAR(r.pixels[128], 128, tolerance + 1);
    }

    static void ExpectRgbBands(const DicomRaster& r, int tolerance) {
        ASSERT_EQ(r.bands, 3);
        ASSERT_EQ(r.width, 8);
        auto at = [&](int x, int y, int c) {
            const auto row = static_cast<std::size_t>(y) * static_cast<std::size_t>(r.width);
            return r.pixels[(row + static_cast<std::size_t>(x)) * 3 + static_cast<std::size_t>(c)];
        };
        EXPECT_NEAR(at(3, 0, 0), 200, tolerance);
        EXPECT_NEAR(at(3, 0, 1), 30, tolerance);
        EXPECT_NEAR(at(3, 0, 2), 40, tolerance);
        EXPECT_NEAR(at(3, 3, 1), 180, tolerance);
        EXPECT_NEAR(at(3, 5, 2), 220, tolerance);
        EXPECT_NEAR(at(3, 7, 0), 128, tolerance);
    }

    testing::TempDir dir_;
};

TEST_F(DicomImageTest, RendersMonochrome2WithMinMaxWindowWhenTheFileHasNone) {
    WriteDicom(Path("a.dcm"), Mono16());
    auto r = Render(Path("a.dcm"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ExpectMinMaxGradient(*r, 1);
}

TEST_F(DicomImageTest, AppliesTheFilesWindowAfterRescale) {
    DicomSpec spec = Mono16();
    spec.slope = 2;
    spec.intercept = -1000;
    spec.window = {{1000, 2000}};  // rescaled values 0-2000 of -1000-7190
    WriteDicom(Path("a.dcm"), spec);
    auto r = Render(Path("a.dcm"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    for (std::size_t i : {0UL, 60UL, 120UL, 200UL, 255UL}) {
        const double rescaled = spec.values[i] * 2.0 - 1000;
        EXPECT_NEAR(r->pixels[i], Windowed(rescaled, 1000, 2000), 1) << "pixel " << i;
    }
    auto meta = Metadata(Path("a.dcm"));
    ASSERT_TRUE(meta.ok()) << meta.error().message;
    EXPECT_EQ(meta->window_source, DicomWindowSource::kFile);
    EXPECT_DOUBLE_EQ(meta->default_window->center, 1000);
    EXPECT_DOUBLE_EQ(meta->rescale_slope, 2);
    EXPECT_DOUBLE_EQ(meta->rescale_intercept, -1000);
    EXPECT_EQ(meta->rescale_type, "HU");
}

TEST_F(DicomImageTest, AnExplicitWindowOverridesTheDefault) {
    WriteDicom(Path("a.dcm"), Mono16());
    auto r = Render(Path("a.dcm"), {0, DicomWindow{1000, 500}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto spec = Mono16();
    for (std::size_t i = 0; i < 256; i += 7) {
        EXPECT_NEAR(r->pixels[i], Windowed(spec.values[i], 1000, 500), 1) << "pixel " << i;
    }
    auto other = Render(Path("a.dcm"), {0, DicomWindow{3000, 4000}});
    ASSERT_TRUE(other.ok());
    EXPECT_NE(r->pixels, other->pixels);
}

TEST_F(DicomImageTest, MetadataReportsTheMinMaxWindowAndNoPatientData) {
    WriteDicom(Path("a.dcm"), Mono16());
    auto meta = Metadata(Path("a.dcm"));
    ASSERT_TRUE(meta.ok()) << meta.error().message;
    EXPECT_EQ(meta->window_source, DicomWindowSource::kMinMax);
    ASSERT_TRUE(meta->default_window.has_value());
    EXPECT_NEAR(meta->default_window->center, 2047.5, 1);
    EXPECT_NEAR(meta->default_window->width, 4095, 2);
    EXPECT_EQ(meta->rows, 16);
    EXPECT_EQ(meta->columns, 16);
    EXPECT_EQ(meta->frames, 1);
    EXPECT_EQ(meta->bits_allocated, 16);
    EXPECT_EQ(meta->modality, "CT");
    EXPECT_EQ(meta->photometric, "MONOCHROME2");
    EXPECT_EQ(meta->transfer_syntax_uid, "1.2.840.10008.1.2.1");
    EXPECT_EQ(meta->transfer_syntax_name, "Little Endian Explicit");
    ASSERT_TRUE(meta->pixel_spacing.has_value());
    EXPECT_DOUBLE_EQ(meta->pixel_spacing->first, 0.5);
    EXPECT_DOUBLE_EQ(meta->pixel_spacing->second, 0.25);
}

TEST_F(DicomImageTest, Monochrome1IsInverted) {
    DicomSpec spec = Mono8();
    spec.photometric = "MONOCHROME1";
    WriteDicom(Path("a.dcm"), spec);
    auto r = Render(Path("a.dcm"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_NEAR(r->pixels.front(), 255, 1);
    EXPECT_NEAR(r->pixels.back(), 0, 1);
}

TEST_F(DicomImageTest, SignedPixelsRenderInOrder) {
    DicomSpec spec = Mono16();
    spec.is_signed = true;
    spec.values = Gradient(16, 16, -1000, 1000);
    WriteDicom(Path("a.dcm"), spec);
    auto r = Render(Path("a.dcm"), {0, DicomWindow{0, 2001}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_NEAR(r->pixels.front(), 0, 1);
    EXPECT_NEAR(r->pixels.back(), 255, 1);
    EXPECT_NEAR(r->pixels[128], Windowed(spec.values[128], 0, 2001), 1);
}

TEST_F(DicomImageTest, RendersRgb) {
    WriteDicom(Path("a.dcm"), Rgb());
    auto r = Render(Path("a.dcm"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ExpectRgbBands(*r, 0);
}

TEST_F(DicomImageTest, RendersPaletteColour) {
    DicomSpec spec = Mono8();
    spec.photometric = "PALETTE COLOR";
    for (int i = 0; i < 256; ++i) {
        spec.red.push_back(static_cast<std::uint16_t>(i * 257));
        spec.green.push_back(static_cast<std::uint16_t>((255 - i) * 257));
        spec.blue.push_back(static_cast<std::uint16_t>(0x8080));
    }
    WriteDicom(Path("a.dcm"), spec);
    auto r = Render(Path("a.dcm"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->bands, 3);
    EXPECT_NEAR(r->pixels[0], 0, 1);
    EXPECT_NEAR(r->pixels[1], 255, 1);
    EXPECT_NEAR(r->pixels[2], 128, 1);
    const std::size_t last = r->pixels.size() - 3;
    EXPECT_NEAR(r->pixels[last], 255, 1);
    EXPECT_NEAR(r->pixels[last + 1], 0, 1);
}

TEST_F(DicomImageTest, AWindowOnAColourImageIsRefused) {
    WriteDicom(Path("a.dcm"), Rgb());
    auto r = Render(Path("a.dcm"), {0, DicomWindow{100, 50}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(DicomImageTest, RendersEachFrameOfAMultiFrameFile) {
    DicomSpec spec = Mono8();
    spec.frames = 3;
    spec.values.clear();
    spec.window = {{128, 256}};
    for (int f = 0; f < 3; ++f) {
        spec.values.insert(spec.values.end(), 256, 10 + 100 * f);
    }
    WriteDicom(Path("multi.dcm"), spec);
    RunDcmtkTool("dcmcrle", "", Path("multi.dcm"), Path("multi-rle.dcm"));
    for (const char* name : {"multi.dcm", "multi-rle.dcm"}) {
        auto info = Info(Path(name));
        ASSERT_TRUE(info.ok()) << info.error().message;
        EXPECT_EQ(info->frames, 3);
        for (int f = 0; f < 3; ++f) {
            auto r = Render(Path(name), {f, std::nullopt});
            ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
            EXPECT_NEAR(r->pixels[5], Windowed(10 + 100 * f, 128, 256), 1)
                << name << " frame " << f;
        }
        auto out = Render(Path(name), {3, std::nullopt});
        ASSERT_FALSE(out.ok());
        EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(out.error().message.find("3 frame"), std::string::npos) << out.error().message;
    }
}

// Overwrites the start of the last fragment of an encapsulated file (the last frame's, one
// fragment per frame as dcmcrle and dcmcjpls write them) with 0xFF bytes, keeping every length.
void CorruptLastFragment(const fs::path& path) {
    std::string bytes;
    {
        std::ifstream in(path, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const std::string item_tag("\xFE\xFF\x00\xE0", 4);  // (FFFE,E000), little endian
    const std::size_t at = bytes.rfind(item_tag);
    ASSERT_NE(at, std::string::npos) << path << " has no pixel items";
    ASSERT_LT(at + 8 + 16, bytes.size());
    std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(at + 8), 16, '\xFF');
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Showing a frame of a long multi-frame file decodes that frame alone: with the last frame
// corrupt, the first renders, the metadata (whose min/max window comes from the first frame)
// says 120 frames, and only the last frame is refused.
TEST_F(DicomImageTest, ShowingOneFrameDecodesOnlyThatFrame) {
    constexpr int kFrames = 120;
    DicomSpec spec = Mono8();
    spec.frames = kFrames;
    spec.values.clear();
    for (int f = 0; f < kFrames; ++f) {
        spec.values.insert(spec.values.end(), 256, f * 2);
    }
    WriteDicom(Path("long.dcm"), spec);
    RunDcmtkTool("dcmcrle", "", Path("long.dcm"), Path("long-rle.dcm"));
    RunDcmtkTool("dcmcjpls", "", Path("long.dcm"), Path("long-jpls.dcm"));
    for (const char* name : {"long-rle.dcm", "long-jpls.dcm"}) {
        ASSERT_TRUE(Render(Path(name), {kFrames - 1, std::nullopt}).ok()) << name;
        CorruptLastFragment(Path(name));
        auto meta = Metadata(Path(name));
        ASSERT_TRUE(meta.ok()) << name << ": " << meta.error().message;
        EXPECT_EQ(meta->frames, kFrames);
        EXPECT_EQ(meta->window_source, DicomWindowSource::kMinMax);
        for (int f : {0, 1, kFrames - 2}) {
            auto r = Render(Path(name), {f, std::nullopt});
            ASSERT_TRUE(r.ok()) << name << " frame " << f << ": " << r.error().message;
        }
        auto last = Render(Path(name), {kFrames - 1, std::nullopt});
        ASSERT_FALSE(last.ok()) << name << ": the corrupt last frame rendered";
        EXPECT_EQ(last.error().code, ErrorCode::kFailedPrecondition) << last.error().message;
    }
}

// Every transfer syntax made from the same 16-bit image by DCMTK's own tools renders the
// same pixels (the lossless ones exactly).
TEST_F(DicomImageTest, LosslessTransferSyntaxesRenderTheSamePixels) {
    WriteDicom(Path("base.dcm"), Mono16());
    auto base = Render(Path("base.dcm"));
    ASSERT_TRUE(base.ok()) << base.error().message;
    struct Case {
        const char* tool;
        const char* options;
        const char* uid;
    };
    const std::vector<Case> cases{
        {"dcmconv", "+ti", "1.2.840.10008.1.2"},
        {"dcmconv", "+tb", "1.2.840.10008.1.2.2"},
        {"dcmconv", "+td", "1.2.840.10008.1.2.1.99"},
        {"dcmcjpeg", "+el", "1.2.840.10008.1.2.4.57"},  // JPEG lossless, process 14
        {"dcmcjpeg", "+e1", "1.2.840.10008.1.2.4.70"},  // JPEG lossless, first-order
        {"dcmcjpls", "+el", "1.2.840.10008.1.2.4.80"},  // JPEG-LS lossless
        {"dcmcrle", "", "1.2.840.10008.1.2.5"},
    };
    for (const Case& c : cases) {
        const fs::path out = Path(std::string(c.tool) + c.options + ".dcm");
        RunDcmtkTool(c.tool, c.options, Path("base.dcm"), out);
        auto info = Info(out);
        ASSERT_TRUE(info.ok()) << c.tool << " " << c.options << ": " << info.error().message;
        EXPECT_EQ(info->transfer_syntax_uid, c.uid) << c.tool << " " << c.options;
        auto r = Render(out);
        ASSERT_TRUE(r.ok()) << c.tool << " " << c.options << ": " << r.error().message;
        EXPECT_EQ(r->pixels, base->pixels) << c.tool << " " << c.options;
    }
}

TEST_F(DicomImageTest, LossyTransferSyntaxesRenderClosePixels) {
    WriteDicom(Path("mono8.dcm"), Mono8());
    WriteDicom(Path("rgb.dcm"), Rgb());
    RunDcmtkTool("dcmcjpeg", "+eb", Path("mono8.dcm"), Path("mono-baseline.dcm"));
    RunDcmtkTool("dcmcjpeg", "+ee", Path("mono8.dcm"), Path("mono-extended.dcm"));
    RunDcmtkTool("dcmcjpls", "+en", Path("mono8.dcm"), Path("mono-jpls-near.dcm"));
    for (const char* name : {"mono-baseline.dcm", "mono-extended.dcm", "mono-jpls-near.dcm"}) {
        auto r = Render(Path(name), {0, DicomWindow{127.5, 256}});
        ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
        EXPECT_NEAR(r->pixels.front(), 0, 8) << name;
        EXPECT_NEAR(r->pixels.back(), 255, 8) << name;
        EXPECT_NEAR(r->pixels[128], 128, 8) << name;
    }
    // JPEG baseline stores colour as YBR_FULL_422; DCMTK converts it back to RGB.
    RunDcmtkTool("dcmcjpeg", "+eb", Path("rgb.dcm"), Path("rgb-baseline.dcm"));
    auto info = Info(Path("rgb-baseline.dcm"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->photometric, "YBR_FULL_422");
    auto r = Render(Path("rgb-baseline.dcm"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ExpectRgbBands(*r, 12);
}

TEST_F(DicomImageTest, UncompressedYbrFullIsConvertedToRgb) {
    WriteDicom(Path("rgb.dcm"), Rgb());
    // Decompressing a JPEG keeps the YBR_FULL colour model of its pixels (+cn: no conversion).
    RunDcmtkTool("dcmcjpeg", "+eb +cy", Path("rgb.dcm"), Path("ybr-jpeg.dcm"));
    RunDcmtkTool("dcmdjpeg", "+cn", Path("ybr-jpeg.dcm"), Path("ybr.dcm"));
    auto info = Info(Path("ybr.dcm"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_TRUE(info->photometric.starts_with("YBR_FULL")) << info->photometric;
    auto r = Render(Path("ybr.dcm"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ExpectRgbBands(*r, 12);
}

TEST_F(DicomImageTest, Img2dcmFilesFromABmpRender) {
    testing::WriteBmp(Path("in.bmp"), 12, 10);
    RunDcmtkTool("img2dcm", "-i BMP", Path("in.bmp"), Path("bmp.dcm"));
    auto info = Info(Path("bmp.dcm"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->columns, 12);
    EXPECT_EQ(info->rows, 10);
    auto r = Render(Path("bmp.dcm"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->width, 12);
    EXPECT_EQ(r->height, 10);
}

TEST_F(DicomImageTest, Jpeg2000LosslessRendersExactly) {
    WriteDicom(Path("base.dcm"), Mono16());
    testing::WriteJpeg2000Dicom(Path("j2k.dcm"), Mono16(), true);
    auto info = Info(Path("j2k.dcm"));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->transfer_syntax_uid, "1.2.840.10008.1.2.4.90");
    auto base = Render(Path("base.dcm"));
    auto r = Render(Path("j2k.dcm"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->pixels, base->pixels);

    testing::WriteJpeg2000Dicom(Path("j2k-rgb.dcm"), Rgb(), true);
    auto rgb = Render(Path("j2k-rgb.dcm"));
    ASSERT_TRUE(rgb.ok()) << rgb.error().message;
    ExpectRgbBands(*rgb, 0);
}

TEST_F(DicomImageTest, Jpeg2000LossyAndMultiFrame) {
    DicomSpec spec = Mono8();
    spec.frames = 2;
    spec.window = {{127.5, 256}};
    spec.values.clear();
    spec.values.insert(spec.values.end(), 256, 40);
    spec.values.insert(spec.values.end(), 256, 200);
    testing::WriteJpeg2000Dicom(Path("j2k.dcm"), spec, false);
    for (int f = 0; f < 2; ++f) {
        auto r = Render(Path("j2k.dcm"), {f, std::nullopt});
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_NEAR(r->pixels[17], f == 0 ? 40 : 200, 4) << "frame " << f;
    }
}

TEST_F(DicomImageTest, UnsupportedTransferSyntaxIsRefusedByName) {
    testing::WriteDicomClaiming(Path("mpeg.dcm"), Mono8(), "1.2.840.10008.1.2.4.100");
    auto info = Info(Path("mpeg.dcm"));
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(info.error().message.find("1.2.840.10008.1.2.4.100 (MPEG2 Main Profile"),
              std::string::npos)
        << info.error().message;
    testing::WriteDicomClaiming(Path("htj2k.dcm"), Mono8(), "1.2.840.10008.1.2.4.201");
    auto ht = Render(Path("htj2k.dcm"));
    ASSERT_FALSE(ht.ok());
    EXPECT_NE(ht.error().message.find("High-Throughput JPEG 2000"), std::string::npos)
        << ht.error().message;
}

TEST_F(DicomImageTest, CorruptFilesAreErrorsNotCrashes) {
    WriteDicom(Path("a.dcm"), Mono16());
    fs::copy_file(Path("a.dcm"), Path("cut.dcm"));
    testing::Truncate(Path("cut.dcm"), fs::file_size(Path("a.dcm")) - 100);
    testing::WriteText(Path("text.dcm"), "this is not a DICOM file at all");
    std::string preamble(128, '\0');
    testing::WriteText(Path("magic.dcm"), preamble + "DICM" + std::string(40, '\xff'));
    for (const char* name : {"cut.dcm", "text.dcm", "magic.dcm"}) {
        auto r = Render(Path(name));
        ASSERT_FALSE(r.ok()) << name;
        EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << name;
        EXPECT_FALSE(r.error().message.empty());
        auto bytes = RenderDicomBytes(preamble, {});
        EXPECT_FALSE(bytes.ok());
    }
}

TEST_F(DicomImageTest, SizesOverTheLimitAreRefusedBeforeDecoding) {
    DicomSpec spec = Mono8();
    spec.rows = 1;
    spec.columns = 1;
    spec.frames = 1;
    spec.values = {7};
    WriteDicom(Path("a.dcm"), spec);
    auto ok = Info(Path("a.dcm"));
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    // The same header stating 60,000 x 60,000 pixels.
    spec.rows = 60000;
    spec.columns = 60000;
    testing::WriteDicomClaiming(Path("big.dcm"), spec, "1.2.840.10008.1.2.1");
    auto big = Info(Path("big.dcm"));
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.error().message.find("over the limit"), std::string::npos) << big.error().message;
}

}  // namespace
}  // namespace tessera

namespace tessera {
namespace {

class DicomRenditionTest : public ::testing::Test {
protected:
    SourceRef Ref(const std::string& name) const { return {dir_.path(), dir_.path() / name}; }

    testing::TempDir dir_;
    ImageRenderer renderer_{dir_.path() / "cache"};
};

TEST_F(DicomRenditionTest, RendersPngAndAWindowChangesIt) {
    testing::DicomSpec spec;
    spec.rows = 20;
    spec.columns = 30;
    spec.values = testing::Gradient(20, 30, 0, 4095);
    testing::WriteDicom(dir_.path() / "a.dcm", spec);
    const CacheKey key{"p1", "i1-display"};
    auto plain = renderer_.Render(Ref("a.dcm"), RenditionSpec::Display(), key);
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ(plain->extension(), ".png");
    EXPECT_EQ(testing::ImageSize(*plain), std::make_pair(30, 20));
    RenditionSpec windowed = RenditionSpec::Display();
    windowed.dicom.window = DicomWindow{100, 50};
    auto other = renderer_.Render(Ref("a.dcm"), windowed, key);
    ASSERT_TRUE(other.ok()) << other.error().message;
    EXPECT_NE(*other, *plain);
    std::ifstream a(*plain, std::ios::binary);
    std::ifstream b(*other, std::ios::binary);
    std::string a_bytes((std::istreambuf_iterator<char>(a)), {});
    std::string b_bytes((std::istreambuf_iterator<char>(b)), {});
    EXPECT_NE(a_bytes, b_bytes);
    RenditionSpec frame = RenditionSpec::Display();
    frame.dicom.frame = 1;
    auto out = renderer_.Render(Ref("a.dcm"), frame, key);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(DicomRenditionTest, FrameAndWindowAreRefusedForOtherImages) {
    testing::WriteImage(dir_.path() / "a.png", 10, 10);
    RenditionSpec spec = RenditionSpec::Display();
    spec.dicom.window = DicomWindow{100, 50};
    auto r = renderer_.Render(Ref("a.png"), spec, CacheKey{"p1", "i1-display"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(DicomRenditionTest, WindowRenditionsAreBounded) {
    testing::DicomSpec spec;
    spec.values.assign(16, 100);
    testing::WriteDicom(dir_.path() / "a.dcm", spec);
    const CacheKey key{"p1", "i1-display"};
    std::filesystem::path first;
    for (std::size_t i = 0; i <= kMaxWindowRenditions; ++i) {
        RenditionSpec windowed = RenditionSpec::Thumbnail();
        windowed.dicom.window = DicomWindow{static_cast<double>(i), 10};
        auto r = renderer_.Render(Ref("a.dcm"), windowed, key);
        ASSERT_TRUE(r.ok()) << r.error().message;
        if (i == 0) {
            first = *r;
            EXPECT_TRUE(std::filesystem::exists(first));
        }
    }
    EXPECT_FALSE(std::filesystem::exists(first));
}

}  // namespace
}  // namespace tessera

namespace tessera {
namespace {

// Found by the fuzz target: DCMTK allocated a fragment's stated length before reading it.
TEST(DicomFragmentTest, AFragmentLongerThanTheFileIsRefusedBeforeAllocating) {
    testing::TempDir dir;
    testing::DicomSpec spec;
    spec.bits = 8;
    spec.values.assign(16, 50);
    testing::WriteJpeg2000Dicom(dir.path() / "a.dcm", spec, true);
    std::string bytes;
    {
        std::ifstream in(dir.path() / "a.dcm", std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string item("\xFE\xFF\x00\xE0", 4);
    const std::size_t table = bytes.find(item);
    ASSERT_NE(table, std::string::npos);
    const std::size_t fragment = bytes.find(item, table + 4);
    ASSERT_NE(fragment, std::string::npos);
    bytes.replace(fragment + 4, 4, std::string("\x00\x00\x00\xF0", 4));  // 4 GB - 256 MB
    testing::WriteText(dir.path() / "b.dcm", bytes);
    auto file = SourceFile::Open({dir.path(), dir.path() / "b.dcm"});
    ASSERT_TRUE(file.ok());
    auto r = RenderDicom(*file, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("more than the rest of the file"), std::string::npos)
        << r.error().message;
    auto from_bytes = RenderDicomBytes(bytes, {});
    ASSERT_FALSE(from_bytes.ok());
    EXPECT_EQ(from_bytes.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera

namespace tessera {
namespace {

// Found by the fuzz target: an element stating ~4 GB in a 500-byte file was allocated whole.
TEST(DicomFragmentTest, AnElementLongerThanTheFileIsRefusedBeforeAllocating) {
    testing::TempDir dir;
    testing::DicomSpec spec;
    spec.bits = 8;
    spec.values.assign(16, 50);
    testing::WriteDicom(dir.path() / "a.dcm", spec);
    std::string bytes;
    {
        std::ifstream in(dir.path() / "a.dcm", std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string modality(
        "\x08\x00\x60\x00"
        "CS\x02\x00"
        "CT",
        10);
    const std::size_t at = bytes.find(modality);
    ASSERT_NE(at, std::string::npos);
    bytes.replace(at, modality.size(),
                  std::string("\x08\x00\x60\x00"
                              "UN\x00\x00\xF0\xFF\xFF\xFF"
                              "CT",
                              14));
    testing::WriteText(dir.path() / "b.dcm", bytes);
    auto file = SourceFile::Open({dir.path(), dir.path() / "b.dcm"});
    ASSERT_TRUE(file.ok());
    auto info = ReadDicomInfo(*file);
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(info.error().message.find("(0008,0060) states 4294967280 bytes"), std::string::npos)
        << info.error().message;
}

}  // namespace
}  // namespace tessera

namespace tessera {
namespace {

// Pixel data over DCMTK's read limit (4 KB) is loaded when rendered, through the same reader.
TEST(DicomLargeTest, PixelDataOverTheReadLimitRendersTheSameInEverySyntax) {
    testing::TempDir dir;
    testing::DicomSpec spec;
    spec.rows = 96;
    spec.columns = 128;
    spec.frames = 2;
    spec.values = testing::Gradient(96, 128, 0, 4095);
    const auto second = testing::Gradient(96, 128, 4095, 0);
    spec.values.insert(spec.values.end(), second.begin(), second.end());
    testing::WriteDicom(dir.path() / "base.dcm", spec);
    testing::RunDcmtkTool("dcmcjpls", "", dir.path() / "base.dcm", dir.path() / "jpls.dcm");
    testing::RunDcmtkTool("dcmcrle", "", dir.path() / "base.dcm", dir.path() / "rle.dcm");
    testing::RunDcmtkTool("dcmconv", "+td", dir.path() / "base.dcm", dir.path() / "deflate.dcm");
    testing::WriteJpeg2000Dicom(dir.path() / "j2k.dcm", spec, true);
    auto render = [&](const char* name, int frame) {
        auto file = SourceFile::Open({dir.path(), dir.path() / name});
        EXPECT_TRUE(file.ok());
        return RenderDicom(*file, {frame, DicomWindow{2048, 4096}});
    };
    for (int frame = 0; frame < 2; ++frame) {
        auto base = render("base.dcm", frame);
        ASSERT_TRUE(base.ok()) << base.error().message;
        EXPECT_NEAR(base->pixels.front(), frame == 0 ? 0 : 255, 1);
        for (const char* name : {"jpls.dcm", "rle.dcm", "deflate.dcm", "j2k.dcm"}) {
            auto r = render(name, frame);
            ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
            EXPECT_EQ(r->pixels, base->pixels) << name << " frame " << frame;
        }
    }
}

}  // namespace
}  // namespace tessera
