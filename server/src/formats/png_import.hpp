#pragma once
// A small PNG decoder for mask import. libvips expands palette images to RGB, losing the class
// index an indexed PNG stores, so masks are decoded here: 8-bit grayscale and palette
// (1/2/4/8-bit) give indices; 8-bit RGB/RGBA give colours. Non-interlaced only.
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace tessera {

struct DecodedPng {
    int width = 0;
    int height = 0;
    bool indexed = false;  // true: `pixels` are indices (palette or gray); false: RGB triplets
    std::vector<std::uint8_t> pixels;  // width * height, or width * height * 3
};

Result<DecodedPng> DecodeMaskPng(const std::string& bytes);

}  // namespace tessera
