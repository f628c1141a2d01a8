#include "ml/onnx_backbone.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tessera::ml {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> ReadBytes(const fs::path& path) {
    auto bytes = ReadModelFile(path);
    EXPECT_TRUE(bytes.ok()) << bytes.error().message;
    return bytes.ok() ? std::move(bytes).value() : std::vector<std::byte>{};
}

std::vector<float> ReadFloats(const fs::path& path) {
    const auto bytes = ReadBytes(path);
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

BackboneSpec DefaultSpec() {
    BackboneSpec spec;
    spec.name = "mobilenet_v2_140";
    spec.version = "test";
    spec.dimensions = 1792;
    return spec;
}

// The heart of the converter's test (issue 10, "Tests"): the tfjs_reference fixture ran every
// case's original graph through @tensorflow/tfjs a moment ago; OpenCV must give the same numbers
// from the converted ONNX model.
TEST(OnnxBackboneTest, ConvertedModelsMatchTensorFlowJs) {
    const fs::path dir = TESSERA_TFJS_REFERENCE_DIR;
    std::ifstream manifest_file(dir / "manifest.json");
    ASSERT_TRUE(manifest_file) << "no " << (dir / "manifest.json")
                               << ": run the tfjs_reference test";
    const auto manifest = nlohmann::json::parse(manifest_file);
    std::vector<std::string> names;
    for (const auto& c : manifest) {
        const std::string name = c.at("name");
        names.push_back(name);
        SCOPED_TRACE(name);
        const fs::path onnx = c.at("onnx").get<std::string>();
        auto network = OnnxNetwork::Load(ReadBytes(onnx.is_absolute() ? onnx : dir / onnx));
        ASSERT_TRUE(network) << network.error().message;
        const auto input = ReadFloats(dir / c.at("input").get<std::string>());
        const auto expected = ReadFloats(dir / c.at("expected").get<std::string>());
        const std::vector<int> shape = c.at("input_shape");
        auto out = (*network)->Forward(input, shape);
        ASSERT_TRUE(out) << out.error().message;
        EXPECT_EQ(out->shape, c.at("output_shape").get<std::vector<int>>());
        ASSERT_EQ(out->values.size(), expected.size());
        float largest = 0.0F;
        float worst = 0.0F;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            largest = std::max(largest, std::abs(expected[i]));
            worst = std::max(worst, std::abs(out->values[i] - expected[i]));
        }
        EXPECT_GT(largest, 0.0F) << "an all-zero reference checks nothing";
        EXPECT_LE(worst, c.at("tolerance").get<float>() * largest)
            << "largest |tfjs| " << largest << ", largest |opencv - tfjs| " << worst;
    }
    // Every op group and the shipped backbone itself were compared.
    EXPECT_GE(names.size(), 5U);
    EXPECT_NE(std::find(names.begin(), names.end(), "default_backbone"), names.end());
}

TEST(OnnxBackboneTest, PreprocessResizesScalesAndNormalizesIntoNchw) {
    // A 2x1 image enlarged to 4x2 keeps its two colours on each half; mean and std apply per
    // channel after scaling to [0,1].
    BackboneSpec spec = DefaultSpec();
    auto backbone = OnnxBackbone::Load(ReadBytes(TESSERA_DEFAULT_BACKBONE_ONNX), spec);
    ASSERT_TRUE(backbone) << backbone.error().message;
    const std::vector<std::uint8_t> pixels{255, 0, 51, 255, 0, 51};
    const RgbImage image{2, 1, pixels};
    auto input = (*backbone)->Preprocess(std::span(&image, 1));
    ASSERT_TRUE(input) << input.error().message;
    const std::size_t plane = std::size_t{224} * 224;
    ASSERT_EQ(input->size(), 3 * plane);
    EXPECT_FLOAT_EQ((*input)[0], 1.0F);
    EXPECT_FLOAT_EQ((*input)[plane + 5], 0.0F);
    EXPECT_NEAR((*input)[2 * plane + plane - 1], 0.2F, 1e-6);
}

TEST(OnnxBackboneTest, EmbedsImagesOfAnySizeAsTheNetworkDoesTheirTensor) {
    auto backbone = OnnxBackbone::Load(ReadBytes(TESSERA_DEFAULT_BACKBONE_ONNX), DefaultSpec());
    ASSERT_TRUE(backbone) << backbone.error().message;
    std::vector<std::uint8_t> large(std::size_t{640} * 480 * 3);
    std::vector<std::uint8_t> small(std::size_t{37} * 23 * 3);
    for (std::size_t i = 0; i < large.size(); ++i) {
        large[i] = static_cast<std::uint8_t>((i * 7919) % 251);
    }
    for (std::size_t i = 0; i < small.size(); ++i) {
        small[i] = static_cast<std::uint8_t>((i * 31) % 256);
    }
    const std::vector<RgbImage> batch{{640, 480, large}, {37, 23, small}};
    auto embeddings = (*backbone)->Embed(batch);
    ASSERT_TRUE(embeddings) << embeddings.error().message;
    ASSERT_EQ(embeddings->size(), 2U * 1792U);
    EXPECT_TRUE(std::all_of(embeddings->begin(), embeddings->end(), [](float v) {
        return std::isfinite(v) && v >= 0.0F;
    })) << "features after ReLU6 and averaging are finite and non-negative";
    // The second image alone gives its row of the batch: no state leaks between images.
    auto alone = (*backbone)->Embed(std::span(&batch[1], 1));
    ASSERT_TRUE(alone);
    for (std::size_t i = 0; i < 1792; ++i) {
        ASSERT_NEAR((*alone)[i], (*embeddings)[1792 + i], 1e-4) << i;
    }
}

