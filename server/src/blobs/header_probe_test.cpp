#include "blobs/header_probe.hpp"

#include <gtest/gtest.h>
#include <vips/vips8>

#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <vector>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "support/datasets.hpp"
#include "support/temp_dir.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using Outcome = HeaderProbe::Outcome;
using testing::TempDir;

void WriteFile(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// What the ingest pipeline does: start with `first` bytes, read more while asked.
HeaderProbe ProbeBytes(const std::string& file, std::size_t first = 65536) {
    std::string_view all(file);
    std::size_t held = std::min(first, file.size());
    for (;;) {
        HeaderProbe probe =
            ProbeHeader(all.substr(0, held), static_cast<std::int64_t>(file.size()));
        if (probe.outcome != Outcome::kNeedMore) {
            return probe;
        }
        EXPECT_GT(static_cast<std::size_t>(probe.bytes_needed), held);
        EXPECT_LE(static_cast<std::size_t>(probe.bytes_needed), file.size());
        if (static_cast<std::size_t>(probe.bytes_needed) <= held) {
            return probe;
        }
        held = static_cast<std::size_t>(probe.bytes_needed);
    }
}

std::string Be16(std::uint32_t v) {
    return {static_cast<char>(v >> 8 & 0xFF), static_cast<char>(v & 0xFF)};
}
std::string Be32(std::uint32_t v) {
    return Be16(v >> 16) + Be16(v & 0xFFFF);
}
std::string Le16(std::uint32_t v) {
    return {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8 & 0xFF)};
}
std::string Le32(std::uint32_t v) {
    return Le16(v & 0xFFFF) + Le16(v >> 16);
}

class HeaderProbeTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(InitVips("test").ok()); }
    fs::path At(const std::string& name) const { return dir_.path() / name; }
    std::string Written(const std::string& name, int w, int h, int orientation = 1, int bands = 3) {
        testing::WriteImage(At(name), w, h, orientation, bands);
        return testing::ReadAll(At(name));
    }
    // The probe decides and says what the decoder says.
    void ExpectSameAsVips(const fs::path& path, bool must_decide = true) {
        std::string bytes = testing::ReadAll(path);
        HeaderProbe probe = ProbeBytes(bytes);
        auto vips = prober_.Probe(SourceRef{path.parent_path(), path});
        if (must_decide) {
            ASSERT_EQ(probe.outcome, Outcome::kDecided) << path << ": " << probe.why;
        }
        if (probe.outcome != Outcome::kDecided) {
            return;
        }
        ASSERT_TRUE(vips.ok()) << path << " decided by the header probe but not by libvips: "
                               << vips.error().message;
        EXPECT_EQ(probe.info.width, vips->width) << path;
        EXPECT_EQ(probe.info.height, vips->height) << path;
        EXPECT_EQ(probe.info.format, vips->format) << path;
        EXPECT_EQ(probe.info.size_bytes, vips->size_bytes) << path;
    }

    TempDir dir_;
    VipsImageProber prober_;
};

TEST_F(HeaderProbeTest, ReadsEachFormatWrittenByLibvips) {
    struct Case {
        std::string name;
        int w, h, bands;
        const char* format;
    };
    for (const Case& c : {Case{"a.jpg", 41, 31, 3, "jpeg"}, Case{"g.jpg", 5, 300, 1, "jpeg"},
                          Case{"a.png", 40, 30, 3, "png"}, Case{"ga.png", 7, 3, 2, "png"},
                          Case{"rgba.png", 1, 1, 4, "png"}, Case{"a.tif", 42, 32, 3, "tiff"},
                          Case{"g.tif", 3, 2, 1, "tiff"}, Case{"rgba.tif", 9, 8, 4, "tiff"}}) {
        std::string bytes = Written(c.name, c.w, c.h, 1, c.bands);
        HeaderProbe probe = ProbeBytes(bytes);
        ASSERT_EQ(probe.outcome, Outcome::kDecided) << c.name << ": " << probe.why;
        EXPECT_EQ(probe.info.width, c.w) << c.name;
        EXPECT_EQ(probe.info.height, c.h) << c.name;
        EXPECT_EQ(probe.info.format, c.format) << c.name;
        EXPECT_EQ(probe.info.size_bytes, static_cast<std::int64_t>(bytes.size()));
        ExpectSameAsVips(At(c.name));
    }
    testing::WriteBmp(At("d.bmp"), 43, 33);
    HeaderProbe bmp = ProbeBytes(testing::ReadAll(At("d.bmp")));
    ASSERT_EQ(bmp.outcome, Outcome::kDecided) << bmp.why;
    EXPECT_EQ(bmp.info.width, 43);
    EXPECT_EQ(bmp.info.height, 33);
    EXPECT_EQ(bmp.info.format, "bmp");
    ExpectSameAsVips(At("d.bmp"));
}

