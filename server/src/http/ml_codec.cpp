#include "http/ml_codec.hpp"

namespace tessera::http {

using nlohmann::json;

namespace {

Result<int> IntMember(const json& value, const std::string& field) {
    if (!value.is_number_integer()) {
        return Error::InvalidArgument(field + " must be a whole number", field);
    }
    const auto n = value.get<std::int64_t>();
    if (n < 0 || n > 1'000'000'000) {
        return Error::InvalidArgument(field + " is out of range", field);
    }
    return static_cast<int>(n);
}

json ParsedOrText(const std::string& text) {
    json parsed = json::parse(text, nullptr, false);
    return parsed.is_discarded() ? json(text) : parsed;
}

std::string StageStatus(const MlRound& round, int stage) {
    const int at = static_cast<int>(round.stage);
    if (stage < at) {
        return "done";
    }
    if (stage > at) {
        return IsActive(round.state) ? "pending" : "skipped";
    }
    switch (round.state) {
        case MlRoundState::kQueued: return "pending";
        case MlRoundState::kRunning: return "running";
        case MlRoundState::kDone: return "done";
        case MlRoundState::kFailed: return "failed";
    }
    return "pending";
}

}  // namespace

Result<MlSettingsChange> MlChangeFromJson(const json& ml_assist) {
    if (!ml_assist.is_object()) {
        return Error::InvalidArgument(
            "ml_assist must be an object with enabled, target_precision, min_labels_per_class "
            "and/or retrain_after_labels",
            "ml_assist");
    }
    MlSettingsChange change;
    for (const auto& [key, value] : ml_assist.items()) {
        const std::string field = "ml_assist." + key;
        if (key == "enabled") {
            if (!value.is_boolean()) {
                return Error::InvalidArgument(field + " must be true or false", field);
            }
            change.enabled = value.get<bool>();
        } else if (key == "target_precision") {
            if (!value.is_number()) {
                return Error::InvalidArgument(field + " must be a number such as 0.95", field);
            }
            change.target_precision = value.get<double>();
        } else if (key == "min_labels_per_class") {
            TESSERA_ASSIGN_OR_RETURN(change.min_labels_per_class, IntMember(value, field));
        } else if (key == "retrain_after_labels") {
            TESSERA_ASSIGN_OR_RETURN(change.retrain_after_labels, IntMember(value, field));
        } else {
            return Error::InvalidArgument(field + " is not an ML assist setting", field);
        }
    }
    return change;
}

json MlSettingsToJson(const MlSettings& settings) {
    return {{"enabled", settings.enabled},
            {"target_precision", settings.target_precision},
            {"min_labels_per_class", settings.min_labels_per_class},
            {"retrain_after_labels", settings.retrain_after_labels}};
}

json MlRoundToJson(const MlRound& round) {
    return {{"id", round.id},
            {"job_id", round.job_id},
            {"state", MlRoundStateName(round.state)},
            {"stage", MlStageName(round.stage)},
            {"backbone", round.backbone},
            {"labels_used", round.labels_used},
            {"threshold", round.threshold ? json(*round.threshold) : json(nullptr)},
            {"prelabeled", round.prelabeled},
            {"message", round.message},
            {"metrics", ParsedOrText(round.metrics_json)},
            {"created_at", round.created_at},
            {"started_at", round.started_at},
            {"finished_at", round.finished_at}};
}

namespace {

// One kind of answer's cost: means over the answers that said it; null when none did.
json EffortToJson(const EffortTotal& t) {
    const auto mean = [](std::int64_t sum, std::int64_t n, double scale) {
        return n > 0 ? json(static_cast<double>(sum) / static_cast<double>(n) / scale)
                     : json(nullptr);
    };
    json out{{"answers", t.answers},
             {"timed", t.timed},
             {"seconds_per_item", mean(t.active_ms, t.timed, 1000.0)},
             {"edits_per_item", mean(t.edits, t.counted_edits, 1.0)}};
    if (t.prelabel != PrelabelShown::kNone) {
        out["accepted_unchanged"] = mean(t.unchanged, t.answers, 1.0);
    }
    return out;
}

json SavingsToJson(const std::vector<EffortTotal>& efforts, int window) {
    json out{{"latest_answers", window}};
    for (const PrelabelShown kind :
         {PrelabelShown::kNone, PrelabelShown::kModel, PrelabelShown::kImported}) {
        const std::string name =
            kind == PrelabelShown::kNone ? "manual" : std::string(PrelabelShownName(kind));
        out[name] = EffortToJson(EffortTotal{kind});
        for (const EffortTotal& t : efforts) {
            if (t.prelabel == kind) {
                out[name] = EffortToJson(t);
            }
        }
    }
    return out;
}

}  // namespace

json MlViewToJson(const MlView& view) {
    json rounds = json::array();
    for (const MlRound& round : view.rounds) {
        rounds.push_back(MlRoundToJson(round));
    }
    json stages = json::array();
    const MlRound* latest = view.rounds.empty() ? nullptr : &view.rounds.front();
    for (int s = 0; s < kMlStageCount; ++s) {
        const auto stage = static_cast<MlStage>(s);
        const std::string name(MlStageName(stage));
        json entry{{"name", name}, {"status", latest ? StageStatus(*latest, s) : "pending"}};
        if (latest) {
            const json metrics = ParsedOrText(latest->metrics_json);
            if (metrics.is_object() && metrics.contains(name)) {
                entry["metrics"] = metrics[name];
            }
        }
        stages.push_back(std::move(entry));
    }
    // The threshold and coverage in force: the last round that finished.
    json threshold = nullptr;
    json coverage = nullptr;
    json prelabeled = nullptr;
    for (const MlRound& round : view.rounds) {
        if (round.state == MlRoundState::kDone) {
            threshold = round.threshold ? json(*round.threshold) : json(nullptr);
            prelabeled = round.prelabeled;
            const json metrics = ParsedOrText(round.metrics_json);
            if (metrics.is_object() && metrics.contains("inference")) {
                coverage = metrics["inference"].value("coverage", 0.0);
            }
            break;
        }
    }
    return {{"supported", view.supported},
            {"unsupported_reason", view.unsupported_reason},
            {"settings", MlSettingsToJson(view.settings)},
            {"human_labels", view.human_labels},
            {"stages", std::move(stages)},
            {"last_round", latest ? MlRoundToJson(*latest) : json(nullptr)},
            {"threshold", threshold},
            {"coverage", coverage},
            {"prelabeled", prelabeled},
            {"next", {{"due", view.next.due}, {"reason", view.next.reason}}},
            {"savings", SavingsToJson(view.efforts, MlService::kEffortAnswers)},
            {"rounds", std::move(rounds)}};
}

json PrelabelToJson(const Annotation& prelabel) {
    json out = ParsedOrText(prelabel.payload_json);
    if (!out.is_object()) {
        out = json::object();
    }
    out["confidence"] = prelabel.confidence ? json(*prelabel.confidence) : json(nullptr);
    out["source"] = prelabel.ml_round_id ? "model" : "import";
    if (prelabel.ml_round_id) {
        out["round"] = *prelabel.ml_round_id;
    }
    return out;
}

}  // namespace tessera::http
