#pragma once
// Incremental refresh from the API and the clock (docs/design/datasources.md): a project's
// refresh settings, "refresh now", and the scheduler that queues a refresh job for each project
// whose interval has passed. At most one refresh is queued or running per project, and none
// while its ingest is: both would list the same files.
#include <mutex>
#include <optional>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "services/project_cache.hpp"
#include "storage/repository.hpp"

namespace tessera {

// A PATCH of the refresh settings: fields left out keep their value.
struct RefreshSettingsChange {
    std::optional<bool> enabled;
    std::optional<std::int64_t> interval_s;
};

// `settings` with `change` applied. kInvalidArgument (field "refresh.interval_s") for an
// interval under RefreshSettings::kMinIntervalS or over RefreshService::kMaxIntervalS. Shared by
// PATCH and project creation so both accept the same settings.
Result<RefreshSettings> ApplyRefreshChange(RefreshSettings settings,
                                           const RefreshSettingsChange& change);

class RefreshService {
public:
    // Also the largest interval: a year.
    static constexpr std::int64_t kMaxIntervalS = std::int64_t{365} * 24 * 3600;
    // Finished refresh jobs kept per project (with the one being queued); older ones are
    // deleted as a new one is queued, so the project's job list stays short.
    static constexpr int kKeptRefreshJobs = 20;

    RefreshService(Repository& repo, const Clock& clock, ProjectCache* cache = nullptr);

    // Owners only. kInvalidArgument (field "refresh.interval_s") for an interval under
    // RefreshSettings::kMinIntervalS or over kMaxIntervalS. Returns the settings now stored.
    Result<RefreshSettings> Configure(const User& actor, Id project_id,
                                      const RefreshSettingsChange& change);
    // Owners only. Queues a refresh job, or returns the one already queued or running.
    // kFailedPrecondition while the project's ingest has not finished.
    Result<Job> RefreshNow(const User& actor, Id project_id);
    // The scheduler's step: queues a refresh for every project with refresh on whose last
    // refresh (or creation, or last refresh job) is at least its interval ago and that has no
    // ingest or refresh queued or running. Returns how many it queued. Thread-safe.
    Result<int> EnqueueDue();

private:
    // The project's queued or running ingest/refresh job, if any.
    static Result<std::optional<Job>> ActiveJob(Repository& repo, Id project_id,
                                                TimeMs* last_refresh_job);
    Result<Job> Enqueue(Id project_id);

    Repository& repo_;
    const Clock& clock_;
    ProjectCache* cache_;
    std::mutex mu_;  // one check-then-enqueue at a time (within this process)
};

}  // namespace tessera