TEST(OnnxBackboneTest, MapsAreTheLastFeatureMapWhoseAverageIsTheEmbedding) {
    auto backbone = OnnxBackbone::Load(ReadBytes(TESSERA_DEFAULT_BACKBONE_ONNX), DefaultSpec());
    ASSERT_TRUE(backbone) << backbone.error().message;
    std::vector<std::uint8_t> pixels(std::size_t{224} * 224 * 3);
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = static_cast<std::uint8_t>((i * 7919) % 251);
    }
    const RgbImage image{224, 224, pixels};
    auto map = (*backbone)->Map(image);
    ASSERT_TRUE(map) << map.error().message;
    ASSERT_EQ(map->width, 7);
    ASSERT_EQ(map->height, 7);
    ASSERT_EQ(map->channels, 1792);
    ASSERT_TRUE(map->valid());
    // The embedding is the map averaged over its 7 x 7 cells (the graph's last pooling).
    auto embedding = (*backbone)->Embed(std::span(&image, 1));
    ASSERT_TRUE(embedding);
    for (std::size_t c = 0; c < 1792; ++c) {
        double sum = 0;
        for (std::size_t cell = 0; cell < 49; ++cell) {
            sum += map->values[cell * 1792 + c];
        }
        ASSERT_NEAR(sum / 49, (*embedding)[c], 1e-4) << c;
    }
    // A 640 x 480 image gives 20 x 15 cells of ReLU6 values.
    std::vector<std::uint8_t> wide(std::size_t{640} * 480 * 3, 90);
    auto big = (*backbone)->Map(RgbImage{640, 480, wide});
    ASSERT_TRUE(big) << big.error().message;
    EXPECT_EQ(big->width, 20);
    EXPECT_EQ(big->height, 15);
    EXPECT_TRUE(std::all_of(big->values.begin(), big->values.end(),
                            [](float v) { return std::isfinite(v) && v >= 0.0F && v <= 6.0F; }));
    // Under the network's input size its last pooling (7 x 7) has too few cells: an error,
    // which a detection round avoids by feeding at least 224 pixels a side.
    std::vector<std::uint8_t> tiny(std::size_t{64} * 64 * 3, 90);
    auto refused = (*backbone)->Map(RgbImage{64, 64, tiny});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

TEST(OnnxBackboneTest, RefusesBadImagesModelsAndSpecs) {
    auto backbone = OnnxBackbone::Load(ReadBytes(TESSERA_DEFAULT_BACKBONE_ONNX), DefaultSpec());
    ASSERT_TRUE(backbone);
    const std::vector<std::uint8_t> short_pixels(10);
    const RgbImage bad{4, 4, short_pixels};
    auto refused = (*backbone)->Embed(std::span(&bad, 1));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(refused.error().message.find("image 0"), std::string::npos);

    std::vector<std::byte> garbage(1000, std::byte{0x5a});
    auto not_onnx = OnnxBackbone::Load(garbage, DefaultSpec());
    ASSERT_FALSE(not_onnx);
    EXPECT_EQ(not_onnx.error().code, ErrorCode::kInvalidArgument);

    BackboneSpec wrong = DefaultSpec();
    wrong.dimensions = 1000;
    auto mismatched = OnnxBackbone::Load(ReadBytes(TESSERA_DEFAULT_BACKBONE_ONNX), wrong);
    ASSERT_FALSE(mismatched);
    EXPECT_NE(mismatched.error().message.find("1792"), std::string::npos)
        << mismatched.error().message;
}

TEST(OnnxBackboneTest, ProbeMeasuresTheEmbeddingAndRefusesWhatCannotBeOne) {
    auto width = ProbeEmbeddingWidth(ReadBytes(TESSERA_DEFAULT_BACKBONE_ONNX), DefaultSpec());
    ASSERT_TRUE(width.ok()) << width.error().message;
    EXPECT_EQ(*width, 1792);

    BackboneSpec small = DefaultSpec();
    small.input_width = 20;
    small.input_height = 16;
    // A convolution without pooling: a map an image, not a vector.
    const fs::path dir = TESSERA_TFJS_REFERENCE_DIR;
    auto map = ProbeEmbeddingWidth(ReadBytes(dir / "conv_valid_elementwise.onnx"), small);
    ASSERT_FALSE(map.ok());
    EXPECT_EQ(map.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(map.error().message.find("is 2 x 4 x 14 x 18, not one vector an image"),
              std::string::npos)
        << map.error().message;
    // Flattening a fixed 5 x 6 map: it runs on nothing else.
    auto fixed = ProbeEmbeddingWidth(ReadBytes(dir / "flatten_and_squeeze.onnx"), small);
    ASSERT_FALSE(fixed.ok());
    EXPECT_EQ(fixed.error().message.rfind("the model does not run on 20 x 16 RGB images: ", 0), 0U)
        << fixed.error().message;

    const std::vector<std::byte> garbage(1000, std::byte{0x5a});
    EXPECT_EQ(ProbeEmbeddingWidth(garbage, DefaultSpec()).error().code,
              ErrorCode::kInvalidArgument);
    small.input_width = 8;
    EXPECT_EQ(ProbeEmbeddingWidth(ReadBytes(TESSERA_DEFAULT_BACKBONE_ONNX), small).error().message,
              "the input size must be 16 to 4096 pixels a side");
}

}  // namespace
}  // namespace tessera::ml
