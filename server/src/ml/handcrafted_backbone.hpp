#pragma once
// Cheap handcrafted features, the second backbone candidate (issue 10, point 3; docs/design/ml.md,
// "Backbones"): what an image looks like at a glance, without a network. Each round lets
// validation on the project's own labels choose between these, the CNN's embedding and both
// together. On Fashion-MNIST (small grey product shots) these beat ImageNet's MobileNetV2 features:
// 0.84 against 0.78 held-out accuracy with 1,000 labels.
#include "ml/backbone.hpp"

namespace tessera::ml {

class HandcraftedBackbone final : public Backbone {
public:
    // The image is shrunk to 32 × 32 (the whole picture, squashed) and described by three
    // blocks, each scaled to unit length so none outweighs the others:
    // - shape: a histogram of oriented gradients (HOG: 8 × 8-pixel cells, 9 unsigned
    //   orientation bins, 2 × 2-cell blocks normalized L2-Hys, 3 × 3 blocks: 324 values);
    // - layout: the grey image at 16 × 16 (256 values);
    // - colour: a joint RGB histogram with 4 levels a channel (64 values).
    static constexpr int kSide = 32;
    static constexpr int kDimensions = 324 + 256 + 64;

    HandcraftedBackbone();
    const BackboneSpec& Spec() const override { return spec_; }
    Result<std::vector<float>> Embed(std::span<const RgbImage> batch) override;

private:
    BackboneSpec spec_;
};

}  // namespace tessera::ml
