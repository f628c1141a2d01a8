#include "ml/calibrated_classifier.hpp"

#include <algorithm>
#include <cmath>

namespace tessera::ml {

namespace {

std::size_t ArgMax(const std::vector<double>& values) {
    return static_cast<std::size_t>(
        std::distance(values.begin(), std::max_element(values.begin(), values.end())));
}

}  // namespace

CalibratedClassifier CalibratedClassifier::Fit(std::vector<std::vector<float>> x,
                                               const std::vector<int>& y, int classes,
                                               const ClassifierOptions& options,
                                               const std::vector<bool>& judged, FinalHead final) {
    for (auto& row : x) {
        NormalizeL2(row);
    }
    CalibratedClassifier out;
    ClassifierValidation& v = out.validation_;
    const auto logits = OutOfFoldLogits(x, y, classes, options.folds, options.seed, options.head);
    const auto usable = [&](std::size_t i) { return !logits[i].empty() && y[i] >= 0; };
    const auto is_judged = [&](std::size_t i) {
        return judged.empty() || (i < judged.size() && judged[i]);
    };
    const std::size_t rows = std::min(logits.size(), y.size());
    std::vector<std::vector<double>> judged_logits;
    std::vector<int> judged_truth;
    for (std::size_t i = 0; i < rows; ++i) {
        if (usable(i) && is_judged(i)) {
            judged_logits.push_back(logits[i]);
            judged_truth.push_back(y[i]);
        }
    }
    v.temperature = FitTemperature(judged_logits, judged_truth);
    out.classes_ = classes;
    out.target_precision_ = options.target_precision;
    std::vector<ClassScoredLabel> scored;
    scored.reserve(judged_logits.size());
    for (std::size_t i = 0; i < rows; ++i) {
        if (!usable(i)) {
            continue;
        }
        const std::vector<double> p = Softmax(logits[i], v.temperature);
        const std::size_t top = ArgMax(p);
        out.all_labels_.push_back({static_cast<int>(top), p[top], static_cast<int>(top) == y[i]});
        if (is_judged(i)) {
            scored.push_back(out.all_labels_.back());
        }
    }
    out.all_judged_ = scored.size() == out.all_labels_.size();
    const auto correct = std::count_if(scored.begin(), scored.end(),
                                       [](const ClassScoredLabel& label) { return label.correct; });
    v.held_out = static_cast<std::int64_t>(scored.size());
    v.accuracy =
        scored.empty() ? 0 : static_cast<double>(correct) / static_cast<double>(scored.size());
    v.choice =
        ChooseClassThresholds(scored, classes, ClassThresholdRule::For(options.target_precision));
    if ((final == FinalHead::kWhenThreshold && v.choice.lowest()) || final == FinalHead::kAlways) {
        out.final_head_ = SoftmaxHead::Fit(x, y, classes, options.head);
    }
    return out;
}

void CalibratedClassifier::FitFinalHead(std::vector<std::vector<float>> x,
                                        const std::vector<int>& y, int classes,
                                        const ClassifierOptions& options) {
    for (auto& row : x) {
        NormalizeL2(row);
    }
    final_head_ = SoftmaxHead::Fit(x, y, classes, options.head);
}

bool CalibratedClassifier::Qualifies(const Prediction& p) const {
    const auto& per_class = validation_.choice.per_class;
    if (!final_head_ || p.label < 0 || static_cast<std::size_t>(p.label) >= per_class.size()) {
        return false;
    }
    const auto& threshold = per_class[static_cast<std::size_t>(p.label)];
    return threshold.has_value() && p.confidence >= *threshold;
}

std::optional<LabelSetPrediction> CalibratedClassifier::Prelabel(std::vector<float> row) const {
    const Prediction p = Predict(std::move(row));
    if (!Qualifies(p)) {
        return std::nullopt;
    }
    return LabelSetPrediction{{p.label}, p.confidence};
}

void CalibratedClassifier::FitFinalHead(std::vector<std::vector<float>> x,
                                        const std::vector<std::vector<int>>& y, int classes,
                                        const ClassifierOptions& options) {
    std::vector<int> single;
    single.reserve(y.size());
    for (const std::vector<int>& labels : y) {
        single.push_back(labels.size() == 1 ? labels.front() : -1);  // -1: skipped by the fit
    }
    FitFinalHead(std::move(x), single, classes, options);
}

std::optional<ClassScore> CalibratedClassifier::Score(const std::vector<float>& row) const {
    if (!final_head_) {
        return std::nullopt;
    }
    const Prediction p = Predict(row);
    return ClassScore{p.label, p.confidence};
}

void CalibratedClassifier::JudgeForWindow(const std::vector<ClassScore>& window) {
    if (!final_head_ || window.empty() || all_judged_) {
        return;
    }
    std::vector<ClassScoredLabel> judged = all_labels_;
    WeighToStandFor(judged, window, classes_);
    validation_.choice =
        ChooseClassThresholds(judged, classes_, ClassThresholdRule::For(target_precision_));
    validation_.for_window = true;
    validation_.judged_for_window = static_cast<std::int64_t>(judged.size());
    validation_.effective_for_window = EffectiveSampleSize(judged);
}

Prediction CalibratedClassifier::Predict(std::vector<float> row) const {
    if (!final_head_) {
        return {};
    }
    NormalizeL2(row);
    const std::vector<double> p = Softmax(final_head_->Logits(row), validation_.temperature);
    if (p.empty()) {
        return {};
    }
    const std::size_t top = ArgMax(p);
    return {static_cast<int>(top), p[top]};
}

}  // namespace tessera::ml
