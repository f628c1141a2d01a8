#include "app/default_backbone.hpp"

#include <sodium.h>

#include <array>

// Defined in default_backbone.S: the assembler's names, not ours to style.
// NOLINTBEGIN(readability-identifier-naming)
extern "C" {
extern const unsigned char tessera_default_backbone_onnx[];
extern const unsigned char tessera_default_backbone_onnx_end[];
}
// NOLINTEND(readability-identifier-naming)

namespace tessera {

std::span<const std::byte> DefaultBackboneOnnx() {
    const auto* begin = reinterpret_cast<const std::byte*>(tessera_default_backbone_onnx);
    const auto* end = reinterpret_cast<const std::byte*>(tessera_default_backbone_onnx_end);
    return {begin, end};
}

ml::BackboneSpec DefaultBackboneSpec() {
    const auto model = DefaultBackboneOnnx();
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(model.data()),
                       model.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (const unsigned char byte : digest) {
        hex += kHex[byte >> 4];
        hex += kHex[byte & 0xf];
    }
    ml::BackboneSpec spec;
    spec.name = "mobilenet_v2_140";
    spec.version = hex;
    spec.input_width = 224;
    spec.input_height = 224;
    spec.dimensions = 1792;
    return spec;
}

std::string BackboneId(const ml::BackboneSpec& spec) {
    return spec.name + "@" + spec.version.substr(0, 16);
}

}  // namespace tessera