// The encoder options real files come with: the header reader decides the common ones and
// always agrees with libvips; the rest are left to libvips.
TEST_F(HeaderProbeTest, EncoderVariantsAgreeWithLibvips) {
    struct Variant {
        std::string name;
        std::function<void(const vips::VImage&, const std::string&)> save;
        bool must_decide;
    };
    auto opts = [] { return vips::VImage::option(); };
    const std::vector<Variant> variants = {
        {"progressive.jpg",
         [&](const vips::VImage& im, const std::string& p) {
             im.jpegsave(p.c_str(), opts()->set("interlace", true));
         },
         true},
        {"cmyk.jpg",
         [&](const vips::VImage& im, const std::string& p) {
             im.colourspace(VIPS_INTERPRETATION_CMYK).jpegsave(p.c_str());
         },
         true},
        {"grey16.png",
         [&](const vips::VImage& im, const std::string& p) {
             im.colourspace(VIPS_INTERPRETATION_GREY16).pngsave(p.c_str());
         },
         true},
        {"palette.png",
         [&](const vips::VImage& im, const std::string& p) {
             im.pngsave(p.c_str(), opts()->set("palette", true));
         },
         true},
        {"interlaced.png",
         [&](const vips::VImage& im, const std::string& p) {
             im.pngsave(p.c_str(), opts()->set("interlace", true));
         },
         true},
        {"tiled-lzw.tif",
         [&](const vips::VImage& im, const std::string& p) {
             im.tiffsave(p.c_str(), opts()
                                        ->set("tile", true)
                                        ->set("tile_width", 16)
                                        ->set("tile_height", 16)
                                        ->set("compression", VIPS_FOREIGN_TIFF_COMPRESSION_LZW));
         },
         true},
        {"deflate.tif",
         [&](const vips::VImage& im, const std::string& p) {
             im.tiffsave(p.c_str(),
                         opts()->set("compression", VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE));
         },
         true},
        {"big.tif",
         [&](const vips::VImage& im, const std::string& p) {
             im.tiffsave(p.c_str(), opts()->set("bigtiff", true));
         },
         true},
        {"bilevel.tif",
         [&](const vips::VImage& im, const std::string& p) {
             im.colourspace(VIPS_INTERPRETATION_B_W)
                 .tiffsave(p.c_str(), opts()->set("bitdepth", 1));
         },
         true},
        {"jpeg-in.tif",
         [&](const vips::VImage& im, const std::string& p) {
             im.tiffsave(p.c_str(), opts()->set("compression", VIPS_FOREIGN_TIFF_COMPRESSION_JPEG));
         },
         false},
        {"pyramid.tif",
         [&](const vips::VImage& im, const std::string& p) {
             im.tiffsave(p.c_str(), opts()->set("tile", true)->set("pyramid", true));
         },
         false},
    };
    testing::WriteImage(At("source.png"), 37, 29);
    const vips::VImage image = vips::VImage::new_from_file(At("source.png").c_str());
    for (const Variant& v : variants) {
        v.save(image, At(v.name).string());
        ExpectSameAsVips(At(v.name), v.must_decide);
    }
}

TEST_F(HeaderProbeTest, JpegExifOrientationFiveToEightSwapsLikeLibvips) {
    for (int orientation = 1; orientation <= 8; ++orientation) {
        std::string name = "o" + std::to_string(orientation) + ".jpg";
        HeaderProbe probe = ProbeBytes(Written(name, 60, 20, orientation));
        ASSERT_EQ(probe.outcome, Outcome::kDecided) << probe.why;
        EXPECT_EQ(probe.info.width, orientation >= 5 ? 20 : 60) << orientation;
        ExpectSameAsVips(At(name));
    }
}

