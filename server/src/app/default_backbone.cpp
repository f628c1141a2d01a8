#include "app/default_backbone.hpp"

#include <string_view>

#include "services/sha256.hpp"

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
    const std::string hex =
        Sha256Hex(std::string_view(reinterpret_cast<const char*>(model.data()), model.size()));
    ml::BackboneSpec spec;
    spec.name = "mobilenet_v2_140";
    spec.version = hex;
    spec.input_width = 224;
    spec.input_height = 224;
    spec.dimensions = 1792;
    return spec;
}

}  // namespace tessera
