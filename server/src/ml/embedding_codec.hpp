#pragma once
// Embeddings as stored (ItemEmbedding::vector): IEEE float16, little-endian, two bytes a value.
// Half the size of float32 (a 1792-d vector is 3.5 KiB); the 11-bit significand keeps three
// significant digits, far finer than what separates two images' features.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::ml {

// Rounds to nearest, ties to even; beyond float16's range becomes infinity.
std::string EncodeFloat16(std::span<const float> values);
// Empty when `bytes` has an odd length.
std::vector<float> DecodeFloat16(std::string_view bytes);

}  // namespace tessera::ml