TEST_F(HeaderProbeTest, TiffOrientationSwapsLikeLibvips) {
    for (int orientation : {1, 3, 6, 8}) {
        std::string name = "o" + std::to_string(orientation) + ".tif";
        testing::WriteImage(At(name), 50, 10);
        vips::VImage image = vips::VImage::new_from_file(At(name).c_str()).copy();
        image.set("orientation", orientation);
        std::string turned = "t" + name;
        image.write_to_file(At(turned).c_str());
        HeaderProbe probe = ProbeBytes(testing::ReadAll(At(turned)));
        ASSERT_EQ(probe.outcome, Outcome::kDecided) << probe.why;
        EXPECT_EQ(probe.info.width, orientation >= 5 ? 10 : 50) << orientation;
        ExpectSameAsVips(At(turned));
    }
}

TEST_F(HeaderProbeTest, AsksForMoreWhenTheHeaderIsLongerThanThePrefix) {
    std::string jpeg = Written("big.jpg", 30, 20, 6);
    // Two 64 KiB comment segments between SOI and the rest push the frame header far out.
    std::string comment = "\xFF\xFE" + Be16(65535) + std::string(65533, 'c');
    std::string padded = jpeg.substr(0, 2) + comment + comment + jpeg.substr(2);
    HeaderProbe first = ProbeHeader(std::string_view(padded).substr(0, 4096),
                                    static_cast<std::int64_t>(padded.size()));
    ASSERT_EQ(first.outcome, Outcome::kNeedMore);
    EXPECT_GT(first.bytes_needed, 4096);
    HeaderProbe probe = ProbeBytes(padded, 4096);
    ASSERT_EQ(probe.outcome, Outcome::kDecided) << probe.why;
    EXPECT_EQ(probe.info.width, 20);
    EXPECT_EQ(probe.info.height, 30);
    // The same bytes as a whole file cut short: undecided, never a guess.
    HeaderProbe cut = ProbeHeader(std::string_view(padded).substr(0, 4096), 4096);
    EXPECT_EQ(cut.outcome, Outcome::kUndecided);
}

TEST_F(HeaderProbeTest, TruncatedFilesAreNeverMisread) {
    std::vector<std::string> files = {Written("t.jpg", 33, 22, 6), Written("t.png", 33, 22),
                                      Written("t.tif", 33, 22)};
    testing::WriteBmp(At("t.bmp"), 33, 22);
    files.push_back(testing::ReadAll(At("t.bmp")));
    for (const std::string& file : files) {
        const std::size_t header = std::min<std::size_t>(file.size(), 2048);
        for (std::size_t n = 0; n <= header; ++n) {
            std::string_view cut = std::string_view(file).substr(0, n);
            // A file that really ends there.
            HeaderProbe alone = ProbeHeader(cut, static_cast<std::int64_t>(n));
            EXPECT_NE(alone.outcome, Outcome::kNeedMore) << n;
            if (alone.outcome == Outcome::kDecided) {
                EXPECT_EQ(alone.info.width * alone.info.height, 33 * 22) << n;
            }
            // The start of a longer file: decided right, or asks for more than it has.
            HeaderProbe start = ProbeHeader(cut, static_cast<std::int64_t>(file.size()));
            if (start.outcome == Outcome::kNeedMore) {
                EXPECT_GT(start.bytes_needed, static_cast<std::int64_t>(n));
            } else if (start.outcome == Outcome::kDecided) {
                EXPECT_EQ(start.info.width * start.info.height, 33 * 22) << n;
            }
        }
    }
}

