// Indexed PNG masks, decoded by libvips (an independent reader) and compared pixel by pixel.
#include "formats/png_writer.hpp"

#include <gtest/gtest.h>
#include <vips/vips8>

#include <random>

#include "formats/export_test_support.hpp"
#include "formats/mask_writer.hpp"

namespace tessera {
namespace {

using testing::MakeBox;
using testing::MakeMask;
using testing::MemorySink;
using testing::SampleCategories;
using testing::SampleImage;

class PngWriterTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_EQ(VIPS_INIT("png_writer_test"), 0); }

    // Decodes with libvips and returns each pixel's RGB (palette images load as RGB).
    static std::vector<Rgb> Decode(const std::string& png, int& width, int& height) {
        vips::VImage image = vips::VImage::new_from_buffer(png.data(), png.size(), "");
        width = image.width();
        height = image.height();
        if (image.bands() < 3) {
            image = image.colourspace(VIPS_INTERPRETATION_sRGB);
        }
        image = image.cast(VIPS_FORMAT_UCHAR);
        std::size_t size = 0;
        void* memory = image.write_to_memory(&size);
        const auto* bytes = static_cast<const std::uint8_t*>(memory);
        const std::size_t bands = static_cast<std::size_t>(image.bands());
        std::vector<Rgb> pixels;
        for (std::size_t i = 0; i + bands <= size; i += bands) {
            pixels.push_back({bytes[i], bytes[i + 1], bytes[i + 2]});
        }
        g_free(memory);
        return pixels;
    }
};

TEST_F(PngWriterTest, VocPaletteStartsLikePascalVoc) {
    std::vector<Rgb> palette = VocPalette(5);
    EXPECT_EQ(palette[0], (Rgb{0, 0, 0}));
    EXPECT_EQ(palette[1], (Rgb{128, 0, 0}));
    EXPECT_EQ(palette[2], (Rgb{0, 128, 0}));
    EXPECT_EQ(palette[3], (Rgb{128, 128, 0}));
    EXPECT_EQ(palette[4], (Rgb{0, 0, 128}));
}

TEST_F(PngWriterTest, RandomIndexedImageRoundTrips) {
    std::mt19937 rng(7);
    const int w = 37;
    const int h = 300;  // several IDAT chunks are not needed for correctness, rows are
    std::vector<Rgb> palette = VocPalette(6);
    std::vector<std::vector<std::uint8_t>> rows(h, std::vector<std::uint8_t>(w));
    for (auto& row : rows) {
        for (auto& v : row) {
            v = static_cast<std::uint8_t>(rng() % palette.size());
        }
    }
    MemorySink sink;
    IndexedPngWriter png(sink, w, h, palette);
    ASSERT_TRUE(png.Begin().ok());
    for (const auto& row : rows) {
        ASSERT_TRUE(png.WriteRow(row).ok());
    }
    ASSERT_TRUE(png.Finish().ok());
    int dw = 0;
    int dh = 0;
    std::vector<Rgb> pixels = Decode(sink.data, dw, dh);
    ASSERT_EQ(dw, w);
    ASSERT_EQ(dh, h);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            ASSERT_EQ(pixels[y * w + x], palette[rows[y][x]]) << x << "," << y;
        }
    }
}

TEST_F(PngWriterTest, MisuseIsAnError) {
    MemorySink sink;
    IndexedPngWriter png(sink, 2, 1, VocPalette(2));
    EXPECT_FALSE(png.WriteRow({0, 0}).ok());  // before Begin
    ASSERT_TRUE(png.Begin().ok());
    EXPECT_FALSE(png.WriteRow({0}).ok());     // wrong width
    EXPECT_FALSE(png.WriteRow({0, 5}).ok());  // outside the palette
    EXPECT_FALSE(png.Finish().ok());          // rows missing
}

TEST_F(PngWriterTest, SemanticMaskDecodesToClassColours) {
    // 5x4: Dog (category 3) on a run that wraps from row 0 into row 1, Animal (1) at the end.
    ExportImage image = SampleImage(1, "road/scene.1.png", 5, 4,
                                    {MakeMask("Dog", {3, 4}), MakeMask("Animal", {18, 2})});
    MemorySink sink;
    ASSERT_TRUE(WriteMaskPng(image, SampleCategories(), sink).ok());
    EXPECT_EQ(MaskEntryName(image), "SegmentationClass/road/scene.1.png");
    int w = 0;
    int h = 0;
    std::vector<Rgb> pixels = Decode(sink.data, w, h);
    ASSERT_EQ(w, 5);
    ASSERT_EQ(h, 4);
    std::vector<Rgb> palette = VocPalette(4);
    for (int i = 0; i < 20; ++i) {
        Rgb expected = palette[0];
        if (i >= 3 && i < 7) {
            expected = palette[3];
        } else if (i >= 18) {
            expected = palette[1];
        }
        EXPECT_EQ(pixels[i], expected) << "pixel " << i;
    }
}

TEST_F(PngWriterTest, LabelMapNamesEveryColour) {
    EXPECT_EQ(LabelMapText(SampleCategories()),
              "# label:color_rgb:parts:actions\n"
              "background:0,0,0::\n"
              "Animal:128,0,0::\n"
              "Animal/Cat:0,128,0::\n"
              "Dog:128,128,0::\n");
}

TEST_F(PngWriterTest, BoxesInAMaskExportAreRefused) {
    MemorySink sink;
    ExportImage image = SampleImage(1, "x.png", 4, 4, {MakeBox("Dog", 0, 0, 2, 2)});
    EXPECT_FALSE(WriteMaskPng(image, SampleCategories(), sink).ok());
}

}  // namespace
}  // namespace tessera
