#include "services/ingest_job.hpp"

#include <nlohmann/json.hpp>

#include <vector>

#include "base/log.hpp"
#include "blobs/local_source.hpp"
#include "services/datasource_opener.hpp"
#include "services/job_payload.hpp"
#include "services/source_ingest.hpp"
#include "services/tile_pyramid_job.hpp"

namespace tessera {
namespace {

NewItem ProbeItem(ImageProber& prober, const std::filesystem::path& root, const LocalFile& file) {
    NewItem item;
    item.path = file.relative_path;
    auto info = prober.Probe(SourceRef{root, file.absolute_path});
    if (info.ok()) {
        item.size_bytes = info->size_bytes;
        item.width = info->width;
        item.height = info->height;
        item.format = info->format;
        return item;
    }
    std::error_code ec;
    auto size = std::filesystem::file_size(file.absolute_path, ec);
    item.size_bytes = ec ? 0 : static_cast<std::int64_t>(size);
    item.state = ItemState::kError;
    item.error = info.error().message;
    if (info.error().code == ErrorCode::kFailedPrecondition) {
        item.format = "dicom";  // the one recognised-but-undecoded format today
    }
    return item;
}

// One ingest run. Listing is done twice: a cheap first pass counts (so progress has a total
// and item_limit_reached is known), the second probes and inserts.
class IngestRun {
public:
    IngestRun(Repository& repo, const Clock& clock, ImageProber& prober, const Project& project,
              JobContext& context)
        : repo_(repo), clock_(clock), prober_(prober), project_(project), context_(context) {}

    Status Run();
    bool interrupted() const { return interrupted_; }

private:
    Result<std::int64_t> Count();
    Status Flush();
    Status QueueTilePyramids();

    Repository& repo_;
    const Clock& clock_;
    ImageProber& prober_;
    const Project& project_;
    JobContext& context_;
    std::vector<NewItem> batch_;
    Status failed_;
    bool interrupted_ = false;
    std::int64_t large_items_ = 0;  // readable items the UI will open through tiles
};

Result<std::int64_t> IngestRun::Count() {
    std::int64_t count = 0;
    const std::int64_t limit = project_.item_limit;
    TESSERA_ASSIGN_OR_RETURN(WalkStats stats,
                             WalkLocalSource(project_.datasource.path, project_.datasource.pattern,
                                             [&](const LocalFile&) { return ++count <= limit; }));
    if (stats.refused_links > 0 || stats.unreadable_dirs > 0) {
        log::Warn("ingest skipped entries",
                  {{"project", std::to_string(project_.id)},
                   {"refused_links", std::to_string(stats.refused_links)},
                   {"unreadable_dirs", std::to_string(stats.unreadable_dirs)}});
    }
    TESSERA_TRY(repo_.SetItemLimitReached(project_.id, count > limit));
    return std::min(count, limit);
}

Status IngestRun::Flush() {
    if (batch_.empty()) {
        return Status::Ok();
    }
    TESSERA_TRY(repo_.InsertItems(project_.id, batch_, clock_.NowMs()));
    batch_.clear();
    return Status::Ok();
}

Status IngestRun::Run() {
    TESSERA_ASSIGN_OR_RETURN(std::int64_t total, Count());
    context_.ReportProgress(0, total);
    std::int64_t done = 0;
    batch_.reserve(IngestJob::kBatchSize);
    TESSERA_TRY(WalkLocalSource(
        project_.datasource.path, project_.datasource.pattern, [&](const LocalFile& file) {
            if (done >= total) {
                return false;
            }
            if (context_.StopRequested()) {
                interrupted_ = true;
                return false;
            }
            batch_.push_back(ProbeItem(prober_, project_.datasource.path, file));
            const NewItem& probed = batch_.back();
            if (probed.state != ItemState::kError &&
                WantsTilePyramid(probed.width, probed.height)) {
                ++large_items_;
            }
            ++done;
            if (batch_.size() >= IngestJob::kBatchSize) {
                failed_ = Flush();
                if (!failed_.ok()) {
                    return false;
                }
            }
            context_.ReportProgress(done, total);
            return true;
        }));
    TESSERA_TRY(failed_);
    if (interrupted_) {
        return Status::Ok();
    }
    TESSERA_TRY(Flush());
    context_.ReportProgress(done, total);
    TESSERA_TRY(repo_.ShuffleItems(project_.id, project_.shuffle_seed));
    return QueueTilePyramids();
}

// Large images get their tile pyramids built by a job of their own, so the ingest (and the
// queue it opens) is not held up by minutes of pixel work. A re-run queues another such job;
// it finds the pyramids built and finishes at once.
Status IngestRun::QueueTilePyramids() {
    if (large_items_ == 0) {
        return Status::Ok();
    }
    Job job;
    job.kind = TilePyramidJob::kKind;
    job.project_id = project_.id;
    job.payload_json = nlohmann::json{{"project_id", project_.id}}.dump();
    job.created_at = clock_.NowMs();
    TESSERA_TRY(repo_.EnqueueJob(job));
    return Status::Ok();
}

}  // namespace

IngestJob::IngestJob(Repository& repo, const Clock& clock, ImageProber& prober,
                     DatasourceOpener* opener)
    : repo_(repo), clock_(clock), prober_(prober), opener_(opener) {}

JobOutcome IngestJob::Run(const Job& job, JobContext& context, std::string& error) {
    auto project_id = ParseProjectId(kKind, job.payload_json);
    if (!project_id.ok()) {
        error = project_id.error().message;
        return JobOutcome::kFailed;
    }
    auto project = repo_.GetProject(*project_id);
    if (!project.ok()) {
        error = "project " + std::to_string(*project_id) + ": " + project.error().message;
        return JobOutcome::kFailed;
    }
    if (project->datasource.kind == "azure_blob" && opener_ != nullptr) {
        auto source = opener_->Azure(project->datasource);
        auto result =
            source.ok()
                ? IngestFromSource(repo_, clock_, prober_, *project, context, **source,
                                   [&](const std::string& path) { return (*source)->Fetch(path); })
                : Result<SourceIngestResult>(source.error());
        if (!result.ok()) {
            error = result.error().message;
            return JobOutcome::kFailed;
        }
        return result->interrupted ? JobOutcome::kInterrupted : JobOutcome::kDone;
    }
    if (project->datasource.kind != "local") {
        error = "datasource kind '" + project->datasource.kind + "' cannot be ingested yet";
        return JobOutcome::kFailed;
    }
    IngestRun run(repo_, clock_, prober_, *project, context);
    Status status = run.Run();
    if (!status.ok()) {
        error = status.error().message;
        return JobOutcome::kFailed;
    }
    return run.interrupted() ? JobOutcome::kInterrupted : JobOutcome::kDone;
}

}  // namespace tessera