TEST_F(HeaderProbeTest, HostileJpegHeadersAreLeftToTheDecoder) {
    const std::string soi = "\xFF\xD8";
    const std::string sof_body =
        std::string("\x08", 1) + Be16(10) + Be16(20) + std::string("\x01\x01\x11\x00", 4);
    auto sof = [&](std::uint8_t marker, const std::string& body) {
        return std::string("\xFF") + static_cast<char>(marker) + Be16(body.size() + 2) + body;
    };
    const std::string sos = "\xFF\xDA" + Be16(8) + std::string("\x01\x01\x00\x00\x3F\x00", 6);
    auto probe = [](const std::string& bytes) {
        return ProbeHeader(bytes, static_cast<std::int64_t>(bytes.size() + 100));
    };
    HeaderProbe good = probe(soi + sof(0xC0, sof_body) + sos);
    ASSERT_EQ(good.outcome, Outcome::kDecided) << good.why;
    EXPECT_EQ(good.info.width, 20);
    EXPECT_EQ(good.info.height, 10);

    std::string zero_height =
        std::string("\x08", 1) + Be16(0) + Be16(20) + std::string("\x01\x01\x11\x00", 4);
    std::string twelve_bit =
        std::string("\x0C", 1) + Be16(10) + Be16(20) + std::string("\x01\x01\x11\x00", 4);
    std::string bad_sampling =
        std::string("\x08", 1) + Be16(10) + Be16(20) + std::string("\x01\x01\x55\x00", 4);
    std::string huge =
        std::string("\x08", 1) + Be16(65535) + Be16(20) + std::string("\x01\x01\x11\x00", 4);
    for (const std::string& bytes :
         {soi + sof(0xC3, sof_body) + sos,  // lossless
          soi + sof(0xC0, zero_height) + sos, soi + sof(0xC0, twelve_bit) + sos,
          soi + sof(0xC0, bad_sampling) + sos, soi + sof(0xC0, huge) + sos,
          soi + sos + sof(0xC0, sof_body),                        // scan before frame
          soi + sof(0xC0, sof_body) + sof(0xC0, sof_body) + sos,  // two frames
          soi + std::string("\xFF\xE0\x00\x01", 4) + sof(0xC0, sof_body) + sos,  // length 1
          soi + "xx" + sof(0xC0, sof_body) + sos,                                // stray bytes
          soi + sof(0xC4, std::string(17, '\xFF')) + sof(0xC0, sof_body) + sos,  // bad DHT
          soi + sof(0xDB, std::string(10, '\0')) + sof(0xC0, sof_body) + sos,    // short DQT
          soi + "\xFF\xD9" + sof(0xC0, sof_body) + sos,                          // EOI first
          soi + sof(0xC0, sof_body) + "\xFF\xDA" + Be16(8) +
              std::string("\x07\x01\x00\x00\x3F\x00", 6)}) {  // scan of an unknown component
        EXPECT_EQ(probe(bytes).outcome, Outcome::kUndecided) << ::testing::PrintToString(bytes);
    }
}

TEST_F(HeaderProbeTest, HostileExifIsLeftToTheDecoder) {
    const std::string soi = "\xFF\xD8";
    const std::string frame = "\xFF\xC0" + Be16(11) + std::string("\x08", 1) + Be16(10) + Be16(20) +
                              std::string("\x01\x01\x11\x00", 4);
    const std::string sos = "\xFF\xDA" + Be16(8) + std::string("\x01\x01\x00\x00\x3F\x00", 6);
    auto exif = [](const std::string& tiff) {
        std::string body = std::string("Exif\0\0", 6) + tiff;
        return "\xFF\xE1" + Be16(body.size() + 2) + body;
    };
    auto ifd = [](std::uint32_t type, std::uint32_t count, std::uint32_t value) {
        return std::string("MM\0*", 4) + Be32(8) + Be16(1) + Be16(0x0112) + Be16(type) +
               Be32(count) + (type == 3 ? Be16(value) + Be16(0) : Be32(value)) + Be32(0);
    };
    auto probe = [&](const std::string& segment) {
        std::string bytes = soi + segment + frame + sos;
        return ProbeHeader(bytes, static_cast<std::int64_t>(bytes.size()));
    };
    HeaderProbe six = probe(exif(ifd(3, 1, 6)));
    ASSERT_EQ(six.outcome, Outcome::kDecided) << six.why;
    EXPECT_EQ(six.info.width, 10);
    EXPECT_EQ(six.info.height, 20);
    EXPECT_EQ(probe(exif(ifd(4, 1, 7))).info.width, 10);  // LONG, as libvips reads it too
    for (const std::string& segment :
         {exif(ifd(3, 1, 9)), exif(ifd(3, 1, 0)), exif(ifd(3, 2, 6)), exif(ifd(5, 1, 6)),
          exif(std::string("MM\0*", 4) + Be32(0x7FFFFFF0)),     // directory far away
          exif(std::string("MM\0*", 4) + Be32(8) + Be16(500)),  // entries past the end
          exif(std::string("XX\0*", 4) + Be32(8)),              // unknown byte order
          exif(ifd(3, 1, 1)) + exif(ifd(3, 1, 6)),              // two EXIF segments
          "\xFF\xE1" + Be16(8) + "Exif!!"}) {                   // not the standard header
        EXPECT_EQ(probe(segment).outcome, Outcome::kUndecided) << ::testing::PrintToString(segment);
    }
    // Other APP1 segments (XMP) are not EXIF.
    EXPECT_EQ(probe("\xFF\xE1" + Be16(9) + "http://").outcome, Outcome::kDecided);
}

