#pragma once
// A small PNG decoder for mask import. libvips expands palette images to RGB, losing the class
// index an indexed PNG stores, so masks are decoded here: grayscale (1/2/4/8/16-bit) and palette
// (1/2/4/8-bit) give indices; 8-bit RGB/RGBA give colours. Non-interlaced only.
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace tessera {

struct DecodedPng {
    int width = 0;
    int height = 0;
    bool indexed = false;     // true: values are indices (palette or gray); false: RGB colours
    int bytes_per_value = 1;  // 1 (8-bit index), 2 (16-bit gray, big-endian) or 3 (R, G, B)
    std::vector<std::uint8_t> pixels;  // width * height * bytes_per_value, row-major

    // Pixel i's index, or its colour as 0xRRGGBB.
    std::uint32_t Value(std::size_t i) const {
        const std::uint8_t* p = &pixels[i * static_cast<std::size_t>(bytes_per_value)];
        switch (bytes_per_value) {
            case 1: return p[0];
            case 2: return (std::uint32_t{p[0]} << 8) | p[1];
            default: return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
        }
    }
};

Result<DecodedPng> DecodeMaskPng(const std::string& bytes);

}  // namespace tessera
