#include "services/ml_featurizer.hpp"

#include <algorithm>
#include <chrono>
#include <future>

#include "blobs/model_input.hpp"
#include "ml/embedding_codec.hpp"
#include "services/id_chunks.hpp"
#include "services/item_source.hpp"

namespace tessera {

struct MlFeaturizer::Decoded {
    std::vector<Id> ids;
    std::vector<RgbPixels> pixels;
    std::vector<std::string> failures;  // "<path>: <reason>"
};

MlFeaturizer::MlFeaturizer(Repository& repo, std::vector<MlBackbone> backbones,
                           DatasourceOpener* opener)
    : repo_(repo), backbones_(std::move(backbones)), opener_(opener) {
    for (const MlBackbone& b : backbones_) {
        decode_width_ = std::max(decode_width_, b.backbone->Spec().input_width);
        decode_height_ = std::max(decode_height_, b.backbone->Spec().input_height);
    }
}

MlFeaturizer::Decoded MlFeaturizer::DecodeBatch(const Project& project,
                                                const std::vector<Item>& items) const {
    Decoded out;
    for (const Item& item : items) {
        const auto file = OpenItemFile(repo_, opener_, project, item);
        auto pixels = file.ok() ? DecodeForModel(*file, decode_width_, decode_height_)
                                : Result<RgbPixels>(file.error());
        if (pixels.ok()) {
            out.ids.push_back(item.id);
            out.pixels.push_back(std::move(pixels).value());
        } else {
            out.failures.push_back(item.path + ": " + pixels.error().message);
        }
    }
    return out;
}

Result<std::set<Id>> MlFeaturizer::Stored(Id project_id, const std::string& backbone_id,
                                          const std::vector<Item>& items) const {
    std::set<Id> have;
    TESSERA_TRY(ForEachIdChunk(items, [&](std::size_t, const std::vector<Id>& ids) -> Status {
        TESSERA_ASSIGN_OR_RETURN(std::vector<Id> stored,
                                 repo_.ListEmbeddedItems(project_id, backbone_id, ids));
        have.insert(stored.begin(), stored.end());
        return Status::Ok();
    }));
    return have;
}

Status MlFeaturizer::EmbedBatch(const Decoded& decoded, const std::vector<std::set<Id>>& stored) {
    for (std::size_t b = 0; b < backbones_.size(); ++b) {
        std::vector<ml::RgbImage> images;
        std::vector<Id> ids;
        for (std::size_t i = 0; i < decoded.ids.size(); ++i) {
            if (stored[b].count(decoded.ids[i]) == 0) {
                const RgbPixels& p = decoded.pixels[i];
                images.push_back({p.width, p.height, p.pixels});
                ids.push_back(decoded.ids[i]);
            }
        }
        if (images.empty()) {
            continue;
        }
        ml::Backbone& backbone = *backbones_[b].backbone;
        TESSERA_ASSIGN_OR_RETURN(std::vector<float> vectors, backbone.Embed(images));
        const auto dims = static_cast<std::size_t>(backbone.Spec().dimensions);
        std::vector<ItemEmbedding> rows;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            rows.push_back({ids[i], ml::EncodeFloat16(std::span(vectors.data() + i * dims, dims))});
        }
        TESSERA_TRY(repo_.PutEmbeddings(backbones_[b].id, rows));
    }
    return Status::Ok();
}

Result<FeaturizeReport> MlFeaturizer::Run(
    const Project& project, const std::vector<Item>& items,
    const std::function<void(std::int64_t, std::int64_t)>& progress,
    const std::function<bool()>& stop) {
    const auto started = std::chrono::steady_clock::now();
    FeaturizeReport report;
    report.items = static_cast<std::int64_t>(items.size());
    std::vector<std::set<Id>> stored;
    for (const MlBackbone& b : backbones_) {
        TESSERA_ASSIGN_OR_RETURN(std::set<Id> have, Stored(project.id, b.id, items));
        stored.push_back(std::move(have));
    }
    const auto embedded_by_all = [&stored](Id id) {
        return std::all_of(stored.begin(), stored.end(),
                           [id](const std::set<Id>& have) { return have.count(id) != 0; });
    };
    std::vector<std::vector<Item>> batches;
    for (const Item& item : items) {
        if (embedded_by_all(item.id)) {
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
        if (Status embedded = EmbedBatch(decoded, stored); !embedded.ok()) {
            if (next.valid()) {
                next.wait();
            }
            return embedded.error();
        }
        report.embedded += static_cast<std::int64_t>(decoded.ids.size());
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
