#pragma once
// A round in progress (services/ml_round_job.cpp runs it): the stored `ml_rounds` row, written
// again as each stage starts and ends, so the dashboard follows along. Shared by the
// classification stages and the detection stages (services/ml_detection.cpp).
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.hpp"
#include "jobs/job_runner.hpp"
#include "storage/repository.hpp"

namespace tessera {

using SteadyClock = std::chrono::steady_clock;

inline double SecondsSince(SteadyClock::time_point start) {
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// A round in progress: the stored row, written again after each stage.
class RoundRun {
public:
    RoundRun(Repository& repo, const Clock& clock, MlRound round)
        : repo_(repo), clock_(clock), round_(std::move(round)) {
        metrics_ = nlohmann::json::parse(round_.metrics_json, nullptr, false);
        if (!metrics_.is_object()) {
            metrics_ = nlohmann::json::object();
        }
    }
    MlRound& round() { return round_; }
    Status Enter(MlStage stage) {
        round_.stage = stage;
        round_.state = MlRoundState::kRunning;
        if (round_.started_at == 0) {
            round_.started_at = clock_.NowMs();
        }
        return Save();
    }
    Status Record(MlStage stage, nlohmann::json metrics) {
        metrics_[std::string(MlStageName(stage))] = std::move(metrics);
        return Save();
    }
    Status Finish(MlRoundState state, std::string message) {
        round_.state = state;
        round_.message = std::move(message);
        round_.finished_at = clock_.NowMs();
        return Save();
    }

private:
    Status Save() {
        round_.metrics_json = metrics_.dump();
        return repo_.UpdateMlRound(round_);
    }
    Repository& repo_;
    const Clock& clock_;
    MlRound round_;
    nlohmann::json metrics_;
};

// What every stage of a round works with: the store, the time, the round's row, its project
// with its ML settings, and the job running it (progress, stop requests).
struct RoundScope {
    Repository& repo;
    const Clock& clock;
    RoundRun& run;
    const Project& project;
    const MlSettings& ml;
    JobContext& context;
};

// How a stage ended: go on to the next, the round is over (finished and recorded), or the
// worker is stopping.
enum class StageEnd { kNext, kRoundOver, kInterrupted };

}  // namespace tessera
