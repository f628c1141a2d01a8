#include "services/ml_round_job.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/log.hpp"
#include "domain/classification.hpp"
#include "domain/label_tree.hpp"
#include "ml/classifier.hpp"
#include "ml/similar_groups.hpp"
#include "services/job_payload.hpp"
#include "services/ml_featurizer.hpp"
#include "services/ml_service.hpp"
#include "services/ml_training.hpp"

namespace tessera {

namespace {

using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 500;  // embeddings read per GetEmbeddings

double SecondsSince(SteadyClock::time_point start) {
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// The human labels a round learns from: each labeled item's counting answer (ForEachExportRow:
// consensus if any, else the latest human or imported final one) as classes of the tree: one
// for multi-class projects, any number for multi-label ones.
struct TrainingSet {
    std::vector<Item> items;
    std::vector<std::vector<int>> classes;  // indexes into `names`
    std::vector<bool> blind;                // labeled without a model prelabel shown (MarkBlind)
    std::vector<std::string> names;         // the classes that occur, in tree order
    std::int64_t skipped = 0;  // answers that do not fit: no class or several for multi-class, or
                               // a class not in the tree
};

Result<TrainingSet> CollectLabels(Repository& repo, const Project& project) {
    TESSERA_ASSIGN_OR_RETURN(LabelTree tree, LabelTreeOf(project));
    std::map<std::string, int> order;
    for (const LabelNode& node : tree.nodes()) {
        order.emplace(node.path, node.order);
    }
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
    // The classes that occur, in tree order, and each one's index among them.
    std::map<int, std::string> by_order;
    for (const auto& [item, labels] : rows) {
        for (const std::string& label : labels) {
            by_order.emplace(order[label], label);
        }
    }
    std::map<std::string, int> index;
    std::vector<std::string> names;
    for (const auto& [position, label] : by_order) {
        index.emplace(label, static_cast<int>(names.size()));
        names.push_back(label);
    }
    TrainingSet set;
    set.skipped = skipped;
    for (auto& [item, labels] : rows) {
        std::vector<int> classes;
        for (const std::string& label : labels) {
            classes.push_back(index.at(label));
        }
        set.classes.push_back(std::move(classes));
        set.items.push_back(std::move(item));
    }
    set.names = std::move(names);
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

// Which labels were given blind: with no prelabel of the model on the item. The model only
// prelabels unlabeled items and a label never removes the prelabel it answered, so a labeled
// item with a model prelabel was shown it. Only blind labels judge the model (Validation).
Status MarkBlind(Repository& repo, Id project_id, TrainingSet& set) {
    set.blind.assign(set.items.size(), true);
    for (std::size_t begin = 0; begin < set.items.size(); begin += kChunk) {
        std::vector<Id> ids;
        for (std::size_t i = begin; i < std::min(set.items.size(), begin + kChunk); ++i) {
            ids.push_back(set.items[i].id);
        }
        TESSERA_ASSIGN_OR_RETURN(std::vector<Annotation> prelabels,
                                 repo.GetPrelabels(project_id, ids));
        std::set<Id> shown;
        for (const Annotation& a : prelabels) {
            if (a.ml_round_id) {
                shown.insert(a.item_id);
            }
        }
        for (std::size_t i = begin; i < std::min(set.items.size(), begin + kChunk); ++i) {
            set.blind[i] = shown.count(set.items[i].id) == 0;
        }
    }
    return Status::Ok();
}

// The queue order of the manual items with the first `limit` of them in groups of similar ones
// (ml::GroupSimilar on the round's chosen features), and those groups of two or more.
struct Grouping {
    std::vector<Id> order;
    std::vector<std::vector<Id>> groups;
    std::int64_t grouped_items = 0;
};

Result<Grouping> GroupSimilarItems(Repository& repo, Id project_id,
                                   const std::vector<MlBackbone>& features,
                                   const std::vector<Item>& manual, std::size_t limit) {
    const std::vector<Item> front(
        manual.begin(),
        manual.begin() + static_cast<std::ptrdiff_t>(std::min(limit, manual.size())));
    TESSERA_ASSIGN_OR_RETURN(auto rows_of, LoadFeatureRows(repo, project_id, features, front));
    std::vector<Id> ids;
    std::vector<std::vector<float>> rows;
    for (const Item& item : front) {
        auto it = rows_of.find(item.id);
        if (it != rows_of.end()) {
            ids.push_back(item.id);
            rows.push_back(std::move(it->second));
        }
    }
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
    // Items without features (unreadable) and those past the limit keep their order after.
    for (const Item& item : manual) {
        if (placed.count(item.id) == 0) {
            out.order.push_back(item.id);
        }
    }
    return out;
}

// A round in progress: the stored row, written again after each stage.
class RoundRun {
public:
    RoundRun(Repository& repo, const Clock& clock, MlRound round)
        : repo_(repo), clock_(clock), round_(std::move(round)) {
        metrics_ = Json::parse(round_.metrics_json, nullptr, false);
        if (!metrics_.is_object()) {
            metrics_ = Json::object();
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
    Status Record(MlStage stage, Json metrics) {
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
    Json metrics_;
};

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
                       DatasourceOpener* opener, MlRoundSettings settings)
    : repo_(repo),
      clock_(clock),
      backbones_(std::move(backbones)),
      opener_(opener),
      settings_(settings) {}

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

    // --- Featurization: every human-labeled item and the front of the queue.
    if (Status s = run.Enter(MlStage::kFeaturization); !s.ok()) {
        return fail(s.error().message);
    }
    auto labels = CollectLabels(repo_, *project);
    const std::int64_t all_labels =
        labels.ok() ? static_cast<std::int64_t>(labels->items.size()) : 0;
    if (labels.ok()) {
        SampleLabels(*labels, settings_.max_training_labels);
        if (Status marked = MarkBlind(repo_, *project_id, *labels); !marked.ok()) {
            return fail(marked.error().message);
        }
    }
    auto window = labels.ok() ? repo_.ListQueueWindow(*project_id, settings_.window)
                              : Result<std::vector<Item>>(labels.error());
    if (!window.ok()) {
        return fail(window.error().message);
    }
    std::vector<Item> needed = labels->items;
    needed.insert(needed.end(), window->begin(), window->end());
    MlFeaturizer featurizer(repo_, backbones_, opener_);
    auto featurized = featurizer.Run(
        *project, needed,
        [&](std::int64_t done, std::int64_t total) { context.ReportProgress(done, total); },
        [&] { return context.StopRequested(); });
    if (!featurized.ok()) {
        if (context.StopRequested()) {
            return JobOutcome::kInterrupted;
        }
        return fail("featurization: " + featurized.error().message);
    }
    const FeaturizeReport& f = *featurized;
    (void)run.Record(
        MlStage::kFeaturization,
        {{"seconds", f.seconds},
         {"items", f.items},
         {"cached", f.cached},
         {"embedded", f.embedded},
         {"failed", f.failed},
         {"first_failure", f.first_failure},
         {"images_per_second", f.seconds > 0 ? static_cast<double>(f.embedded) / f.seconds : 0.0}});

    // --- Training: out-of-fold heads on the human labels (their predictions are Validation's).
    if (Status s = run.Enter(MlStage::kTraining); !s.ok()) {
        return fail(s.error().message);
    }
    auto training_start = SteadyClock::now();
    const int classes = static_cast<int>(labels->names.size());
    if (classes < 2) {
        (void)run.Record(MlStage::kTraining,
                         {{"labels", labels->items.size()}, {"classes", classes}});
        (void)repo_.ReplaceModelPrelabels(*project_id, run.round().id, {}, clock_.NowMs());
        (void)run.Finish(MlRoundState::kDone,
                         "no prelabels: the labels so far name fewer than two classes");
        return JobOutcome::kDone;
    }
    TrainingOptions options;
    options.classifier.target_precision = settings->target_precision;
    auto trained = TrainClassifier(repo_, *project_id, backbones_,
                                   {labels->items, labels->classes, labels->blind, classes,
                                    project->task_type == TaskType::kMultilabel},
                                   options);
    if (!trained.ok()) {
        return fail(trained.error().message);
    }
    const ml::Classifier& classifier = *trained->classifier;
    const ml::ClassifierValidation& v = classifier.validation();
    run.round().backbone = trained->features_id;
    Json candidates = Json::array();
    for (const FeatureCandidate& c : trained->candidates) {
        candidates.push_back(
            {{"features", c.name},
             {"labels", c.rows},
             {"accuracy", c.validation.accuracy},
             {"covered", c.validation.choice.covered},
             {"threshold",
              c.validation.choice.lowest() ? Json(*c.validation.choice.lowest()) : Json(nullptr)}});
    }
    (void)run.Record(MlStage::kTraining, {{"seconds", SecondsSince(training_start)},
                                          {"labels", trained->rows},
                                          {"labels_available", all_labels},
                                          {"classes", classes},
                                          {"skipped_answers", labels->skipped},
                                          {"folds", options.classifier.folds},
                                          {"features", trained->features_name},
                                          {"feature_candidates", std::move(candidates)},
                                          {"final_iterations", classifier.final_iterations()}});
    if (context.StopRequested()) {
        return JobOutcome::kInterrupted;
    }

    // --- Validation: calibration and the threshold, from the out-of-fold predictions.
    if (Status s = run.Enter(MlStage::kValidation); !s.ok()) {
        return fail(s.error().message);
    }
    Json validation{{"held_out", v.held_out},
                    {"labels_from_prelabels", trained->rows - v.held_out},
                    {"accuracy", v.accuracy},
                    {"temperature", v.temperature},
                    {"target_precision", settings->target_precision},
                    {"class_target", v.choice.class_target},
                    {"covered", v.choice.covered},
                    {"precision", v.choice.precision},
                    {"lower_bound", v.choice.lower_bound},
                    {"held_out_coverage", v.held_out > 0 ? static_cast<double>(v.choice.covered) /
                                                               static_cast<double>(v.held_out)
                                                         : 0.0}};
    run.round().threshold = classifier.threshold();
    if (classifier.threshold() && project->task_type == TaskType::kMultilabel) {
        validation["threshold"] = *classifier.threshold();
        validation["judged_as"] = "whole sets";  // one threshold on the set's confidence
    } else if (classifier.threshold()) {
        validation["threshold"] = *classifier.threshold();
        Json per_class = Json::object();
        for (std::size_t c = 0; c < v.choice.per_class.size(); ++c) {
            const auto& t = v.choice.per_class[c];
            per_class[labels->names[c]] = t ? Json(*t) : Json(nullptr);
        }
        validation["class_thresholds"] = std::move(per_class);
    } else {
        validation["why_none"] = v.choice.why_none;
    }
    (void)run.Record(MlStage::kValidation, validation);

    // --- Inference: prelabel the window above the threshold; prelabeled pages come first.
    if (Status s = run.Enter(MlStage::kInference); !s.ok()) {
        return fail(s.error().message);
    }
    auto inference_start = SteadyClock::now();
    std::vector<ImportedAnnotation> prelabels;
    // Predicted classes, -confidence, item.
    std::vector<std::pair<std::vector<int>, std::pair<double, Id>>> ranked;
    if (classifier.has_final_head()) {
        for (std::size_t begin = 0; begin < window->size(); begin += kChunk) {
            const std::vector<Item> chunk(window->begin() + static_cast<std::ptrdiff_t>(begin),
                                          window->begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                window->size(), begin + kChunk)));
            auto embeddings = LoadFeatureRows(repo_, *project_id, trained->features, chunk);
            if (!embeddings.ok()) {
                return fail(embeddings.error().message);
            }
            for (auto& [item_id, vector] : *embeddings) {
                auto p = classifier.Prelabel(std::move(vector));
                if (p) {
                    std::vector<std::string> names;
                    for (const int c : p->labels) {
                        names.push_back(labels->names[static_cast<std::size_t>(c)]);
                    }
                    prelabels.push_back({item_id, ClassificationPayload(names), {}, p->confidence});
                    ranked.push_back({p->labels, {-p->confidence, item_id}});
                }
            }
        }
    }
    auto stored =
        repo_.ReplaceModelPrelabels(*project_id, run.round().id, prelabels, clock_.NowMs());
    if (!stored.ok()) {
        return fail(stored.error().message);
    }
    // Prelabeled items a class (or set of classes) at a time, surest first (a page of one
    // predicted class is checked at a glance), in runs that alternate with runs of the rest in
    // their queue order (InterleaveRuns says why).
    std::sort(ranked.begin(), ranked.end());
    // The rest: groups of similar items, in the order of each group's first item.
    std::vector<Id> prelabeled_ids;
    std::set<Id> prelabeled_set;
    for (const auto& entry : ranked) {
        prelabeled_ids.push_back(entry.second.second);
        prelabeled_set.insert(entry.second.second);
    }
    std::vector<Item> manual;
    for (const Item& item : *window) {
        if (prelabeled_set.count(item.id) == 0) {
            manual.push_back(item);
        }
    }
    auto grouped = GroupSimilarItems(repo_, *project_id, trained->features, manual,
                                     static_cast<std::size_t>(std::max(settings_.group_window, 0)));
    if (!grouped.ok()) {
        return fail(grouped.error().message);
    }
    if (Status kept = repo_.ReplaceItemGroups(*project_id, grouped->groups); !kept.ok()) {
        return fail(kept.error().message);
    }
    const std::vector<Id> order =
        InterleaveRuns(prelabeled_ids, grouped->order,
                       static_cast<std::size_t>(std::max(settings_.run_length, 0)));
    if (Status reordered = repo_.ReorderQueue(*project_id, order); !reordered.ok()) {
        return fail(reordered.error().message);
    }
    run.round().prelabeled = *stored;
    (void)run.Record(MlStage::kInference,
                     {{"seconds", SecondsSince(inference_start)},
                      {"window", window->size()},
                      {"prelabeled", *stored},
                      {"groups", grouped->groups.size()},
                      {"grouped_items", grouped->grouped_items},
                      {"coverage", window->empty() ? 0.0
                                                   : static_cast<double>(*stored) /
                                                         static_cast<double>(window->size())}});
    const std::string message = classifier.threshold()
                                    ? std::to_string(*stored) + " of the next " +
                                          std::to_string(window->size()) + " items prelabeled"
                                    : "no prelabels: " + v.choice.why_none;
    if (Status s = run.Finish(MlRoundState::kDone, message); !s.ok()) {
        error = s.error().message;
        return JobOutcome::kFailed;
    }
    log::Info("ML round done", {{"project", std::to_string(*project_id)},
                                {"round", std::to_string(run.round().id)},
                                {"message", message}});
    return JobOutcome::kDone;
}

}  // namespace tessera
