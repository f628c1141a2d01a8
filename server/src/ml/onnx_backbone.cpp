#include "ml/onnx_backbone.hpp"

#include <algorithm>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <utility>

#include "ml/opencv_image.hpp"

namespace tessera::ml {

Result<std::vector<std::byte>> ReadModelFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) {
        return Error::NotFound("cannot open the model file " + path.string());
    }
    const std::streamsize size = in.tellg();
    std::vector<std::byte> bytes(static_cast<std::size_t>(std::max<std::streamsize>(size, 0)));
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) {
        return Error::NotFound("cannot read the model file " + path.string());
    }
    return bytes;
}

void SetComputeThreads(int threads) {
    cv::setNumThreads(threads);
}

struct OnnxNetwork::Impl {
    cv::dnn::Net net;
};

OnnxNetwork::OnnxNetwork(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OnnxNetwork::~OnnxNetwork() = default;

Result<std::unique_ptr<OnnxNetwork>> OnnxNetwork::Load(std::span<const std::byte> model) {
    if (model.empty()) {
        return Error::InvalidArgument("the ONNX model is empty");
    }
    // OpenCV logs import problems to stderr as well as throwing them; the exception's text is
    // what the caller gets, once.
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    try {
        auto impl = std::make_unique<Impl>();
        impl->net =
            cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(model.data()), model.size());
        if (impl->net.empty()) {
            return Error::InvalidArgument("the ONNX model has no layers");
        }
        impl->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        impl->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        return std::unique_ptr<OnnxNetwork>(new OnnxNetwork(std::move(impl)));
    } catch (const cv::Exception& e) {
        return Error::InvalidArgument("OpenCV cannot load this ONNX model: " + e.msg);
    }
}

Result<OnnxNetwork::Output> OnnxNetwork::Forward(std::span<const float> input,
                                                 std::span<const int> shape,
                                                 const std::string& layer) {
    std::size_t count = shape.empty() ? 0 : 1;
    for (const int d : shape) {
        if (d <= 0) {
            return Error::InvalidArgument("an input dimension is not positive");
        }
        count *= static_cast<std::size_t>(d);
    }
    if (count != input.size()) {
        return Error::InvalidArgument("the input has " + std::to_string(input.size()) +
                                      " values, its shape says " + std::to_string(count));
    }
    // The blob only views the caller's floats: setInput copies them into the network.
    const cv::Mat blob(static_cast<int>(shape.size()), shape.data(), CV_32F,
                       const_cast<float*>(input.data()));
    const std::lock_guard lock(mutex_);
    try {
        impl_->net.setInput(blob);
        const cv::Mat out = layer.empty() ? impl_->net.forward() : impl_->net.forward(layer);
        Output result;
        result.shape.assign(out.size.p, out.size.p + out.dims);
        const cv::Mat flat = out.isContinuous() ? out : out.clone();
        const auto* begin = flat.ptr<float>();
        result.values.assign(begin, begin + flat.total());
        return result;
    } catch (const cv::Exception& e) {
        return Error::InvalidArgument("the network cannot run this input: " + e.msg);
    }
}

std::string OnnxNetwork::LastMapLayer() const {
    const std::vector<std::string> names = impl_->net.getLayerNames();
    for (std::size_t i = names.size(); i-- > 1;) {
        if (impl_->net.getLayer(names[i])->type == "Pooling") {
            return names[i - 1];
        }
    }
    return {};
}

Result<std::unique_ptr<OnnxBackbone>> OnnxBackbone::Load(std::span<const std::byte> model,
                                                         BackboneSpec spec) {
    if (spec.input_width <= 0 || spec.input_height <= 0 || spec.dimensions <= 0) {
        return Error::InvalidArgument("a backbone needs a positive input size and dimensions");
    }
    for (const float s : spec.std) {
        if (!(s > 0.0F)) {
            return Error::InvalidArgument("a backbone's std must be positive");
        }
    }
    auto network = OnnxNetwork::Load(model);
    if (!network) {
        return network.error();
    }
    std::unique_ptr<OnnxBackbone> backbone(
        new OnnxBackbone(std::move(network).value(), std::move(spec)));
    backbone->map_layer_ = backbone->network_->LastMapLayer();
    const std::vector<std::uint8_t> blank(static_cast<std::size_t>(backbone->spec_.input_width) *
                                          static_cast<std::size_t>(backbone->spec_.input_height) *
                                          3);
    const RgbImage probe{backbone->spec_.input_width, backbone->spec_.input_height, blank};
    auto out = backbone->Embed(std::span(&probe, 1));
    if (!out) {
        return Error::InvalidArgument("the backbone does not run: " + out.error().message);
    }
    return backbone;
}

