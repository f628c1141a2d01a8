#pragma once
// The Featurization stage (docs/design/ml.md): makes sure every item a round needs has an
// embedding under the round's backbone. Items already embedded are skipped, so a retried round
// resumes where the killed one stopped. Images are decoded (libvips) one batch ahead of the
// network (OpenCV DNN), on a thread of their own.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/model.hpp"
#include "ml/backbone.hpp"
#include "services/datasource_opener.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct FeaturizeReport {
    std::int64_t items = 0;     // asked for
    std::int64_t cached = 0;    // already embedded
    std::int64_t embedded = 0;  // embedded now
    std::int64_t failed = 0;    // could not be read or decoded (left without an embedding)
    std::string first_failure;  // "<path>: <reason>"
    double seconds = 0;
};

class MlFeaturizer {
public:
    static constexpr int kBatch = 16;

    // `opener` reads items of datasource kinds other than "local"; null: local folders only.
    MlFeaturizer(Repository& repo, ml::Backbone& backbone, std::string backbone_id,
                 DatasourceOpener* opener);

    // Embeds those of `items` that have no embedding yet. `progress(done, total)` after each
    // batch; `stop()` true ends early with kUnavailable ("stopped"), keeping what was stored.
    Result<FeaturizeReport> Run(const Project& project, const std::vector<Item>& items,
                                const std::function<void(std::int64_t, std::int64_t)>& progress,
                                const std::function<bool()>& stop);

private:
    struct Decoded;
    Decoded DecodeBatch(const Project& project, const std::vector<Item>& items) const;

    Repository& repo_;
    ml::Backbone& backbone_;
    std::string backbone_id_;
    DatasourceOpener* opener_;
};

}  // namespace tessera
