#include "services/refresh_service.hpp"

#include <nlohmann/json.hpp>

#include "services/ingest_job.hpp"
#include "services/permissions.hpp"
#include "services/refresh_job.hpp"

namespace tessera {
namespace {

bool Active(const Job& job) {
    return (job.kind == IngestJob::kKind || job.kind == RefreshJob::kKind) &&
           (job.state == JobState::kQueued || job.state == JobState::kRunning);
}

}  // namespace

Result<RefreshSettings> ApplyRefreshChange(RefreshSettings settings,
                                           const RefreshSettingsChange& change) {
    if (change.interval_s) {
        if (*change.interval_s < RefreshSettings::kMinIntervalS ||
            *change.interval_s > RefreshService::kMaxIntervalS) {
            return Error::InvalidArgument(
                "refresh interval must be between 60 and 31536000 seconds (one year), got " +
                    std::to_string(*change.interval_s),
                "refresh.interval_s");
        }
        settings.interval_s = *change.interval_s;
    }
    if (change.enabled) {
        settings.enabled = *change.enabled;
    }
    return settings;
}

RefreshService::RefreshService(Repository& repo, const Clock& clock, ProjectCache* cache)
    : repo_(repo), clock_(clock), cache_(cache) {}

Result<RefreshSettings> RefreshService::Configure(const User& actor, Id project_id,
                                                  const RefreshSettingsChange& change) {
    TESSERA_TRY(RequireOwner(actor, "change refresh settings"));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(RefreshSettings settings, ApplyRefreshChange(project.refresh, change));
    Status stored = repo_.SetRefreshSettings(project_id, settings);
    if (cache_ != nullptr) {
        cache_->Erase(project_id);
    }
    TESSERA_TRY(stored);
    return settings;
}

Result<std::optional<Job>> RefreshService::ActiveJob(Repository& repo, Id project_id,
                                                     TimeMs* last_refresh_job) {
    TESSERA_ASSIGN_OR_RETURN(std::vector<Job> jobs, repo.ListJobs(project_id));
    std::optional<Job> active;
    for (const Job& job : jobs) {  // newest first
        if (last_refresh_job != nullptr && job.kind == RefreshJob::kKind &&
            *last_refresh_job == 0) {
            *last_refresh_job = job.created_at;
        }
        if (!active && Active(job)) {
            active = job;
        }
    }
    return active;
}

Result<Job> RefreshService::Enqueue(Id project_id) {
    // A refresh every interval is a job row every interval: keep the recent ones only.
    TESSERA_TRY(repo_.PruneFinishedJobs(project_id, RefreshJob::kKind, kKeptRefreshJobs - 1));
    Job job;
    job.kind = RefreshJob::kKind;
    job.project_id = project_id;
    job.payload_json = nlohmann::json{{"project_id", project_id}}.dump();
    job.created_at = clock_.NowMs();
    return repo_.EnqueueJob(job);
}

Result<Job> RefreshService::RefreshNow(const User& actor, Id project_id) {
    TESSERA_TRY(RequireOwner(actor, "refresh projects"));
    TESSERA_TRY(repo_.GetProject(project_id));
    std::lock_guard<std::mutex> lock(mu_);
    TESSERA_ASSIGN_OR_RETURN(std::optional<Job> active, ActiveJob(repo_, project_id, nullptr));
    if (active && active->kind == RefreshJob::kKind) {
        return *active;
    }
    if (active) {
        return Error::FailedPrecondition(
            "the project's images are still being imported; refresh when the import has finished");
    }
    return Enqueue(project_id);
}

Result<int> RefreshService::EnqueueDue() {
    TESSERA_ASSIGN_OR_RETURN(std::vector<Project> projects, repo_.ListProjects());
    const TimeMs now = clock_.NowMs();
    int queued = 0;
    std::lock_guard<std::mutex> lock(mu_);
    for (const Project& project : projects) {
        if (!project.refresh.enabled) {
            continue;
        }
        TimeMs last_job = 0;
        TESSERA_ASSIGN_OR_RETURN(std::optional<Job> active,
                                 ActiveJob(repo_, project.id, &last_job));
        if (active) {
            continue;
        }
        // A failed refresh records no last_at; its job's time keeps it from being retried on
        // every tick.
        TimeMs since =
            std::max({project.created_at, project.refresh.last_at.value_or(0), last_job});
        if (now < since + project.refresh.interval_s * 1000) {
            continue;
        }
        TESSERA_TRY(Enqueue(project.id));
        ++queued;
    }
    return queued;
}

}  // namespace tessera
