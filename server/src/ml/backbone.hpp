#pragma once
// A backbone turns images into embeddings (docs/design/ml.md, "Backbones"). The head, the
// clustering and the calibration work on embeddings only, so which network made them is this
// interface's business alone; the cache keys embeddings by the spec's name and version.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace tessera::ml {

struct BackboneSpec {
    std::string name;     // shown to users: "mobilenet_v2_140"
    std::string version;  // changes when the weights do: the model file's sha256
    int input_width = 224;
    int input_height = 224;
    // Applied to RGB values scaled to [0,1]: (v - mean) / std. The default backbone takes [0,1]
    // as it is (its graph scales to [-1,1] itself).
    std::array<float, 3> mean{0.0F, 0.0F, 0.0F};
    std::array<float, 3> std{1.0F, 1.0F, 1.0F};
    int dimensions = 0;  // the embedding's width
};

// "<name>@<first 16 characters of the version>": the key of a backbone's stored embeddings.
inline std::string BackboneId(const BackboneSpec& spec) {
    return spec.name + "@" + spec.version.substr(0, 16);
}

// An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B. Any size: the backbone
// resizes to its input (the whole image, squashed, so no object at an edge is cropped away).
struct RgbImage {
    int width = 0;
    int height = 0;
    std::span<const std::uint8_t> pixels;  // width * height * 3 bytes
};

// A backbone's feature map of one image: height x width cells of `channels` values, stored
// cell after cell (row-major), each cell's values together. Cell (r, c) covers the image's
// normalized square [c/width, (c+1)/width] x [r/height, (r+1)/height].
struct FeatureMap {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<float> values;  // height * width * channels
    bool valid() const {
        return channels > 0 && height > 0 && width > 0 &&
               values.size() == static_cast<std::size_t>(channels) *
                                    static_cast<std::size_t>(height) *
                                    static_cast<std::size_t>(width);
    }
};

class Backbone {
public:
    virtual ~Backbone() = default;
    virtual const BackboneSpec& Spec() const = 0;
    // One embedding per image, row after row: batch.size() * Spec().dimensions floats. An image
    // of the wrong byte count or an empty one is an InvalidArgument naming its index.
    virtual Result<std::vector<float>> Embed(std::span<const RgbImage> batch) = 0;
    // The last feature map of one image fed at its own size (a multiple of 32 a side), for
    // the box detector. Backbones without one (the handcrafted features) say so.
    virtual Result<FeatureMap> Map(const RgbImage& /*image*/) {
        return Error::FailedPrecondition(Spec().name + " gives no feature map");
    }
};

}  // namespace tessera::ml
