#pragma once
// The "ingest" job (payload {"project_id": N}): lists the project's datasource as the
// DatasourceOpener opens it (a local folder, an Azure Blob container), reads each image
// header in parallel and inserts the items in batches (IngestPipeline, ingest_pipeline.hpp), then
// shuffles the queue with the project's seed. Re-running it is safe (InsertItems ignores paths
// already present), which is also how a later refresh picks up new files. When it registered images
// too large to send whole, it queues a "tile_pyramids" job for the project (tile_pyramid_job.hpp).
#include <string>

#include "base/clock.hpp"
#include "blobs/image_probe.hpp"
#include "jobs/job_runner.hpp"
#include "services/datasource_opener.hpp"
#include "services/ingest_pipeline.hpp"
#include "storage/repository.hpp"

namespace tessera {

class IngestJob final : public JobHandler {
public:
    static constexpr const char* kKind = "ingest";

    // `prober` is the decoder's probe, for the files the header reader leaves undecided.
    // `opener` opens the datasource (every kind refresh lists too); without one only local
    // folders are ingested.
    IngestJob(Repository& repo, const Clock& clock, ImageProber& prober,
              IngestPipelineSettings settings = {}, DatasourceOpener* opener = nullptr);

    // Thread-safe (no state of its own). Honours the project's item_limit in the stable listing
    // order and records item_limit_reached. Unreadable files become items in state kError with
    // the reason. kInterrupted when the runner stops it midway.
    JobOutcome Run(const Job& job, JobContext& context, std::string& error) override;

private:
    Repository& repo_;
    const Clock& clock_;
    ImageProber& prober_;
    IngestPipelineSettings settings_;
    DatasourceOpener local_opener_;  // used when none is given: local folders only
    DatasourceOpener* opener_;
};

}  // namespace tessera
