#pragma once
// The "purge_cache" job (payload {"project_id": N}): removes a deleted project's cached
// display renditions, thumbnails and tile pyramids from the data dir. Queued by
// ProjectService::Delete. Re-running it is safe (nothing left to remove is no error).
#include <string>

#include "blobs/image_renderer.hpp"
#include "blobs/tile_pyramid.hpp"
#include "jobs/job_runner.hpp"

namespace tessera {

class CachePurgeJob final : public JobHandler {
public:
    static constexpr const char* kKind = "purge_cache";

    // Both must outlive the handler and use the same data dir as the server's.
    CachePurgeJob(ImageRenderer& renderer, TilePyramid& pyramid);

    // Thread-safe. kFailed when a cache folder cannot be removed (the message says which).
    JobOutcome Run(const Job& job, JobContext& context, std::string& error) override;

private:
    ImageRenderer& renderer_;
    TilePyramid& pyramid_;
};

}  // namespace tessera
