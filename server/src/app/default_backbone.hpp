#pragma once
// The default ML backbone: npm nsfwjs's MobileNetV2-1.4 feature extractor, converted to ONNX by
// tools/tfjs2onnx at build time and embedded in the binary (docs/design/ml.md).
#include <cstddef>
#include <span>
#include <string>

#include "ml/backbone.hpp"

namespace tessera {

std::span<const std::byte> DefaultBackboneOnnx();
// Its spec: 224 x 224 RGB in [0,1] (the graph scales to [-1,1] itself), 1792-d features, and the
// model's sha256 as its version, so embeddings from another build's weights are never mixed in.
ml::BackboneSpec DefaultBackboneSpec();

}  // namespace tessera