TEST_F(HeaderProbeTest, HostilePngHeadersAreLeftToTheDecoder) {
    std::string png = Written("p.png", 12, 7);
    ASSERT_EQ(ProbeBytes(png).outcome, Outcome::kDecided);
    auto with = [&](std::size_t at, char value) {
        std::string bytes = png;
        bytes[at] = value;
        return ProbeBytes(bytes).outcome;
    };
    EXPECT_EQ(with(19, 0), Outcome::kUndecided);    // width 0 (and the CRC no longer matches)
    EXPECT_EQ(with(24, 3), Outcome::kUndecided);    // bit depth 3
    EXPECT_EQ(with(29, 'x'), Outcome::kUndecided);  // IHDR CRC
    EXPECT_EQ(with(12, 'i'), Outcome::kUndecided);  // first chunk not IHDR
    // An eXIf chunk may turn the image: libvips reads it, so the probe does not guess.
    std::string exif_chunk = Be32(0) + "eXIf" + Be32(0);
    std::string with_exif = png.substr(0, 33) + exif_chunk + png.substr(33);
    EXPECT_EQ(ProbeBytes(with_exif).outcome, Outcome::kUndecided);
    // An unknown critical chunk before the pixels.
    std::string critical = png.substr(0, 33) + Be32(0) + "ABCD" + Be32(0) + png.substr(33);
    EXPECT_EQ(ProbeBytes(critical).outcome, Outcome::kUndecided);
    // A chunk length running past the end of the file.
    std::string runaway = png.substr(0, 33) + Be32(0x7FFFFFF0) + "tEXt";
    EXPECT_EQ(ProbeHeader(runaway, static_cast<std::int64_t>(runaway.size())).outcome,
              Outcome::kUndecided);
}

std::string Bmp(std::uint32_t dib, std::int32_t w, std::int32_t h, std::uint32_t bits,
                std::uint32_t compression = 0, std::size_t pixel_bytes = 1 << 16) {
    std::string header;
    if (dib == 12) {
        header = Le32(12) + Le16(static_cast<std::uint32_t>(w)) +
                 Le16(static_cast<std::uint32_t>(h)) + Le16(1) + Le16(bits);
    } else {
        header = Le32(dib) + Le32(static_cast<std::uint32_t>(w)) +
                 Le32(static_cast<std::uint32_t>(h)) + Le16(1) + Le16(bits) + Le32(compression) +
                 std::string(dib - 20, '\0');
    }
    std::size_t palette = bits <= 8 ? (std::size_t{1} << bits) * (dib == 12 ? 3 : 4) : 0;
    std::size_t offset = 14 + header.size() + palette;
    std::string file = "BM" + Le32(static_cast<std::uint32_t>(offset + pixel_bytes)) + Le32(0) +
                       Le32(static_cast<std::uint32_t>(offset)) + header;
    return file + std::string(palette + pixel_bytes, '\0');
}

