#pragma once
// ML assist from the API and the clock (issue 10; docs/design/ml.md): a project's settings, its
// rounds for the dashboard, "train now", and the scheduler's check for rounds that are due. The
// rounds themselves run as `ml_round` jobs (ml_round_job.hpp).
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/ml.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

// A PATCH of "ml_assist": fields left out keep their value.
struct MlSettingsChange {
    std::optional<bool> enabled;
    std::optional<double> target_precision;
    std::optional<int> min_labels_per_class;
    std::optional<int> retrain_after_labels;
};

// When the next round starts, in words the dashboard shows.
struct MlSchedule {
    bool due = false;
    std::string reason;  // "every class has 5 labels", "waiting for 3 more labels of Platelets"
};

struct MlView {
    bool supported = false;
    std::string unsupported_reason;  // for task types ML assist does not cover yet
    MlSettings settings;
    std::int64_t human_labels = 0;  // labeled items now
    std::vector<MlRound> rounds;    // newest first, the last ten
    MlSchedule next;
    // Savings (issue 10, point 8): the latest kEffortAnswers answers' cost, per what they were
    // shown first (no prelabel, the model's, an import's).
    std::vector<EffortTotal> efforts;
};

// Whether ML assist covers the task type, and if not, why (shown and returned as the error).
std::optional<std::string> MlUnsupportedReason(TaskType type);

class MlService {
public:
    static constexpr int kShownRounds = 10;
    static constexpr int kEffortAnswers = 20000;

    // `backbone` is the default backbone's id ("<name>@<version>"), recorded on each round.
    MlService(Repository& repo, const Clock& clock, std::string backbone);

    Result<MlView> Get(const User& actor, Id project_id);
    // Owners only. kInvalidArgument naming the field for a target precision outside 0.5-0.999,
    // min_labels_per_class outside 1-1000 or retrain_after_labels outside 1-1,000,000;
    // kFailedPrecondition for switching it on in a project of a task type it does not cover.
    Result<MlSettings> UpdateSettings(const User& actor, Id project_id,
                                      const MlSettingsChange& change);
    // "Train now": owners only; starts a round whether or not one is due. kConflict while one
    // is queued or running; kFailedPrecondition when ML assist is off, the task type is not
    // covered or the project has no labels yet.
    Result<MlRound> TrainNow(const User& actor, Id project_id);
    // The scheduler's tick: starts a round in each running project with ML assist on whose
    // next round is due. Returns how many started.
    Result<int> StartDueRounds();

private:
    Result<MlSchedule> Schedule(const Project& project, const MlSettings& settings,
                                std::int64_t human_labels, const std::vector<MlRound>& rounds);
    Result<MlRound> StartRound(const Project& project, std::int64_t human_labels);

    Repository& repo_;
    const Clock& clock_;
    std::string backbone_;
};

}  // namespace tessera
