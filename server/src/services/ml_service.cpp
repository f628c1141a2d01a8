#include "services/ml_service.hpp"

#include <algorithm>
#include <map>

#include "domain/label_tree.hpp"
#include "services/ml_round_job.hpp"
#include "services/permissions.hpp"

namespace tessera {

namespace {

// The classes a round waits for: the tree's leaves (a labeler picks a leaf; a parent is a
// grouping).
std::vector<std::string> LeafClasses(const LabelTree& tree) {
    std::vector<std::string> leaves;
    const auto& nodes = tree.nodes();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const bool has_child = i + 1 < nodes.size() && nodes[i + 1].depth > nodes[i].depth;
        if (!has_child) {
            leaves.push_back(nodes[i].path);
        }
    }
    return leaves;
}

}  // namespace

std::optional<std::string> MlUnsupportedReason(TaskType type) {
    if (type == TaskType::kMulticlass || type == TaskType::kMultilabel || type == TaskType::kBbox ||
        type == TaskType::kPolygon) {
        return std::nullopt;
    }
    return "ML assist covers multi-class, multi-label, bounding-box and polygon projects (this "
           "project is " +
           std::string(TaskTypeName(type)) +
           ": semantic masks and DICOM are left out, as in "
           "Azure)";
}

MlService::MlService(Repository& repo, const Clock& clock, std::string backbone)
    : repo_(repo), clock_(clock), backbone_(std::move(backbone)) {}

Result<MlSchedule> MlService::Schedule(const Project& project, const MlSettings& settings,
                                       std::int64_t human_labels,
                                       const std::vector<MlRound>& rounds) {
    MlSchedule next;
    if (!settings.enabled) {
        next.reason = "ML assist is off";
        return next;
    }
    if (!rounds.empty() && IsActive(rounds.front().state)) {
        next.reason = "a round is " + std::string(MlRoundStateName(rounds.front().state));
        return next;
    }
    // The last round that started: a failed one counts too, or a broken project would retry
    // on every tick.
    if (!rounds.empty()) {
        const std::int64_t since = human_labels - rounds.front().labels_used;
        next.due = since >= settings.retrain_after_labels;
        next.reason = next.due
                          ? std::to_string(since) + " new labels since the last round"
                          : "after " + std::to_string(settings.retrain_after_labels - since) +
                                " more labels (" + std::to_string(since) + " since the last round)";
        return next;
    }
    TESSERA_ASSIGN_OR_RETURN(LabelTree tree, LabelTreeOf(project));
    TESSERA_ASSIGN_OR_RETURN(std::vector<LabelCount> counts, repo_.LabelDistribution(project.id));
    std::map<std::string, std::int64_t> by_label;
    for (const LabelCount& c : counts) {
        by_label[c.label] += c.count;
    }
    std::string waiting;
    int short_classes = 0;
    for (const std::string& leaf : LeafClasses(tree)) {
        const std::int64_t have = by_label[leaf];
        if (have < settings.min_labels_per_class) {
            if (++short_classes <= 3) {
                waiting += (waiting.empty() ? "" : ", ") + leaf + " " + std::to_string(have) + "/" +
                           std::to_string(settings.min_labels_per_class);
            }
        }
    }
    next.due = short_classes == 0 && human_labels > 0;
    next.reason =
        next.due
            ? "every class has " + std::to_string(settings.min_labels_per_class) + " labels"
            : "waiting for labels of every class: " +
                  (waiting.empty() ? std::string("none yet") : waiting) +
                  (short_classes > 3 ? " and " + std::to_string(short_classes - 3) + " more" : "");
    return next;
}

Result<MlView> MlService::Get(const User& /*actor*/, Id project_id) {
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    MlView view;
    const auto unsupported = MlUnsupportedReason(project.task_type);
    view.supported = !unsupported.has_value();
    view.unsupported_reason = unsupported.value_or("");
    TESSERA_ASSIGN_OR_RETURN(view.settings, repo_.GetMlSettings(project_id));
    TESSERA_ASSIGN_OR_RETURN(Progress progress, repo_.GetProgress(project_id, clock_.NowMs()));
    view.human_labels = progress.labeled;
    TESSERA_ASSIGN_OR_RETURN(view.rounds, repo_.ListMlRounds(project_id, kShownRounds));
    TESSERA_ASSIGN_OR_RETURN(view.efforts, repo_.LabelEffortTotals(project_id, kEffortAnswers));
    if (view.supported) {
        TESSERA_ASSIGN_OR_RETURN(view.next,
                                 Schedule(project, view.settings, view.human_labels, view.rounds));
    } else {
        view.next.reason = view.unsupported_reason;
    }
    return view;
}

