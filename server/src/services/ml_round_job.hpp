#pragma once
// One ML assist round as a durable job (issue 10; docs/design/ml.md, "Jobs"): Featurization,
// Training, Validation and Inference, each recorded on the round (stage, metrics) as it ends, so
// the dashboard follows along. A worker killed midway leaves the job to be reclaimed; the
// re-run skips the embeddings already stored, fits the same heads (seeded, deterministic) and
// replaces the prelabels wholesale, so running a stage twice changes nothing.
#include <string>

#include "base/clock.hpp"
#include "jobs/job_runner.hpp"
#include "ml/backbone.hpp"
#include "services/datasource_opener.hpp"
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
};

class MlRoundJob final : public JobHandler {
public:
    static constexpr const char* kKind = "ml_round";

    // `backbone_id` ("<name>@<version>") keys the stored embeddings. `opener` reads items of
    // datasource kinds other than "local" (null: local folders only).
    MlRoundJob(Repository& repo, const Clock& clock, ml::Backbone& backbone,
               std::string backbone_id, DatasourceOpener* opener, MlRoundSettings settings = {});

    // Runs the project's queued or running round. kDone when there is none (it ended, or the
    // project was deleted); kFailed with the reason, also stored on the round; kInterrupted on
    // shutdown.
    JobOutcome Run(const Job& job, JobContext& context, std::string& error) override;

private:
    Repository& repo_;
    const Clock& clock_;
    ml::Backbone& backbone_;
    std::string backbone_id_;
    DatasourceOpener* opener_;
    MlRoundSettings settings_;
};

}  // namespace tessera
