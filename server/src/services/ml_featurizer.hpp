#pragma once
// The Featurization stage (docs/design/ml.md): makes sure every item a round needs has an
// embedding under each of the round's backbones. Embeddings already stored are skipped, so a
// retried round resumes where the killed one stopped. Each image is decoded once (libvips) for
// all the backbones, one batch ahead of them, on a thread of its own.
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/model.hpp"
#include "ml/backbone.hpp"
#include "services/datasource_opener.hpp"
#include "storage/repository.hpp"

namespace tessera {

// A backbone and the id its embeddings are stored under ("<name>@<version>").
struct MlBackbone {
    ml::Backbone* backbone = nullptr;
    std::string id;
};

struct FeaturizeReport {
    std::int64_t items = 0;     // asked for
    std::int64_t cached = 0;    // already embedded by every backbone
    std::int64_t embedded = 0;  // embedded now (by the backbones that lacked them)
    std::int64_t failed = 0;    // could not be read or decoded (left without an embedding)
    std::string first_failure;  // "<path>: <reason>"
    double seconds = 0;
};

class MlFeaturizer {
public:
    static constexpr int kBatch = 16;

    // `opener` reads items of datasource kinds other than "local"; null: local folders only.
    MlFeaturizer(Repository& repo, std::vector<MlBackbone> backbones, DatasourceOpener* opener);

    // Embeds those of `items` that lack an embedding of some backbone. `progress(done, total)`
    // after each batch; `stop()` true ends early with kUnavailable ("stopped"), keeping what was
    // stored.
    Result<FeaturizeReport> Run(const Project& project, const std::vector<Item>& items,
                                const std::function<void(std::int64_t, std::int64_t)>& progress,
                                const std::function<bool()>& stop);

private:
    struct Decoded;
    Decoded DecodeBatch(const Project& project, const std::vector<Item>& items) const;
    // The ids of `items` with an embedding of `backbone_id`.
    Result<std::set<Id>> Stored(Id project_id, const std::string& backbone_id,
                                const std::vector<Item>& items) const;
    // Embeds what each backbone lacks of one decoded batch and stores it.
    Status EmbedBatch(const Decoded& decoded, const std::vector<std::set<Id>>& stored);

    Repository& repo_;
    std::vector<MlBackbone> backbones_;
    DatasourceOpener* opener_;
    int decode_width_ = 0;  // the largest input any backbone takes
    int decode_height_ = 0;
};

}  // namespace tessera
