#include "services/tile_pyramid_job.hpp"

#include <nlohmann/json.hpp>

#include <vector>

#include "base/log.hpp"
#include "services/datasource_opener.hpp"
#include "services/item_cache.hpp"
#include "services/item_source.hpp"
#include "services/job_payload.hpp"

namespace tessera {
namespace {

constexpr int kPageSize = 1000;

// Large, readable items in id order. Only their ids and paths are kept, so even a project of
// millions of items costs one pass of paged reads.
Result<std::vector<Item>> ItemsToBuild(Repository& repo, Id project_id) {
    std::vector<Item> wanted;
    ItemFilter filter;
    filter.limit = kPageSize;
    for (;;) {
        TESSERA_ASSIGN_OR_RETURN(std::vector<Item> page, repo.ListItems(project_id, filter));
        for (Item& item : page) {
            if (item.state != ItemState::kError &&
                WantsTilePyramid(item.width, item.height, item.format)) {
                wanted.push_back(std::move(item));
            }
        }
        if (static_cast<int>(page.size()) < kPageSize) {
            return wanted;
        }
        filter.after_id = page.back().id;
    }
}

}  // namespace

Status TilePyramidJob::Enqueue(Repository& repo, Id project_id, TimeMs now) {
    Job job;
    job.kind = kKind;
    job.project_id = project_id;
    job.payload_json = nlohmann::json{{"project_id", project_id}}.dump();
    job.created_at = now;
    TESSERA_TRY(repo.EnqueueJob(job));
    return Status::Ok();
}

TilePyramidJob::TilePyramidJob(Repository& repo, TilePyramid& pyramid, DatasourceOpener* opener)
    : repo_(repo), pyramid_(pyramid), opener_(opener) {}

JobOutcome TilePyramidJob::Run(const Job& job, JobContext& context, std::string& error) {
    auto project_id = ParseProjectId(kKind, job.payload_json);
    if (!project_id.ok()) {
        error = project_id.error().message;
        return JobOutcome::kFailed;
    }
    auto project = repo_.GetProject(*project_id);
    if (!project.ok()) {
        if (project.error().code == ErrorCode::kNotFound) {
            return JobOutcome::kDone;  // deleted meanwhile: its caches are being purged
        }
        error = "project " + std::to_string(*project_id) + ": " + project.error().message;
        return JobOutcome::kFailed;
    }
    auto items = ItemsToBuild(repo_, *project_id);
    if (!items.ok()) {
        error = items.error().message;
        return JobOutcome::kFailed;
    }
    const auto total = static_cast<std::int64_t>(items->size());
    context.ReportProgress(0, total);
    auto stop = [&context] { return context.StopRequested(); };
    std::int64_t done = 0;
    std::int64_t failed = 0;
    std::string first_failure;
    for (const Item& item : *items) {
        if (context.StopRequested()) {
            return JobOutcome::kInterrupted;
        }
        Result<PyramidInfo> built = Error::Internal("not built");
        const Result<SourceRef> source = LocateItemFile(repo_, opener_, *project, item);
        if (source.ok()) {
            built = pyramid_.Info(*source, ItemCacheKey(*project_id, item.id), stop);
        } else {
            built = source.error();
        }
        if (!built.ok()) {
            if (context.StopRequested()) {
                return JobOutcome::kInterrupted;
            }
            ++failed;
            if (first_failure.empty()) {
                first_failure = item.path + ": " + built.error().message;
            }
            log::Warn("tile pyramid not built", {{"project", std::to_string(*project_id)},
                                                 {"item", std::to_string(item.id)},
                                                 {"error", built.error().message}});
        }
        context.ReportProgress(++done, total);
    }
    if (failed > 0) {
        error = std::to_string(failed) + " of " + std::to_string(total) +
                " tile pyramids could not be built; first: " + first_failure;
        return JobOutcome::kFailed;
    }
    return JobOutcome::kDone;
}

}  // namespace tessera