TEST_F(HeaderProbeTest, BmpHeadersOfEachKind) {
    auto probe = [](const std::string& bytes) { return ProbeBytes(bytes); };
    HeaderProbe core = probe(Bmp(12, 30, 20, 24));
    ASSERT_EQ(core.outcome, Outcome::kDecided) << core.why;
    EXPECT_EQ(core.info.width, 30);
    EXPECT_EQ(core.info.height, 20);
    HeaderProbe top_down = probe(Bmp(40, 30, -20, 8));
    ASSERT_EQ(top_down.outcome, Outcome::kDecided) << top_down.why;
    EXPECT_EQ(top_down.info.height, 20);
    EXPECT_EQ(probe(Bmp(124, 16, 16, 32, 3)).outcome, Outcome::kDecided);
    EXPECT_EQ(probe(Bmp(40, 30, 20, 8, 1)).outcome, Outcome::kUndecided);  // RLE
    EXPECT_EQ(probe(Bmp(40, 0, 20, 24)).outcome, Outcome::kUndecided);
    EXPECT_EQ(probe(Bmp(40, 30, 20, 7)).outcome, Outcome::kUndecided);
    EXPECT_EQ(probe(Bmp(64, 30, 20, 24)).outcome, Outcome::kUndecided);            // OS/2 2.x
    EXPECT_EQ(probe(Bmp(40, 300, 200, 24, 0, 100)).outcome, Outcome::kUndecided);  // pixels cut
    // Over the decoder's limits: the prober's message names them.
    EXPECT_EQ(probe(Bmp(40, 8193, 4096, 1, 0, 8193 * 4096 / 8 + 4096)).outcome,
              Outcome::kUndecided);
    EXPECT_EQ(probe(Bmp(40, -30, 20, 24)).outcome, Outcome::kUndecided);
    EXPECT_EQ(probe(Bmp(40, 30, INT32_MIN, 24)).outcome, Outcome::kUndecided);
}

TEST_F(HeaderProbeTest, TiffByteOrdersAndBigTiff) {
    auto entry = [](bool big_endian, std::uint32_t tag, std::uint32_t type, std::uint32_t value) {
        auto u16 = big_endian ? Be16 : Le16;
        auto u32 = big_endian ? Be32 : Le32;
        return u16(tag) + u16(type) + u32(1) + (type == 3 ? u16(value) + u16(0) : u32(value));
    };
    for (bool big_endian : {false, true}) {
        auto u16 = big_endian ? Be16 : Le16;
        auto u32 = big_endian ? Be32 : Le32;
        std::string ifd = u16(9) + entry(big_endian, 256, 4, 70000) + entry(big_endian, 257, 3, 5) +
                          entry(big_endian, 258, 3, 8) + entry(big_endian, 259, 3, 1) +
                          entry(big_endian, 262, 3, 1) + entry(big_endian, 273, 4, 8) +
                          entry(big_endian, 274, 3, 6) + entry(big_endian, 277, 3, 1) +
                          entry(big_endian, 279, 4, 350000) + u32(0);
        std::string head = big_endian ? std::string("MM\0*", 4) : std::string("II*\0", 4);
        std::string file = head + u32(8) + ifd;
        HeaderProbe probe = ProbeHeader(file, 400000);
        ASSERT_EQ(probe.outcome, Outcome::kDecided) << probe.why;
        EXPECT_EQ(probe.info.width, 5);  // orientation 6
        EXPECT_EQ(probe.info.height, 70000);
        EXPECT_EQ(probe.info.format, "tiff");
        // A directory beyond the bytes held is asked for; beyond the file, refused.
        std::string far = head + u32(300000);
        HeaderProbe need = ProbeHeader(far, 400000);
        ASSERT_EQ(need.outcome, Outcome::kNeedMore);
        EXPECT_GE(need.bytes_needed, 300002);
        EXPECT_EQ(ProbeHeader(head + u32(500000), 400000).outcome, Outcome::kUndecided);
    }
    // BigTIFF, little-endian: 8-byte counts and offsets.
    auto entry8 = [](std::uint32_t tag, std::uint32_t type, std::uint32_t value) {
        return Le16(tag) + Le16(type) + Le32(1) + Le32(0) + Le32(value) + Le32(0);
    };
    std::string big = std::string("II+\0", 4) + Le16(8) + Le16(0) + Le32(16) + Le32(0) + Le32(6) +
                      Le32(0) + entry8(256, 4, 640) + entry8(257, 4, 480) + entry8(262, 3, 2) +
                      entry8(273, 16, 500) + entry8(277, 3, 3) + entry8(279, 16, 900000) + Le32(0) +
                      Le32(0);
    // Three 8-bit samples but no BitsPerSample: libtiff's default of 1 bit does not fit RGB.
    EXPECT_EQ(ProbeHeader(big, 1000000).outcome, Outcome::kUndecided);
    std::string unsorted = std::string("II*\0", 4) + Le32(8) + Le16(2) + entry(false, 257, 3, 5) +
                           entry(false, 256, 3, 5) + Le32(0);
    EXPECT_EQ(ProbeHeader(unsorted, 1000).outcome, Outcome::kUndecided);
}

