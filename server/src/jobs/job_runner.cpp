#include "jobs/job_runner.hpp"

#include <algorithm>
#include <exception>
#include <optional>

#include "base/log.hpp"

namespace tessera {

class JobRunner::Context final : public JobContext {
public:
    Context(JobRunner& runner, const Job& job) : runner_(runner), job_(job) {}

    void ReportProgress(std::int64_t done, std::int64_t total) override {
        {
            std::lock_guard lock(mu_);
            done_ = done;
            total_ = total;
            reported_ = true;
        }
        Flush(false);
    }

    bool StopRequested() const override { return runner_.stop_.load(); }

    // Writes the latest progress when the last write is older than the interval (or `force`).
    // Doubles as the heartbeat: the write refreshes the job's heartbeat_at.
    void Flush(bool force) {
        std::lock_guard lock(mu_);
        TimeMs now = runner_.clock_.NowMs();
        if (!force && last_write_.has_value() &&
            now - *last_write_ < runner_.settings_.progress_interval_ms) {
            return;
        }
        last_write_ = now;
        Status written = runner_.repo_.UpdateJobProgress(job_.id, done_, total_, now);
        if (!written.ok()) {
            log::Warn("job progress not saved",
                      {{"job", std::to_string(job_.id)}, {"error", written.error().message}});
        }
    }

    bool reported() {
        std::lock_guard lock(mu_);
        return reported_;
    }

private:
    JobRunner& runner_;
    const Job& job_;
    std::mutex mu_;           // serialises progress writes from the job and the heartbeat thread
    std::int64_t done_ = 0;   // GUARDED_BY(mu_)
    std::int64_t total_ = 0;  // GUARDED_BY(mu_)
    bool reported_ = false;   // GUARDED_BY(mu_)
    std::optional<TimeMs> last_write_;  // GUARDED_BY(mu_)
};

JobRunner::JobRunner(Repository& repo, const Clock& clock, JobRunnerSettings settings)
    : repo_(repo), clock_(clock), settings_(std::move(settings)) {
    settings_.threads = std::max(1, settings_.threads);
}

JobRunner::~JobRunner() {
    Stop();
}

void JobRunner::Register(const std::string& kind, JobHandler& handler) {
    if (handlers_.emplace(kind, &handler).second) {
        kinds_.push_back(kind);
    }
}

void JobRunner::Start() {
    if (!threads_.empty() || stop_) {
        return;
    }
    for (int i = 0; i < settings_.threads; ++i) {
        threads_.emplace_back(&JobRunner::Loop, this,
                              settings_.worker_name + "/" + std::to_string(i));
    }
    threads_.emplace_back(&JobRunner::HeartbeatLoop, this, std::cref(stop_));
}

void JobRunner::Stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) {
            thread.join();
        }
    }
    threads_.clear();
}

int JobRunner::RunUntilIdle() {
    std::atomic<bool> done{false};
    std::thread heartbeat(&JobRunner::HeartbeatLoop, this, std::cref(done));
    int ran = 0;
    while (!stop_ && RunOne(settings_.worker_name)) {
        ++ran;
    }
    {
        std::lock_guard lock(mu_);
        done = true;
    }
    wake_.notify_all();
    heartbeat.join();
    return ran;
}

void JobRunner::Wait(TimeMs ms) {
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stop_.load(); });
}

void JobRunner::Loop(const std::string& worker) {
    while (!stop_) {
        if (!RunOne(worker)) {
            Wait(settings_.poll_interval_ms);
        }
    }
}

void JobRunner::HeartbeatLoop(const std::atomic<bool>& done) {
    // Several beats per stale period, so one slow write cannot get a live job reclaimed.
    TimeMs period = std::max(settings_.progress_interval_ms, settings_.stale_after_ms / 6);
    std::unique_lock lock(mu_);
    while (!stop_ && !done) {
        wake_.wait_for(lock, std::chrono::milliseconds(period),
                       [&] { return stop_.load() || done.load(); });
        for (Context* context : active_) {
            context->Flush(false);
        }
    }
}

bool JobRunner::RunOne(const std::string& worker) {
    if (kinds_.empty()) {
        return false;
    }
    TimeMs now = clock_.NowMs();
    auto claimed = repo_.ClaimJob(kinds_, worker, now, now - settings_.stale_after_ms);
    if (!claimed.ok()) {
        log::Warn("cannot claim jobs", {{"error", claimed.error().message}});
        return false;
    }
    if (!claimed->has_value()) {
        return false;
    }
    const Job job = std::move(**claimed);
    JobHandler* handler = handlers_.at(job.kind);
    Context context(*this, job);
    {
        std::lock_guard lock(mu_);
        active_.insert(&context);
    }
    log::Info("job started",
              {{"job", std::to_string(job.id)}, {"kind", job.kind}, {"worker", worker}});
    std::string error;
    JobOutcome outcome = JobOutcome::kFailed;
    try {
        outcome = handler->Run(job, context, error);
    } catch (const std::exception& e) {
        error = std::string("job crashed: ") + e.what();
    } catch (...) {
        error = "job crashed with an unknown exception";
    }
    {
        std::lock_guard lock(mu_);
        active_.erase(&context);
    }
    if (context.reported()) {
        context.Flush(true);
    }
    if (outcome == JobOutcome::kInterrupted) {
        log::Info("job interrupted", {{"job", std::to_string(job.id)}});
        return true;
    }
    JobState state = outcome == JobOutcome::kDone ? JobState::kDone : JobState::kFailed;
    if (state == JobState::kFailed && error.empty()) {
        error = "job failed without a reason";
    }
    Status finished = repo_.FinishJob(job.id, state, error, clock_.NowMs());
    if (!finished.ok()) {
        log::Error("cannot record job outcome",
                   {{"job", std::to_string(job.id)}, {"error", finished.error().message}});
    }
    log::Info("job finished", {{"job", std::to_string(job.id)},
                               {"state", std::string(JobStateName(state))},
                               {"error", error}});
    return true;
}

}  // namespace tessera