Result<MlSettings> MlService::UpdateSettings(const User& actor, Id project_id,
                                             const MlSettingsChange& change) {
    TESSERA_TRY(RequireOwner(actor, "change ML assist settings"));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(MlSettings settings, repo_.GetMlSettings(project_id));
    if (change.target_precision) {
        const double t = *change.target_precision;
        if (!(t >= 0.5 && t <= 0.999)) {
            return Error::InvalidArgument("target_precision must be between 0.5 and 0.999",
                                          "ml_assist.target_precision");
        }
        settings.target_precision = t;
    }
    if (change.min_labels_per_class) {
        if (*change.min_labels_per_class < 1 || *change.min_labels_per_class > 1000) {
            return Error::InvalidArgument("min_labels_per_class must be between 1 and 1000",
                                          "ml_assist.min_labels_per_class");
        }
        settings.min_labels_per_class = *change.min_labels_per_class;
    }
    if (change.retrain_after_labels) {
        if (*change.retrain_after_labels < 1 || *change.retrain_after_labels > 1'000'000) {
            return Error::InvalidArgument("retrain_after_labels must be between 1 and 1000000",
                                          "ml_assist.retrain_after_labels");
        }
        settings.retrain_after_labels = *change.retrain_after_labels;
    }
    if (change.enabled) {
        if (*change.enabled) {
            if (auto reason = MlUnsupportedReason(project.task_type)) {
                return Error::FailedPrecondition(*reason);
            }
        }
        settings.enabled = *change.enabled;
    }
    TESSERA_TRY(repo_.SetMlSettings(project_id, settings));
    return settings;
}

Result<MlRound> MlService::StartRound(const Project& project, std::int64_t human_labels) {
    MlRound round;
    round.project_id = project.id;
    round.backbone = backbone_;
    round.labels_used = human_labels;
    round.created_at = clock_.NowMs();
    Job job;
    job.kind = MlRoundJob::kKind;
    job.project_id = project.id;
    job.payload_json = R"({"project_id":)" + std::to_string(project.id) + "}";
    job.created_at = round.created_at;
    return repo_.CreateMlRound(round, job);
}

Result<MlRound> MlService::TrainNow(const User& actor, Id project_id) {
    TESSERA_TRY(RequireOwner(actor, "start ML training"));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    if (auto reason = MlUnsupportedReason(project.task_type)) {
        return Error::FailedPrecondition(*reason);
    }
    TESSERA_ASSIGN_OR_RETURN(MlSettings settings, repo_.GetMlSettings(project_id));
    if (!settings.enabled) {
        return Error::FailedPrecondition("ML assist is off for this project: switch it on first");
    }
    TESSERA_ASSIGN_OR_RETURN(Progress progress, repo_.GetProgress(project_id, clock_.NowMs()));
    if (progress.labeled == 0) {
        return Error::FailedPrecondition("the project has no labels to train on yet");
    }
    return StartRound(project, progress.labeled);
}

Result<int> MlService::StartDueRounds() {
    TESSERA_ASSIGN_OR_RETURN(std::vector<Project> projects, repo_.ListProjects());
    int started = 0;
    for (const Project& project : projects) {
        if (project.status != ProjectStatus::kRunning || MlUnsupportedReason(project.task_type)) {
            continue;
        }
        TESSERA_ASSIGN_OR_RETURN(MlSettings settings, repo_.GetMlSettings(project.id));
        if (!settings.enabled) {
            continue;
        }
        TESSERA_ASSIGN_OR_RETURN(Progress progress, repo_.GetProgress(project.id, clock_.NowMs()));
        TESSERA_ASSIGN_OR_RETURN(std::vector<MlRound> rounds, repo_.ListMlRounds(project.id, 1));
        TESSERA_ASSIGN_OR_RETURN(MlSchedule next,
                                 Schedule(project, settings, progress.labeled, rounds));
        if (!next.due) {
            continue;
        }
        auto round = StartRound(project, progress.labeled);
        if (round.ok()) {
            ++started;
        } else if (round.error().code != ErrorCode::kConflict) {  // another server won: fine
            return round.error();
        }
    }
    return started;
}

}  // namespace tessera
