#pragma once
// One ML assist round as a durable job (issue 10; docs/design/ml.md, "Jobs"): Featurization,
// Training, Validation and Inference, each recorded on the round (stage, metrics) as it ends, so
// the dashboard follows along. A worker killed midway leaves the job to be reclaimed; the
// re-run skips the embeddings already stored, fits the same heads (seeded, deterministic) and
// replaces the prelabels wholesale, so running a stage twice changes nothing.
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "jobs/job_runner.hpp"
#include "services/datasource_opener.hpp"
#include "services/ml_detection.hpp"
#include "services/ml_featurizer.hpp"
#include "services/ml_models.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct MlRoundSettings {
    // The front of the queue a round featurizes and prelabels: what labelers reach soon. At
    // ~40 images/s a 20,000-item window takes 8 minutes the first time, seconds after that.
    int window = 20000;
    // At most this many human labels train a round, a seeded sample when there are more: the
    // head's fit grows with them (about 3 ms an iteration per 1,000 at 1792-d on 2 cores) and
    // their embeddings are held in memory (7 KiB each), while accuracy has long levelled off.
    int max_training_labels = 20000;
    // Prelabeled items and the rest alternate in the queue in runs of this many (a page of
    // nine at most), so labelers keep giving blind labels after a round: only those judge the
    // next one, and the items they label stay a fair share of what remains. 0: every prelabeled
    // item first. Measured on Fashion-MNIST: docs/PERFORMANCE.md, "ML assist".
    int run_length = 9;
    // The next this many items without a prelabel are put in groups of similar ones (pages of
    // nine at most; docs/design/ml.md, "Clustering"): ten times what labelers reach before the
    // next round with the default retraining interval. Grouping 2,000 random 2,436-d vectors
    // (the index's worst case) takes 3.3 s on one thread here, 5,000 take 19 s.
    int group_window = 2000;
    // Bounding-box and polygon projects (services/ml_detection.hpp).
    DetectionSettings detection;
};

// The queue order after a round: runs of `run` prelabeled items alternating with runs of `run`
// manual ones, each list in its own order, until both are used up (run 0: prelabeled first).
std::vector<Id> InterleaveRuns(const std::vector<Id>& prelabeled, const std::vector<Id>& manual,
                               std::size_t run);

class MlRoundJob final : public JobHandler {
public:
    static constexpr const char* kKind = "ml_round";

    // `backbones` are the feature candidates (each with the id its embeddings are stored
    // under); Training chooses among them and their combination by validation. `opener` reads
    // items of datasource kinds other than "local" (null: local folders only).
    // `registered` (may be null) adds the models registered with `tessera model add`, read
    // when each round starts.
    MlRoundJob(Repository& repo, const Clock& clock, std::vector<MlBackbone> backbones,
               DatasourceOpener* opener, MlRoundSettings settings = {},
               RegisteredBackbones* registered = nullptr);

    // Runs the project's queued or running round. kDone when there is none (it ended, or the
    // project was deleted); kFailed with the reason, also stored on the round; kInterrupted on
    // shutdown.
    JobOutcome Run(const Job& job, JobContext& context, std::string& error) override;

private:
    Repository& repo_;
    const Clock& clock_;
    std::vector<MlBackbone> backbones_;
    DatasourceOpener* opener_;
    MlRoundSettings settings_;
    RegisteredBackbones* registered_;
};

}  // namespace tessera
