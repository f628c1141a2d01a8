#include "services/ingest_job.hpp"

#include <vector>

#include "base/log.hpp"
#include "blobs/local_source.hpp"
#include "services/datasource_opener.hpp"
#include "services/ingest_pipeline.hpp"
#include "services/job_payload.hpp"
#include "services/tile_pyramid_job.hpp"

namespace tessera {
namespace {

// One ingest run. Listing is done twice: a first pass counts (so progress has a total and
// item_limit_reached is known), the second feeds the pipeline, which probes in parallel and
// inserts in batches in listing order.
class IngestRun {
public:
    IngestRun(Repository& repo, const Clock& clock, const IngestPipelineSettings& settings,
              const Project& project, JobContext& context, OpenedSource& opened)
        : repo_(repo),
          clock_(clock),
          settings_(settings),
          project_(project),
          context_(context),
          opened_(opened) {}

    Status Run();
    bool interrupted() const { return interrupted_; }

private:
    Result<std::int64_t> Count();

    Repository& repo_;
    const Clock& clock_;
    const IngestPipelineSettings& settings_;
    const Project& project_;
    JobContext& context_;
    OpenedSource& opened_;
    bool interrupted_ = false;
};

// The count pass of a local folder walks it alone: the entries' sizes and versions (a stat
// each) are needed only by the second pass. Other kinds count their listing.
Result<std::int64_t> IngestRun::Count() {
    std::int64_t count = 0;
    const std::int64_t limit = project_.item_limit;
    if (project_.datasource.kind != "local") {
        TESSERA_TRY(opened_.source->List([&](const SourceEntry&) { return ++count <= limit; }));
        TESSERA_TRY(repo_.SetItemLimitReached(project_.id, count > limit));
        return std::min(count, limit);
    }
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

Status IngestRun::Run() {
    TESSERA_ASSIGN_OR_RETURN(std::int64_t total, Count());
    context_.ReportProgress(0, total);
    IngestPipelineSettings settings = settings_;
    settings.threads = settings.threads > 0 ? settings.threads : opened_.readers;
    IngestPipeline pipeline(repo_, clock_, *opened_.source, project_.id, opened_.fallback,
                            settings);
    pipeline.set_progress([&](std::int64_t done) { context_.ReportProgress(done, total); });
    std::int64_t listed = 0;
    Status added;
    TESSERA_TRY(opened_.source->List([&](const SourceEntry& entry) {
        if (listed >= total) {
            return false;
        }
        if (context_.StopRequested()) {
            interrupted_ = true;
            return false;
        }
        ++listed;
        added = pipeline.Add(entry);
        return added.ok();
    }));
    TESSERA_TRY(added);
    if (interrupted_) {
        pipeline.Abandon();  // batches inserted so far stay; a rerun skips their paths
        return Status::Ok();
    }
    TESSERA_TRY(pipeline.Finish());
    const IngestCounts& counts = pipeline.counts();
    context_.ReportProgress(counts.probed, total);
    log::Info("ingest probed", {{"project", std::to_string(project_.id)},
                                {"items", std::to_string(counts.probed)},
                                {"new", std::to_string(counts.inserted)},
                                {"errors", std::to_string(counts.errors)},
                                {"decoder_probes", std::to_string(counts.decoder_probes)}});
    TESSERA_TRY(repo_.ShuffleItems(project_.id, project_.shuffle_seed));
    if (counts.large == 0) {
        return Status::Ok();
    }
    return TilePyramidJob::Enqueue(repo_, project_.id, clock_.NowMs());
}

}  // namespace

IngestJob::IngestJob(Repository& repo, const Clock& clock, ImageProber& prober,
                     IngestPipelineSettings settings, DatasourceOpener* opener)
    : repo_(repo),
      clock_(clock),
      prober_(prober),
      settings_(settings),
      opener_(opener != nullptr ? opener : &local_opener_) {}

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
    auto opened = opener_->Open(project->datasource, prober_);
    if (!opened.ok()) {
        error = opened.error().message;
        return JobOutcome::kFailed;
    }
    IngestRun run(repo_, clock_, settings_, *project, context, *opened);
    Status status = run.Run();
    const bool interrupted = run.interrupted();
    if (!status.ok()) {
        error = status.error().message;
        return JobOutcome::kFailed;
    }
    return interrupted ? JobOutcome::kInterrupted : JobOutcome::kDone;
}

}  // namespace tessera
