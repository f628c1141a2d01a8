#include "blobs/test_images.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <vips/vips8>

#include <cstdint>
#include <fstream>
#include <vector>

#include "blobs/vips_init.hpp"

namespace tessera::testing {

void WriteImage(const std::filesystem::path& path, int width, int height, int orientation,
                int bands) {
    EXPECT_TRUE(InitVips("test").ok());
    std::filesystem::create_directories(path.parent_path());
    // A gradient, so the encoders have something real to compress.
    vips::VImage x = vips::VImage::xyz(width, height);
    vips::VImage image = x[0] * (255.0 / width);
    std::vector<vips::VImage> channels;
    channels.reserve(bands);
    for (int b = 0; b < bands; ++b) {
        channels.push_back(b == 3 ? image * 0 + 128 : image);
    }
    image = vips::VImage::bandjoin(channels).cast(VIPS_FORMAT_UCHAR);
    image = image.copy(vips::VImage::option()->set(
        "interpretation", bands >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W));
    if (orientation != 1) {
        image.set("orientation", orientation);
    }
    image.write_to_file(path.c_str());
}

void WriteBmp(const std::filesystem::path& path, int width, int height) {
    std::filesystem::create_directories(path.parent_path());
    int row = (width * 3 + 3) / 4 * 4;
    std::uint32_t data_size = static_cast<std::uint32_t>(row * height);
    std::vector<unsigned char> out;
    auto u16 = [&](std::uint32_t v) {
        out.push_back(v & 0xff);
        out.push_back(v >> 8 & 0xff);
    };
    auto u32 = [&](std::uint32_t v) {
        u16(v & 0xffff);
        u16(v >> 16);
    };
    out.push_back('B');
    out.push_back('M');
    u32(54 + data_size);
    u32(0);
    u32(54);
    u32(40);
    u32(static_cast<std::uint32_t>(width));
    u32(static_cast<std::uint32_t>(height));
    u16(1);
    u16(24);
    u32(0);
    u32(data_size);
    u32(2835);
    u32(2835);
    u32(0);
    u32(0);
    out.resize(out.size() + data_size, 0x80);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

void Truncate(const std::filesystem::path& path, std::size_t bytes) {
    std::filesystem::resize_file(path, bytes);
}

std::pair<int, int> ImageSize(const std::filesystem::path& path) {
    vips::VImage image = vips::VImage::new_from_file(path.c_str());
    return {image.width(), image.height()};
}

}  // namespace tessera::testing
