#pragma once
// ONNX CNNs run with OpenCV's DNN module on the CPU (issue 10: ResNet, MobileNet and EfficientNet
// exports; OpenCV 4.6 does not run ViTs correctly). OpenCV stays inside this file pair: nothing
// else in Tessera includes it.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ml/backbone.hpp"

namespace tessera::ml {

// A model file's bytes, for Load. kNotFound when it cannot be opened or read.
Result<std::vector<std::byte>> ReadModelFile(const std::filesystem::path& path);

// How many threads OpenCV's DNN layers use, for the whole process (OpenCV's setting is global).
void SetComputeThreads(int threads);

// A loaded ONNX network with one input and one output. Forward is serialized: an OpenCV Net is
// not safe to run from two threads at once.
class OnnxNetwork {
public:
    // Parses the model from memory. A file OpenCV cannot read or import is an InvalidArgument
    // with OpenCV's reason.
    static Result<std::unique_ptr<OnnxNetwork>> Load(std::span<const std::byte> model);
    ~OnnxNetwork();
    OnnxNetwork(const OnnxNetwork&) = delete;
    OnnxNetwork& operator=(const OnnxNetwork&) = delete;

    struct Output {
        std::vector<int> shape;
        std::vector<float> values;
    };
    // Runs a float32 tensor of `shape` (NCHW for images) through the network: to its output,
    // or to the layer named `layer` (only what that layer depends on is run).
    Result<Output> Forward(std::span<const float> input, std::span<const int> shape,
                           const std::string& layer = {});

    // The layer whose output the network's last pooling layer reads: a CNN's last feature map,
    // before it is averaged into an embedding. Empty when the network pools nowhere.
    std::string LastMapLayer() const;

private:
    struct Impl;
    explicit OnnxNetwork(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    std::mutex mutex_;
};

class OnnxBackbone final : public Backbone {
public:
    // `spec.dimensions` is checked against what the network gives for a first blank image, so a
    // spec that does not fit its model fails here rather than in a round.
    static Result<std::unique_ptr<OnnxBackbone>> Load(std::span<const std::byte> model,
                                                      BackboneSpec spec);

    const BackboneSpec& Spec() const override { return spec_; }
    Result<std::vector<float>> Embed(std::span<const RgbImage> batch) override;

    // The network's last feature map for `image` fed at its own size (no resize: the caller
    // chooses it, a multiple of the network's stride, usually 32), normalized as Embed does.
    // What the box detector works on. InvalidArgument when the network pools nowhere.
    Result<FeatureMap> Map(const RgbImage& image) override;

    // The NCHW float tensor Embed feeds the network: resized, scaled to [0,1], normalized.
    // Public for the tests, which check it against the raw network.
    Result<std::vector<float>> Preprocess(std::span<const RgbImage> batch) const;

private:
    OnnxBackbone(std::unique_ptr<OnnxNetwork> network, BackboneSpec spec)
        : network_(std::move(network)), spec_(std::move(spec)) {}
    std::unique_ptr<OnnxNetwork> network_;
    BackboneSpec spec_;
    std::string map_layer_;  // LastMapLayer, found when it loads
};

// What `tessera model add` checks before it registers a model: it loads, runs blank images of
// the spec's input size two at a time, and gives one vector an image (an output of [N, D] or
// [N, D, 1, 1]). Returns D. InvalidArgument saying what is wrong otherwise: OpenCV's reason for a
// model it cannot import or run, a feature map instead of a vector, a batch fixed at one.
Result<int> ProbeEmbeddingWidth(std::span<const std::byte> model, const BackboneSpec& spec);

// An OnnxBackbone made on first use: the server starts without parsing the model (17 MB,
// about 70 MB once loaded), and a project that never trains never pays for it. A model that
// fails to load fails each Embed with the load's error.
class LazyOnnxBackbone final : public Backbone {
public:
    // `model` must outlive this (the default backbone is embedded in the binary).
    LazyOnnxBackbone(std::span<const std::byte> model, BackboneSpec spec)
        : model_(model), spec_(std::move(spec)) {}

    const BackboneSpec& Spec() const override { return spec_; }
    Result<std::vector<float>> Embed(std::span<const RgbImage> batch) override;
    Result<FeatureMap> Map(const RgbImage& image) override;

private:
    Result<OnnxBackbone*> Loaded();

    std::span<const std::byte> model_;
    BackboneSpec spec_;
    std::mutex mutex_;
    std::unique_ptr<OnnxBackbone> loaded_;  // guarded by mutex_
    std::optional<Error> load_error_;       // guarded by mutex_
};

}  // namespace tessera::ml
