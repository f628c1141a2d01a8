#include "services/cache_purge_job.hpp"

#include <nlohmann/json.hpp>

#include "base/log.hpp"
#include "services/item_cache.hpp"

namespace tessera {

CachePurgeJob::CachePurgeJob(ImageRenderer& renderer, TilePyramid& pyramid)
    : renderer_(renderer), pyramid_(pyramid) {}

JobOutcome CachePurgeJob::Run(const Job& job, JobContext& context, std::string& error) {
    auto j = nlohmann::json::parse(job.payload_json, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("project_id") ||
        !j["project_id"].is_number_integer()) {
        error = "purge_cache payload needs an integer project_id";
        return JobOutcome::kFailed;
    }
    const std::string group = ProjectCacheGroup(j["project_id"].get<Id>());
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