Result<int> ProbeEmbeddingWidth(std::span<const std::byte> model, const BackboneSpec& spec) {
    if (spec.input_width < 16 || spec.input_height < 16 || spec.input_width > 4096 ||
        spec.input_height > 4096) {
        return Error::InvalidArgument("the input size must be 16 to 4096 pixels a side");
    }
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<OnnxNetwork> network, OnnxNetwork::Load(model));
    const std::size_t one = 3 * static_cast<std::size_t>(spec.input_width) *
                            static_cast<std::size_t>(spec.input_height);
    const std::vector<float> blank(2 * one, 0.0F);
    const std::vector<int> two{2, 3, spec.input_height, spec.input_width};
    auto out = network->Forward(blank, two);
    if (!out.ok()) {
        const std::vector<int> single{1, 3, spec.input_height, spec.input_width};
        if (network->Forward(std::span(blank).first(one), single).ok()) {
            return Error::InvalidArgument(
                "the model takes one image at a time (its batch dimension is fixed at 1): "
                "export it with a dynamic batch axis");
        }
        return Error::InvalidArgument(
            "the model does not run on " + std::to_string(spec.input_width) + " x " +
            std::to_string(spec.input_height) + " RGB images: " + out.error().message);
    }
    const std::vector<int>& shape = out->shape;
    const bool pooled = shape.size() == 2 || (shape.size() == 4 && shape[2] == 1 && shape[3] == 1);
    if (shape.empty() || shape[0] != 2 || !pooled || shape[1] <= 0) {
        std::string dims;
        for (const int d : shape) {
            dims += (dims.empty() ? "" : " x ") + std::to_string(d);
        }
        return Error::InvalidArgument(
            "the model's output for two images is " + dims +
            ", not one vector an image: export it up to its global pooling (without the "
            "classifier's spatial output)");
    }
    return shape[1];
}

namespace {

// Images resized to w x h, scaled to [0,1], normalized with the spec's mean and std, NCHW.
Result<std::vector<float>> NchwTensor(std::span<const RgbImage> batch, int w, int h,
                                      const BackboneSpec& spec) {
    const std::size_t plane = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
    std::vector<float> nchw(batch.size() * 3 * plane);
    for (std::size_t b = 0; b < batch.size(); ++b) {
        TESSERA_ASSIGN_OR_RETURN(const cv::Mat sized, ResizedRgb(batch[b], b, w, h));
        float* out = nchw.data() + b * 3 * plane;
        for (int y = 0; y < h; ++y) {
            const auto* row = sized.ptr<std::uint8_t>(y);
            for (int x = 0; x < w; ++x) {
                for (std::size_t c = 0; c < 3; ++c) {
                    const float v = static_cast<float>(row[3 * x + static_cast<int>(c)]) / 255.0F;
                    out[c * plane + static_cast<std::size_t>(y) * static_cast<std::size_t>(w) +
                        static_cast<std::size_t>(x)] = (v - spec.mean[c]) / spec.std[c];
                }
            }
        }
    }
    return nchw;
}

}  // namespace

Result<std::vector<float>> OnnxBackbone::Preprocess(std::span<const RgbImage> batch) const {
    return NchwTensor(batch, spec_.input_width, spec_.input_height, spec_);
}

Result<FeatureMap> OnnxBackbone::Map(const RgbImage& image) {
    if (map_layer_.empty()) {
        return Error::InvalidArgument(
            "the backbone's network has no pooling layer to read a feature map before");
    }
    TESSERA_ASSIGN_OR_RETURN(std::vector<float> input,
                             NchwTensor(std::span(&image, 1), image.width, image.height, spec_));
    const std::vector<int> shape{1, 3, image.height, image.width};
    TESSERA_ASSIGN_OR_RETURN(OnnxNetwork::Output out, network_->Forward(input, shape, map_layer_));
    if (out.shape.size() != 4 || out.shape[0] != 1) {
        return Error::InvalidArgument("the backbone's feature map is not one NCHW map");
    }
    FeatureMap map;
    map.channels = out.shape[1];
    map.height = out.shape[2];
    map.width = out.shape[3];
    const auto cells = static_cast<std::size_t>(map.height) * static_cast<std::size_t>(map.width);
    const auto channels = static_cast<std::size_t>(map.channels);
    map.values.resize(cells * channels);
    for (std::size_t c = 0; c < channels; ++c) {  // NCHW to cell after cell
        for (std::size_t i = 0; i < cells; ++i) {
            map.values[i * channels + c] = out.values[c * cells + i];
        }
    }
    return map;
}

Result<std::vector<float>> OnnxBackbone::Embed(std::span<const RgbImage> batch) {
    if (batch.empty()) {
        return std::vector<float>{};
    }
    auto input = Preprocess(batch);
    if (!input) {
        return input.error();
    }
    const std::vector<int> shape{static_cast<int>(batch.size()), 3, spec_.input_height,
                                 spec_.input_width};
    auto out = network_->Forward(*input, shape);
    if (!out) {
        return out.error();
    }
    const std::size_t expected = batch.size() * static_cast<std::size_t>(spec_.dimensions);
    if (out->values.size() != expected) {
        return Error::InvalidArgument(
            "the network gives " + std::to_string(out->values.size() / batch.size()) +
            " values an image, the backbone's spec says " + std::to_string(spec_.dimensions));
    }
    return std::move(out->values);
}

Result<OnnxBackbone*> LazyOnnxBackbone::Loaded() {
    const std::lock_guard lock(mutex_);
    if (!loaded_ && !load_error_) {
        auto loaded = OnnxBackbone::Load(model_, spec_);
        if (loaded.ok()) {
            loaded_ = std::move(loaded).value();
        } else {
            load_error_ = loaded.error();
        }
    }
    if (load_error_) {
        return *load_error_;
    }
    return loaded_.get();
}

// OnnxNetwork serializes the forward passes itself.
Result<std::vector<float>> LazyOnnxBackbone::Embed(std::span<const RgbImage> batch) {
    TESSERA_ASSIGN_OR_RETURN(OnnxBackbone * backbone, Loaded());
    return backbone->Embed(batch);
}

Result<FeatureMap> LazyOnnxBackbone::Map(const RgbImage& image) {
    TESSERA_ASSIGN_OR_RETURN(OnnxBackbone * backbone, Loaded());
    return backbone->Map(image);
}

}  // namespace tessera::ml
