#pragma once
// Background jobs. Job rows in the database are the durable queue; a JobRunner claims and runs
// them, in the server process (default) or in a separate `tessera worker` process. A running
// job heartbeats; a job whose worker died is reclaimed once its heartbeat is stale.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

enum class JobOutcome {
    kDone,
    kFailed,
    // Stopped early because StopRequested() (shutdown): the job stays "running" and another
    // worker reclaims it once its heartbeat is stale, so handlers must be safe to re-run.
    kInterrupted,
};

// Handed to a running job so it can report progress (also the heartbeat) and notice shutdown.
// Called only from the job's own thread.
class JobContext {
public:
    virtual ~JobContext() = default;
    // Cheap to call per item: written to the database at most once a second (that write is
    // also the heartbeat). A background thread keeps the heartbeat going between reports.
    virtual void ReportProgress(std::int64_t done, std::int64_t total) = 0;
    virtual bool StopRequested() const = 0;
};

class JobHandler {
public:
    virtual ~JobHandler() = default;
    // Runs one job to the end. Returns the error message in `error` for kFailed. Called from
    // runner threads, possibly for several jobs at once. An exception escaping Run fails the
    // job with the exception's message.
    virtual JobOutcome Run(const Job& job, JobContext& context, std::string& error) = 0;
};

struct JobRunnerSettings {
    std::string worker_name = "server";
    int threads = 1;
    TimeMs poll_interval_ms = 500;
    TimeMs stale_after_ms = TimeMs{60} * 1000;
    TimeMs progress_interval_ms = 1000;  // progress writes are throttled to this
};

class JobRunner {
public:
    JobRunner(Repository& repo, const Clock& clock, JobRunnerSettings settings);
    ~JobRunner();
    void Register(const std::string& kind, JobHandler& handler);  // before Start()
    void Start();
    // Asks running jobs to stop and joins the threads. Idempotent.
    void Stop();
    // Runs queued jobs on the calling thread until none is left (tests, `tessera worker --once`).
    // Returns how many ran.
    int RunUntilIdle();

private:
    class Context;

    bool RunOne(const std::string& worker);
    void Loop(const std::string& worker);
    // Keeps the heartbeat of every active job fresh until `done` is set or Stop().
    void HeartbeatLoop(const std::atomic<bool>& done);
    // Sleeps up to `ms` or until Stop().
    void Wait(TimeMs ms);

    Repository& repo_;
    const Clock& clock_;
    JobRunnerSettings settings_;
    std::map<std::string, JobHandler*> handlers_;
    std::vector<std::string> kinds_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::condition_variable wake_;
    std::set<Context*> active_;  // GUARDED_BY(mu_): jobs running now, for the heartbeat
};

}  // namespace tessera
