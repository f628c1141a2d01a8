#include "ml/unit_length.hpp"

#include <cmath>

namespace tessera::ml {

void NormalizeL2(std::span<float> row) {
    double sum = 0;
    for (const float v : row) {
        sum += static_cast<double>(v) * v;
    }
    if (sum <= 0) {
        return;
    }
    const auto scale = static_cast<float>(1.0 / std::sqrt(sum));
    for (float& v : row) {
        v *= scale;
    }
}

}  // namespace tessera::ml
