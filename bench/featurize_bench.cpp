// Featurization speed of an ML assist backbone (docs/design/ml.md, "Backbones"; issue 10's bar:
// at least 30 images/s for the default backbone on 2 cores).
//
//   tessera_featurize_bench --model FILE.onnx --images DIR [--limit 200] [--batch 8]
//                           [--threads 2] [--dims 1792]
//   tessera_featurize_bench --model FILE.onnx --synthetic 4      (the smoke test)
//
// Decodes every .jpg/.jpeg/.png in DIR (sorted) to 224 x 224 RGB with libvips, as the
// featurization stage does, and embeds them in batches with OpenCV DNN and the handcrafted
// features (the stage computes both). Decoding runs on its own thread, one batch ahead, as in
// the stage. Prints the decode time an image, the network's and the handcrafted features' time
// an image, and images a second end to end. Results: docs/PERFORMANCE.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include <vips/vips8>

#include "blobs/model_input.hpp"
#include "blobs/vips_init.hpp"
#include "ml/handcrafted_backbone.hpp"
#include "ml/onnx_backbone.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
    fs::path model;
    fs::path images;
    int synthetic = 0;
    int limit = 200;
    int batch = 8;
    int threads = 2;
    int dims = 1792;
};

bool Parse(int argc, char** argv, Options& opt) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        try {
            if (flag == "--model") {
                opt.model = value;
            } else if (flag == "--images") {
                opt.images = value;
            } else if (flag == "--synthetic") {
                opt.synthetic = std::stoi(value);
            } else if (flag == "--limit") {
                opt.limit = std::stoi(value);
            } else if (flag == "--batch") {
                opt.batch = std::stoi(value);
            } else if (flag == "--threads") {
                opt.threads = std::stoi(value);
            } else if (flag == "--dims") {
                opt.dims = std::stoi(value);
            } else {
                return false;
            }
        } catch (const std::exception&) {
            return false;
        }
    }
    return argc % 2 == 1 && !opt.model.empty() && (opt.synthetic > 0) != !opt.images.empty() &&
           opt.limit > 0 && opt.batch > 0 && opt.threads > 0 && opt.dims > 0;
}

// The smoke test's pictures: 640 x 480 JPEGs of libvips's test pattern, in a temp folder.
std::vector<fs::path> WriteSynthetic(int count, const fs::path& dir) {
    fs::create_directories(dir);
    std::vector<fs::path> out;
    for (int i = 0; i < count; ++i) {
        const fs::path path = dir / ("synthetic-" + std::to_string(i) + ".jpg");
        vips::VImage::zone(640, 480)
            .linear(100.0 + i, 128.0)
            .cast(VIPS_FORMAT_UCHAR)
            .bandjoin(std::vector<double>{64.0, 192.0})
            .write_to_file(path.c_str());
        out.push_back(path);
    }
    return out;
}

std::vector<fs::path> ListImages(const fs::path& dir, int limit) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
        if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png")) {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    if (static_cast<int>(out.size()) > limit) {
        out.resize(static_cast<std::size_t>(limit));
    }
    return out;
}

struct Decoded {
    std::vector<RgbPixels> images;
    double seconds = 0;
    bool ok = true;
};

Decoded DecodeBatch(const std::vector<fs::path>& paths, std::size_t begin, std::size_t end) {
    Decoded out;
    const auto start = Clock::now();
    for (std::size_t i = begin; i < end; ++i) {
        auto file = SourceFile::Open({paths[i].parent_path(), paths[i]});
        auto pixels = file.ok() ? DecodeForModel(*file, 224, 224) : Result<RgbPixels>(file.error());
        if (!pixels.ok()) {
            std::fprintf(stderr, "featurize_bench: %s: %s\n", paths[i].c_str(),
                         pixels.error().message.c_str());
            out.ok = false;
            return out;
        }
        out.images.push_back(std::move(pixels).value());
    }
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return out;
}

int Main(int argc, char** argv) {
    Options opt;
    if (!Parse(argc, argv, opt)) {
        std::fprintf(stderr,
                     "usage: tessera_featurize_bench --model FILE.onnx (--images DIR | --synthetic "
                     "N) [--limit N] [--batch N] [--threads N] [--dims N]\n");
        return 2;
    }
    if (!InitVips("featurize_bench").ok()) {
        return 1;
    }
    ml::SetComputeThreads(opt.threads);
    ml::BackboneSpec spec;
    spec.name = opt.model.stem().string();
    spec.dimensions = opt.dims;
    auto model = ml::ReadModelFile(opt.model);
    if (!model.ok()) {
        std::fprintf(stderr, "featurize_bench: %s\n", model.error().message.c_str());
        return 1;
    }
    auto backbone = ml::OnnxBackbone::Load(*model, spec);
    if (!backbone.ok()) {
        std::fprintf(stderr, "featurize_bench: %s\n", backbone.error().message.c_str());
        return 1;
    }
    const fs::path synthetic_dir =
        fs::temp_directory_path() / ("tessera-featurize-" + std::to_string(::getpid()));
    const auto paths = opt.synthetic > 0 ? WriteSynthetic(opt.synthetic, synthetic_dir)
                                         : ListImages(opt.images, opt.limit);
    if (paths.empty()) {
        std::fprintf(stderr, "featurize_bench: no images\n");
        return 1;
    }
    const auto batch = static_cast<std::size_t>(opt.batch);
    double decode_seconds = 0;
    double embed_seconds = 0;
    double handcrafted_seconds = 0;  // the second candidate, from the same decoded images
    ml::HandcraftedBackbone handcrafted;
    const auto start = Clock::now();
    auto next = std::async(std::launch::async, DecodeBatch, std::cref(paths), 0,
                           std::min(batch, paths.size()));
    for (std::size_t begin = 0; begin < paths.size(); begin += batch) {
        Decoded decoded = next.get();
        if (!decoded.ok) {
            return 1;
        }
        const std::size_t following = begin + batch;
        if (following < paths.size()) {
            next = std::async(std::launch::async, DecodeBatch, std::cref(paths), following,
                              std::min(following + batch, paths.size()));
        }
        decode_seconds += decoded.seconds;
        std::vector<ml::RgbImage> images;
        for (const auto& d : decoded.images) {
            images.push_back({d.width, d.height, d.pixels});
        }
        const auto embed_start = Clock::now();
        auto embeddings = (*backbone)->Embed(images);
        embed_seconds += std::chrono::duration<double>(Clock::now() - embed_start).count();
        if (!embeddings.ok()) {
            std::fprintf(stderr, "featurize_bench: %s\n", embeddings.error().message.c_str());
            return 1;
        }
        const auto handcrafted_start = Clock::now();
        if (!handcrafted.Embed(images).ok()) {
            return 1;
        }
        handcrafted_seconds +=
            std::chrono::duration<double>(Clock::now() - handcrafted_start).count();
    }
    const double total = std::chrono::duration<double>(Clock::now() - start).count();
    const auto n = static_cast<double>(paths.size());
    std::printf(
        "featurize: %zu images, batch %d, %d threads: decode %.1f ms/image, network %.1f "
        "ms/image, handcrafted %.2f ms/image, end to end %.1f images/s\n",
        paths.size(), opt.batch, opt.threads, 1000.0 * decode_seconds / n,
        1000.0 * embed_seconds / n, 1000.0 * handcrafted_seconds / n, n / total);
    std::error_code ec;
    fs::remove_all(synthetic_dir, ec);
    return 0;
}

}  // namespace
}  // namespace tessera

int main(int argc, char** argv) {
    return tessera::Main(argc, argv);
}
