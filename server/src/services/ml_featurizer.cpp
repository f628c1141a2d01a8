#include "services/ml_featurizer.hpp"

#include <chrono>
#include <future>
#include <set>

#include "blobs/model_input.hpp"
#include "ml/embedding_codec.hpp"
#include "services/item_cache.hpp"
#include "services/item_source.hpp"

namespace tessera {

namespace {
constexpr std::size_t kLookupChunk = 500;  // ids per GetEmbeddings
}  // namespace

struct MlFeaturizer::Decoded {
    std::vector<Id> ids;
    std::vector<RgbPixels> pixels;
    std::vector<std::string> failures;  // "<path>: <reason>"
};

MlFeaturizer::MlFeaturizer(Repository& repo, ml::Backbone& backbone, std::string backbone_id,
                           DatasourceOpener* opener)
    : repo_(repo), backbone_(backbone), backbone_id_(std::move(backbone_id)), opener_(opener) {}

MlFeaturizer::Decoded MlFeaturizer::DecodeBatch(const Project& project,
                                                const std::vector<Item>& items) const {
    Decoded out;
    const ml::BackboneSpec& spec = backbone_.Spec();
    for (const Item& item : items) {
        Result<RgbPixels> pixels = Error::Internal("not read");
        auto seen = ProjectForItem(repo_, project, item);
        if (!seen.ok()) {
            pixels = seen.error();
        } else {
            auto ref =
                opener_ != nullptr ? opener_->ItemFile(*seen, item) : ItemSourcePath(*seen, item);
            auto file = ref.ok() ? SourceFile::Open(*ref) : Result<SourceFile>(ref.error());
            pixels = file.ok() ? DecodeForModel(*file, spec.input_width, spec.input_height)
                               : Result<RgbPixels>(file.error());
        }
        if (pixels.ok()) {
            out.ids.push_back(item.id);
            out.pixels.push_back(std::move(pixels).value());
        } else {
            out.failures.push_back(item.path + ": " + pixels.error().message);
        }
    }
    return out;
}

Result<FeaturizeReport> MlFeaturizer::Run(
    const Project& project, const std::vector<Item>& items,
    const std::function<void(std::int64_t, std::int64_t)>& progress,
    const std::function<bool()>& stop) {
    const auto started = std::chrono::steady_clock::now();
    FeaturizeReport report;
    report.items = static_cast<std::int64_t>(items.size());
    // What is embedded already, a chunk of ids at a time.
    std::set<Id> have;
    for (std::size_t begin = 0; begin < items.size(); begin += kLookupChunk) {
        std::vector<Id> ids;
        for (std::size_t i = begin; i < std::min(items.size(), begin + kLookupChunk); ++i) {
            ids.push_back(items[i].id);
        }
        TESSERA_ASSIGN_OR_RETURN(std::vector<ItemEmbedding> stored,
                                 repo_.GetEmbeddings(project.id, backbone_id_, ids));
        for (const ItemEmbedding& e : stored) {
            have.insert(e.item_id);
        }
    }
    std::vector<std::vector<Item>> batches;
    for (const Item& item : items) {
        if (have.count(item.id) != 0) {
            ++report.cached;
            continue;
        }
        if (batches.empty() || batches.back().size() == static_cast<std::size_t>(kBatch)) {
            batches.emplace_back();
        }
        batches.back().push_back(item);
    }
    const std::int64_t total = report.items - report.cached;
    std::int64_t done = 0;
    progress(0, total);
    auto decode = [this, &project](const std::vector<Item>& batch) {
        return DecodeBatch(project, batch);
    };
    std::future<Decoded> next;
    if (!batches.empty()) {
        next = std::async(std::launch::async, decode, std::cref(batches[0]));
    }
    for (std::size_t b = 0; b < batches.size(); ++b) {
        Decoded decoded = next.get();
        if (b + 1 < batches.size()) {
            next = std::async(std::launch::async, decode, std::cref(batches[b + 1]));
        }
        report.failed += static_cast<std::int64_t>(decoded.failures.size());
        if (report.first_failure.empty() && !decoded.failures.empty()) {
            report.first_failure = decoded.failures.front();
        }
        std::vector<ml::RgbImage> images;
        for (const RgbPixels& p : decoded.pixels) {
            images.push_back({p.width, p.height, p.pixels});
        }
        auto vectors = backbone_.Embed(images);
        if (!vectors.ok()) {
            if (next.valid()) {
                next.wait();
            }
            return vectors.error();
        }
        const auto dims = static_cast<std::size_t>(backbone_.Spec().dimensions);
        std::vector<ItemEmbedding> rows;
        for (std::size_t i = 0; i < decoded.ids.size(); ++i) {
            rows.push_back(
                {decoded.ids[i], ml::EncodeFloat16(std::span(vectors->data() + i * dims, dims))});
        }
        if (Status put = repo_.PutEmbeddings(backbone_id_, rows); !put.ok()) {
            if (next.valid()) {
                next.wait();
            }
            return put.error();
        }
        report.embedded += static_cast<std::int64_t>(rows.size());
        done += static_cast<std::int64_t>(batches[b].size());
        progress(done, total);
        if (stop()) {
            if (next.valid()) {
                next.wait();
            }
            return Error::Unavailable("stopped");
        }
    }
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

}  // namespace tessera
