#include "services/cache_purge_job.hpp"

#include "base/log.hpp"
#include "services/item_cache.hpp"
#include "services/job_payload.hpp"

namespace tessera {

CachePurgeJob::CachePurgeJob(ImageRenderer& renderer, TilePyramid& pyramid)
    : renderer_(renderer), pyramid_(pyramid) {}

JobOutcome CachePurgeJob::Run(const Job& job, JobContext& context, std::string& error) {
    auto project_id = ParseProjectId(kKind, job.payload_json);
    if (!project_id.ok()) {
        error = project_id.error().message;
        return JobOutcome::kFailed;
    }
    const std::string group = ProjectCacheGroup(*project_id);
    context.ReportProgress(0, 2);
    auto renditions = renderer_.RemoveGroup(group);
    if (!renditions.ok()) {
        error = renditions.error().message;
        return JobOutcome::kFailed;
    }
    context.ReportProgress(1, 2);
    auto pyramids = pyramid_.RemoveGroup(group);
    if (!pyramids.ok()) {
        error = pyramids.error().message;
        return JobOutcome::kFailed;
    }
    context.ReportProgress(2, 2);
    log::Info("purged project caches", {{"group", group},
                                        {"rendition_entries", std::to_string(*renditions)},
                                        {"pyramid_entries", std::to_string(*pyramids)}});
    return JobOutcome::kDone;
}

}  // namespace tessera
