#pragma once
// Scaling vectors to unit length: embeddings before a head sees them, and the handcrafted
// features' blocks.
#include <span>

namespace tessera::ml {

// Scales `row` to unit length (left alone when it is all zeros).
void NormalizeL2(std::span<float> row);

}  // namespace tessera::ml
