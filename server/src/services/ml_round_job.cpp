#include "services/ml_round_job.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "base/log.hpp"
#include "domain/classification.hpp"
#include "domain/label_tree.hpp"
#include "ml/classifier.hpp"
#include "ml/similar_groups.hpp"
#include "services/id_chunks.hpp"
#include "services/job_payload.hpp"
#include "services/ml_detection.hpp"
#include "services/ml_featurizer.hpp"
#include "services/ml_labels.hpp"
#include "services/ml_round_run.hpp"
#include "services/ml_service.hpp"
#include "services/ml_training.hpp"

namespace tessera {

namespace {

using Json = nlohmann::json;

// The human labels a round learns from: each labeled item's counting answer (ForEachExportRow:
// consensus if any, else the latest human or imported final one) as classes of the tree: one
// for multi-class projects, any number for multi-label ones.
struct TrainingSet {
    std::vector<Item> items;
    std::vector<std::vector<int>> classes;  // indexes into `names`
    std::vector<bool> blind;                // labeled without a model prelabel (LabeledBlind)
    std::vector<std::string> names;         // the classes that occur, in tree order
    std::int64_t skipped = 0;  // answers that do not fit: no class or several for multi-class, or
                               // a class not in the tree
};

Result<TrainingSet> CollectLabels(Repository& repo, const Project& project) {
    TESSERA_ASSIGN_OR_RETURN(LabelTree tree, LabelTreeOf(project));
    const std::map<std::string, int> order = TreeOrder(tree);
    const bool multi_label = project.task_type == TaskType::kMultilabel;
    std::vector<std::pair<Item, std::vector<std::string>>> rows;
    std::int64_t skipped = 0;
    TESSERA_TRY(repo.ForEachExportRow(project.id, [&](const ExportRow& row) {
        auto labels = ParseClassificationPayload(row.annotation.payload_json);
        const bool fits = labels.ok() && (multi_label || labels->size() == 1) &&
                          std::all_of(labels->begin(), labels->end(),
                                      [&](const std::string& l) { return order.count(l) != 0; });
        if (fits) {
            rows.emplace_back(row.item, std::move(labels).value());
        } else {
            ++skipped;
        }
        return true;
    }));
    std::vector<std::string> occurring;
    for (const auto& [item, labels] : rows) {
        occurring.insert(occurring.end(), labels.begin(), labels.end());
    }
    RoundClasses round_classes = ClassesInTreeOrder(order, occurring);
    TrainingSet set;
    set.skipped = skipped;
    for (auto& [item, labels] : rows) {
        std::vector<int> classes;
        for (const std::string& label : labels) {
            classes.push_back(round_classes.index.at(label));
        }
        set.classes.push_back(std::move(classes));
        set.items.push_back(std::move(item));
    }
    set.names = std::move(round_classes.names);
    return set;
}

// Keeps at most `limit` of the labels: a sample by a hash of the item id, so the same items are
// chosen in every round (their embeddings are cached) and the choice has no order bias.
void SampleLabels(TrainingSet& set, int limit) {
    if (limit <= 0 || set.items.size() <= static_cast<std::size_t>(limit)) {
        return;
    }
    std::vector<std::pair<std::uint64_t, std::size_t>> keys;
    keys.reserve(set.items.size());
    for (std::size_t i = 0; i < set.items.size(); ++i) {
        auto h = static_cast<std::uint64_t>(set.items[i].id) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 31;
        keys.emplace_back(h, i);
    }
    std::sort(keys.begin(), keys.end());
    keys.resize(static_cast<std::size_t>(limit));
    std::sort(keys.begin(), keys.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    TrainingSet kept;
    kept.names = set.names;
    kept.skipped = set.skipped;
    for (const auto& [key, i] : keys) {
        kept.items.push_back(std::move(set.items[i]));
        kept.classes.push_back(std::move(set.classes[i]));
    }
    set = std::move(kept);
}

// The queue order of the manual items with the front of them in groups of similar ones
// (ml::GroupSimilar on the round's chosen features: `rows` of `ids`, kept by inference), and
// those groups of two or more.
struct Grouping {
    std::vector<Id> order;
    std::vector<std::vector<Id>> groups;
    std::int64_t grouped_items = 0;
};

Grouping GroupSimilarItems(const std::vector<Id>& manual, const std::vector<Id>& ids,
                           std::vector<std::vector<float>> rows) {
    Grouping out;
    std::set<Id> placed;
    for (const std::vector<std::size_t>& group : ml::GroupSimilar(std::move(rows))) {
        std::vector<Id> members;
        for (const std::size_t i : group) {
            members.push_back(ids[i]);
            out.order.push_back(ids[i]);
            placed.insert(ids[i]);
        }
        if (members.size() > 1) {
            out.grouped_items += static_cast<std::int64_t>(members.size());
            out.groups.push_back(std::move(members));
        }
    }
    // Items without features (unreadable) and those past the front keep their order after.
    for (const Id id : manual) {
        if (placed.count(id) == 0) {
            out.order.push_back(id);
        }
    }
    return out;
}

// What inference produced: the prelabels to store, the prelabeled items in the order labelers
// get them, the others in queue order, and the features of the front of those (for grouping).
struct Inferred {
    std::vector<ImportedAnnotation> prelabels;
    std::vector<Id> prelabeled;
    std::vector<Id> manual;
    std::vector<Id> manual_front;  // the first group_window of `manual` that have features
    std::vector<std::vector<float>> manual_front_rows;
};

// A round's four stages in order, each handing what it found to the next.
class RoundStages {
public:
    RoundStages(const RoundScope& scope, const MlRoundSettings& settings,
                std::vector<MlBackbone> backbones, DatasourceOpener* opener)
        : scope_(scope), settings_(settings), backbones_(std::move(backbones)), opener_(opener) {}

    // Every human-labeled item and the front of the queue get their embeddings.
    Result<StageEnd> Featurize() {
        TESSERA_TRY(scope_.run.Enter(MlStage::kFeaturization));
        TESSERA_ASSIGN_OR_RETURN(labels_, CollectLabels(scope_.repo, scope_.project));
        all_labels_ = static_cast<std::int64_t>(labels_.items.size());
        SampleLabels(labels_, settings_.max_training_labels);
        TESSERA_ASSIGN_OR_RETURN(labels_.blind,
                                 LabeledBlind(scope_.repo, scope_.project.id, labels_.items));
        TESSERA_ASSIGN_OR_RETURN(window_,
                                 scope_.repo.ListQueueWindow(scope_.project.id, settings_.window));
        std::vector<Item> needed = labels_.items;
        needed.insert(needed.end(), window_.begin(), window_.end());
        MlFeaturizer featurizer(scope_.repo, backbones_, opener_);
        auto featurized = featurizer.Run(
            scope_.project, needed,
            [&](std::int64_t done, std::int64_t total) {
                scope_.context.ReportProgress(done, total);
            },
            [&] { return scope_.context.StopRequested(); });
        if (!featurized.ok()) {
            if (scope_.context.StopRequested()) {
                return StageEnd::kInterrupted;
            }
            return Error::Internal("featurization: " + featurized.error().message);
        }
        const FeaturizeReport& f = *featurized;
        (void)scope_.run.Record(
            MlStage::kFeaturization,
            {{"seconds", f.seconds},
             {"items", f.items},
             {"cached", f.cached},
             {"embedded", f.embedded},
             {"failed", f.failed},
             {"first_failure", f.first_failure},
             {"images_per_second",
              f.seconds > 0 ? static_cast<double>(f.embedded) / f.seconds : 0.0}});
        return StageEnd::kNext;
    }

    // Out-of-fold heads on the human labels (their predictions are Validation's), for each
    // candidate feature set; the best one's final head.
    Result<StageEnd> Train() {
        TESSERA_TRY(scope_.run.Enter(MlStage::kTraining));
        const auto start = SteadyClock::now();
        const int classes = static_cast<int>(labels_.names.size());
        if (classes < 2) {
            (void)scope_.run.Record(MlStage::kTraining,
                                    {{"labels", labels_.items.size()}, {"classes", classes}});
            (void)scope_.repo.ReplaceModelPrelabels(scope_.project.id, scope_.run.round().id, {},
                                                    scope_.clock.NowMs());
            (void)scope_.run.Finish(MlRoundState::kDone,
                                    "no prelabels: the labels so far name fewer than two classes");
            return StageEnd::kRoundOver;
        }
        options_.classifier.target_precision = scope_.ml.target_precision;
        TESSERA_ASSIGN_OR_RETURN(
            trained_, TrainClassifier(scope_.repo, scope_.project.id, backbones_,
                                      {labels_.items, labels_.classes, labels_.blind, classes,
                                       scope_.project.task_type == TaskType::kMultilabel},
                                      options_));
        scope_.run.round().backbone = trained_.features_id;
        Json candidates = Json::array();
        for (const FeatureCandidate& c : trained_.candidates) {
            const auto& lowest = c.validation.choice.lowest();
            candidates.push_back({{"features", c.name},
                                  {"labels", c.rows},
                                  {"accuracy", c.validation.accuracy},
                                  {"covered", c.validation.choice.covered},
                                  {"threshold", lowest ? Json(*lowest) : Json(nullptr)}});
        }
        (void)scope_.run.Record(MlStage::kTraining,
                                {{"seconds", SecondsSince(start)},
                                 {"labels", trained_.rows},
                                 {"labels_available", all_labels_},
                                 {"classes", classes},
                                 {"skipped_answers", labels_.skipped},
                                 {"folds", options_.classifier.folds},
                                 {"features", trained_.features_name},
                                 {"feature_candidates", std::move(candidates)},
                                 {"final_iterations", trained_.classifier->final_iterations()}});
        return scope_.context.StopRequested() ? StageEnd::kInterrupted : StageEnd::kNext;
    }

    // Calibration and the threshold, from the out-of-fold predictions: first of the labels
    // given blind, then (multi-class) of every label weighted to stand for the window.
    Status Validate() {
        TESSERA_TRY(scope_.run.Enter(MlStage::kValidation));
        TESSERA_TRY(JudgeForWindow());
        const ml::Classifier& classifier = *trained_.classifier;
        const ml::ClassifierValidation& v = classifier.validation();
        const std::int64_t judged = v.for_window ? v.judged_for_window : v.held_out;
        Json validation{{"held_out", v.held_out},
                        {"labels_from_prelabels", trained_.rows - v.held_out},
                        {"accuracy", v.accuracy},
                        {"temperature", v.temperature},
                        {"target_precision", scope_.ml.target_precision},
                        {"class_target", v.choice.class_target},
                        {"covered", v.choice.covered},
                        {"precision", v.choice.precision},
                        {"lower_bound", v.choice.lower_bound},
                        {"held_out_coverage", judged > 0 ? static_cast<double>(v.choice.covered) /
                                                               static_cast<double>(judged)
                                                         : 0.0}};
        if (v.for_window) {
            validation["judged_for_window"] = v.judged_for_window;
            validation["effective_for_window"] = v.effective_for_window;
        }
        scope_.run.round().threshold = classifier.threshold();
        if (classifier.threshold() && scope_.project.task_type == TaskType::kMultilabel) {
            validation["threshold"] = *classifier.threshold();
            validation["judged_as"] = "whole sets";  // one threshold on the set's confidence
        } else if (classifier.threshold()) {
            validation["threshold"] = *classifier.threshold();
            Json per_class = Json::object();
            for (std::size_t c = 0; c < v.choice.per_class.size(); ++c) {
                const auto& t = v.choice.per_class[c];
                per_class[labels_.names[c]] = t ? Json(*t) : Json(nullptr);
            }
            validation["class_thresholds"] = std::move(per_class);
        } else {
            validation["why_none"] = v.choice.why_none;
        }
        (void)scope_.run.Record(MlStage::kValidation, validation);
        return Status::Ok();
    }

    // Prelabels the window above the threshold, groups the front of the rest, and orders the
    // queue. Returns the round's closing message.
    Result<std::string> Infer() {
        TESSERA_TRY(scope_.run.Enter(MlStage::kInference));
        const auto start = SteadyClock::now();
        TESSERA_ASSIGN_OR_RETURN(Inferred inferred, PrelabelWindow());
        TESSERA_ASSIGN_OR_RETURN(
            const std::int64_t stored,
            scope_.repo.ReplaceModelPrelabels(scope_.project.id, scope_.run.round().id,
                                              inferred.prelabels, scope_.clock.NowMs()));
        const Grouping grouped = GroupSimilarItems(inferred.manual, inferred.manual_front,
                                                   std::move(inferred.manual_front_rows));
        TESSERA_TRY(scope_.repo.ReplaceItemGroups(scope_.project.id, grouped.groups));
        const std::vector<Id> order =
            InterleaveRuns(inferred.prelabeled, grouped.order,
                           static_cast<std::size_t>(std::max(settings_.run_length, 0)));
        TESSERA_TRY(scope_.repo.ReorderQueue(scope_.project.id, order));
        scope_.run.round().prelabeled = stored;
        (void)scope_.run.Record(
            MlStage::kInference,
            {{"seconds", SecondsSince(start)},
             {"window", window_.size()},
             {"prelabeled", stored},
             {"groups", grouped.groups.size()},
             {"grouped_items", grouped.grouped_items},
             {"coverage", window_.empty() ? 0.0
                                          : static_cast<double>(stored) /
                                                static_cast<double>(window_.size())}});
        const ml::Classifier& classifier = *trained_.classifier;
        return classifier.threshold() ? std::to_string(stored) + " of the next " +
                                            std::to_string(window_.size()) + " items prelabeled"
                                      : "no prelabels: " + classifier.validation().choice.why_none;
    }

private:
    // The final head's predictions for the window, for the classifier to judge its labels by
    // (Classifier::JudgeForWindow); nothing where it has no final head or does not score.
    Status JudgeForWindow() {
        ml::Classifier& classifier = *trained_.classifier;
        if (!classifier.has_final_head()) {
            return Status::Ok();
        }
        std::vector<ml::ClassScore> scores;
        scores.reserve(window_.size());
        TESSERA_TRY(ForEachWindowRow([&](Id, std::vector<float>* row) {
            if (row == nullptr) {
                return;
            }
            if (auto score = classifier.Score(*row)) {
                scores.push_back(*score);
            }
        }));
        classifier.JudgeForWindow(scores);
        return Status::Ok();
    }

    // Calls `visit(id, row)` for each window item in queue order, `row` null where the item has
    // no features. Reads the rows a chunk at a time: the window's rows together would be
    // hundreds of megabytes.
    template <typename Visit>
    Status ForEachWindowRow(Visit&& visit) {
        return ForEachIdChunk(window_, [&](std::size_t, const std::vector<Id>& ids) -> Status {
            TESSERA_ASSIGN_OR_RETURN(
                auto rows, LoadFeatureRows(scope_.repo, scope_.project.id, trained_.features, ids));
            for (const Id id : ids) {
                auto row = rows.find(id);
                visit(id, row == rows.end() ? nullptr : &row->second);
            }
            return Status::Ok();
        });
    }

    // The window's predictions above the threshold. Prelabeled items come a class (or set of
    // classes) at a time, surest first: a page of one predicted class is checked at a glance.
    // The features of the first group_window others are kept for grouping.
    Result<Inferred> PrelabelWindow() {
        const ml::Classifier& classifier = *trained_.classifier;
        const auto front = static_cast<std::size_t>(std::max(settings_.group_window, 0));
        Inferred out;
        // Predicted classes, -confidence, item.
        std::vector<std::pair<std::vector<int>, std::pair<double, Id>>> ranked;
        TESSERA_TRY(ForEachWindowRow([&](Id id, std::vector<float>* row) {
            std::optional<ml::LabelSetPrediction> p;
            if (row != nullptr && classifier.has_final_head()) {
                p = classifier.Prelabel(*row);
            }
            if (p) {
                std::vector<std::string> names;
                for (const int c : p->labels) {
                    names.push_back(labels_.names[static_cast<std::size_t>(c)]);
                }
                out.prelabels.push_back({id, ClassificationPayload(names), {}, p->confidence});
                ranked.push_back({p->labels, {-p->confidence, id}});
                return;
            }
            if (out.manual.size() < front && row != nullptr) {
                out.manual_front.push_back(id);
                out.manual_front_rows.push_back(std::move(*row));
            }
            out.manual.push_back(id);
        }));
        std::sort(ranked.begin(), ranked.end());
        for (const auto& entry : ranked) {
            out.prelabeled.push_back(entry.second.second);
        }
        return out;
    }

    RoundScope scope_;
    const MlRoundSettings& settings_;
    std::vector<MlBackbone> backbones_;
    DatasourceOpener* opener_;
    TrainingOptions options_;
    TrainingSet labels_;
    std::int64_t all_labels_ = 0;
    std::vector<Item> window_;
    TrainedClassifier trained_;
};

bool IsDetection(TaskType type) {
    return type == TaskType::kBbox || type == TaskType::kPolygon;
}

// The first backbone that gives feature maps (the CNN; the handcrafted features give none), or
// why none does.
Result<MlBackbone> MapBackbone(const std::vector<MlBackbone>& backbones) {
    std::string why;
    for (const MlBackbone& b : backbones) {
        if (b.backbone == nullptr) {
            continue;
        }
        // At the backbone's own input size: the smallest its pooling layers take.
        const ml::BackboneSpec& spec = b.backbone->Spec();
        const std::vector<std::uint8_t> probe(static_cast<std::size_t>(spec.input_width) *
                                                  static_cast<std::size_t>(spec.input_height) * 3,
                                              128);
        auto map = b.backbone->Map(ml::RgbImage{spec.input_width, spec.input_height, probe});
        if (map.ok()) {
            return b;
        }
        why += (why.empty() ? "" : "; ") + b.id + ": " + map.error().message;
    }
    return Error::FailedPrecondition("no backbone gives feature maps for a detector (" +
                                     (why.empty() ? std::string("none given") : why) + ")");
}

}  // namespace

std::vector<Id> InterleaveRuns(const std::vector<Id>& prelabeled, const std::vector<Id>& manual,
                               std::size_t run) {
    std::vector<Id> out;
    out.reserve(prelabeled.size() + manual.size());
    if (run == 0) {
        out = prelabeled;
        out.insert(out.end(), manual.begin(), manual.end());
        return out;
    }
    std::size_t p = 0;
    std::size_t m = 0;
    while (p < prelabeled.size() || m < manual.size()) {
        for (std::size_t k = 0; k < run && p < prelabeled.size(); ++k) {
            out.push_back(prelabeled[p++]);
        }
        for (std::size_t k = 0; k < run && m < manual.size(); ++k) {
            out.push_back(manual[m++]);
        }
    }
    return out;
}

MlRoundJob::MlRoundJob(Repository& repo, const Clock& clock, std::vector<MlBackbone> backbones,
                       DatasourceOpener* opener, MlRoundSettings settings,
                       RegisteredBackbones* registered)
    : repo_(repo),
      clock_(clock),
      backbones_(std::move(backbones)),
      opener_(opener),
      settings_(settings),
      registered_(registered) {}

JobOutcome MlRoundJob::Run(const Job& job, JobContext& context, std::string& error) {
    auto project_id = ParseProjectId(kKind, job.payload_json);
    if (!project_id.ok()) {
        error = project_id.error().message;
        return JobOutcome::kFailed;
    }
    auto project = repo_.GetProject(*project_id);
    auto rounds = project.ok() ? repo_.ListMlRounds(*project_id, 1)
                               : Result<std::vector<MlRound>>(project.error());
    if (!rounds.ok()) {
        if (rounds.error().code == ErrorCode::kNotFound) {
            return JobOutcome::kDone;  // the project was deleted: nothing to train for
        }
        error = rounds.error().message;
        return JobOutcome::kFailed;
    }
    if (rounds->empty() || !IsActive(rounds->front().state)) {
        return JobOutcome::kDone;
    }
    RoundRun run(repo_, clock_, rounds->front());
    auto fail = [&](const std::string& why) {
        error = why;
        (void)run.Finish(MlRoundState::kFailed, why);
        log::Warn("ML round failed", {{"project", std::to_string(*project_id)}, {"error", why}});
        return JobOutcome::kFailed;
    };
    if (auto reason = MlUnsupportedReason(project->task_type)) {
        return fail(*reason);
    }
    auto settings = repo_.GetMlSettings(*project_id);
    if (!settings.ok()) {
        return fail(settings.error().message);
    }
    // A stage's end, as the job's outcome when the round stops there.
    auto stopped_at = [&](const Result<StageEnd>& end) -> std::optional<JobOutcome> {
        if (!end.ok()) {
            return fail(end.error().message);
        }
        if (*end == StageEnd::kInterrupted) {
            return JobOutcome::kInterrupted;
        }
        if (*end == StageEnd::kRoundOver) {
            return JobOutcome::kDone;
        }
        return std::nullopt;
    };
    std::vector<MlBackbone> backbones = backbones_;
    if (registered_ != nullptr) {
        auto more = registered_->Current();
        if (!more.ok()) {
            return fail(more.error().message);
        }
        backbones.insert(backbones.end(), more->begin(), more->end());
    }
    const RoundScope scope{repo_, clock_, run, *project, *settings, context};
    Result<std::string> message = Error::Internal("no stages ran");
    // The four stages in order; an outcome where one ended the job early.
    const auto run_stages = [&](auto& stages) -> std::optional<JobOutcome> {
        if (auto outcome = stopped_at(stages.Featurize())) {
            return *outcome;
        }
        if (auto outcome = stopped_at(stages.Train())) {
            return *outcome;
        }
        if (Status validated = stages.Validate(); !validated.ok()) {
            return fail(validated.error().message);
        }
        message = stages.Infer();
        return std::nullopt;
    };
    if (IsDetection(project->task_type)) {
        auto backbone = MapBackbone(backbones);
        if (!backbone.ok()) {
            return fail(backbone.error().message);
        }
        DetectionRound stages(scope, settings_.detection, *backbone, opener_);
        if (auto outcome = run_stages(stages)) {
            return *outcome;
        }
    } else {
        RoundStages stages(scope, settings_, std::move(backbones), opener_);
        if (auto outcome = run_stages(stages)) {
            return *outcome;
        }
    }
    if (!message.ok()) {
        return fail(message.error().message);
    }
    if (Status s = run.Finish(MlRoundState::kDone, *message); !s.ok()) {
        error = s.error().message;
        return JobOutcome::kFailed;
    }
    log::Info("ML round done", {{"project", std::to_string(*project_id)},
                                {"round", std::to_string(run.round().id)},
                                {"message", *message}});
    return JobOutcome::kDone;
}

}  // namespace tessera