TEST_F(HeaderProbeTest, OtherContentIsUndecided) {
    for (const std::string& bytes :
         {std::string(), std::string("GIF89a......"), std::string(100, '\0'),
          std::string("RIFF\0\0\0\0WEBPVP8 ", 16), std::string("\xFF\xD8", 2)}) {
        EXPECT_EQ(ProbeHeader(bytes, static_cast<std::int64_t>(bytes.size())).outcome,
                  Outcome::kUndecided);
    }
    EXPECT_EQ(ProbeHeader("abc", 2).outcome, Outcome::kUndecided);  // prefix longer than file
}

// Mutated real files: whenever the probe decides, libvips must agree with it.
TEST_F(HeaderProbeTest, DecidesOnlyWhatLibvipsAgreesWithOnMutatedFiles) {
    std::mt19937 random(20261206);
    std::vector<std::string> seeds = {Written("m.jpg", 23, 17, 6), Written("m.png", 23, 17),
                                      Written("m.tif", 23, 17)};
    testing::WriteBmp(At("m.bmp"), 23, 17);
    seeds.push_back(testing::ReadAll(At("m.bmp")));
    int decided = 0;
    for (int i = 0; i < 800; ++i) {
        std::string bytes = seeds[static_cast<std::size_t>(i) % seeds.size()];
        const int flips = 1 + static_cast<int>(random() % 3);
        for (int f = 0; f < flips; ++f) {
            std::size_t at = random() % std::min<std::size_t>(bytes.size(), 200);
            bytes[at] = static_cast<char>(random() & 0xFF);
        }
        fs::path path = At("mutant" + std::to_string(i % seeds.size()) + ".img");
        WriteFile(path, bytes);
        ExpectSameAsVips(path, false);
        decided += ProbeBytes(bytes).outcome == Outcome::kDecided ? 1 : 0;
    }
    EXPECT_GT(decided, 0);  // the mutations left some headers intact
}

// Every image in the shared datasets (real files from other tools): the same answer as libvips.
TEST_F(HeaderProbeTest, AgreesWithLibvipsOnEveryDatasetImage) {
    const fs::path shared(TESSERA_SHARED_DATASETS);
    TESSERA_REQUIRE_DATASET(shared);
    const fs::path datasets = fs::canonical(shared);
    int compared = 0;
    for (const auto& entry : fs::recursive_directory_iterator(datasets)) {
        const std::string ext = entry.path().extension().string();
        if (!entry.is_regular_file() || (ext != ".jpg" && ext != ".jpeg" && ext != ".png" &&
                                         ext != ".bmp" && ext != ".tif" && ext != ".tiff")) {
            continue;
        }
        std::string bytes = testing::ReadAll(entry.path());
        HeaderProbe probe = ProbeBytes(bytes);
        auto vips = prober_.Probe(SourceRef{entry.path().parent_path(), entry.path()});
        if (probe.outcome != Outcome::kDecided) {
            // Undecided is allowed only where libvips refuses the file too (or it is unusual).
            ADD_FAILURE() << entry.path() << " undecided: " << probe.why
                          << (vips.ok() ? " (libvips reads it)" : "");
            continue;
        }
        ASSERT_TRUE(vips.ok()) << entry.path() << ": " << vips.error().message;
        EXPECT_EQ(probe.info.width, vips->width) << entry.path();
        EXPECT_EQ(probe.info.height, vips->height) << entry.path();
        EXPECT_EQ(probe.info.format, vips->format) << entry.path();
        ++compared;
    }
    EXPECT_GT(compared, 0) << "no image files under " << datasets;
}

}  // namespace
}  // namespace tessera
