#include "ml/multilabel_classifier.hpp"

#include <algorithm>
#include <numeric>

namespace tessera::ml {

namespace {

// Row i's answer to "is class c one of its classes?": 1 yes, 0 no.
std::vector<int> YesNo(const std::vector<std::vector<int>>& y, int c) {
    std::vector<int> out;
    out.reserve(y.size());
    for (const std::vector<int>& labels : y) {
        out.push_back(std::find(labels.begin(), labels.end(), c) != labels.end() ? 1 : 0);
    }
    return out;
}

// The classes whose "yes" probability is at least one half, and the probability that all the
// answers are right.
LabelSetPrediction Decide(const std::vector<double>& yes) {
    LabelSetPrediction out;
    out.confidence = 1;
    for (std::size_t c = 0; c < yes.size(); ++c) {
        if (yes[c] >= 0.5) {
            out.labels.push_back(static_cast<int>(c));
        }
        out.confidence *= std::max(yes[c], 1 - yes[c]);
    }
    return out;
}

std::vector<int> Sorted(std::vector<int> labels) {
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    return labels;
}

// The yes/no heads are not class-weighted: the decision is taken at probability one half and
// calibrated by a temperature alone, which cannot undo the prior a weighting would shift.
HeadOptions YesNoHead(HeadOptions head) {
    head.balance_classes = false;
    return head;
}

}  // namespace

MultiLabelClassifier MultiLabelClassifier::Fit(std::vector<std::vector<float>> x,
                                               const std::vector<std::vector<int>>& y, int classes,
                                               const ClassifierOptions& options,
                                               const std::vector<bool>& judged, FinalHead final) {
    for (auto& row : x) {
        NormalizeL2(row);
    }
    MultiLabelClassifier out;
    const std::size_t n = std::min(x.size(), y.size());
    const auto is_judged = [&](std::size_t i) {
        return judged.empty() || (i < judged.size() && judged[i]);
    };
    // yes[i][c]: row i's calibrated out-of-fold probability of class c.
    std::vector<std::vector<double>> yes(n, std::vector<double>(static_cast<std::size_t>(classes)));
    for (int c = 0; c < classes; ++c) {
        const std::vector<int> truth = YesNo(y, c);
        const auto logits =
            OutOfFoldLogits(x, truth, 2, options.folds, options.seed, YesNoHead(options.head));
        std::vector<std::vector<double>> judged_logits;
        std::vector<int> judged_truth;
        for (std::size_t i = 0; i < n; ++i) {
            if (!logits[i].empty() && is_judged(i)) {
                judged_logits.push_back(logits[i]);
                judged_truth.push_back(truth[i]);
            }
        }
        const double temperature = FitTemperature(judged_logits, judged_truth);
        out.temperatures_.push_back(temperature);
        for (std::size_t i = 0; i < n; ++i) {
            const std::vector<double> p = Softmax(logits[i], temperature);
            yes[i][static_cast<std::size_t>(c)] = p.size() == 2 ? p[1] : 0;
        }
    }
    ClassifierValidation& v = out.validation_;
    std::vector<ScoredLabel> scored;  // the judged rows predicted a set that is not empty
    std::int64_t right = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const LabelSetPrediction p = Decide(yes[i]);
        const bool correct = p.labels == Sorted(y[i]);
        if (!p.labels.empty()) {
            out.all_labels_.push_back({0, p.confidence, correct});
        }
        if (!is_judged(i)) {
            continue;
        }
        ++v.held_out;
        right += correct ? 1 : 0;
        if (!p.labels.empty()) {
            scored.push_back({p.confidence, correct});
        }
    }
    v.accuracy = v.held_out > 0 ? static_cast<double>(right) / static_cast<double>(v.held_out) : 0;
    v.temperature = out.temperatures_.empty()
                        ? 1
                        : std::accumulate(out.temperatures_.begin(), out.temperatures_.end(), 0.0) /
                              static_cast<double>(out.temperatures_.size());
    out.target_precision_ = options.target_precision;
    out.classes_ = classes;
    out.all_judged_ = scored.size() == out.all_labels_.size();
    out.ChooseThresholdFor(scored, v.held_out);
    const std::optional<double> threshold = out.threshold();
    if ((final == FinalHead::kWhenThreshold && threshold) || final == FinalHead::kAlways) {
        out.FitFinalHeadOn(x, y, classes, options);
    }
    return out;
}

void MultiLabelClassifier::ChooseThresholdFor(const std::vector<ScoredLabel>& scored,
                                              std::int64_t held_out) {
    ThresholdRule rule;
    rule.target_precision = target_precision_;
    const ThresholdChoice pooled = ChooseThreshold(scored, rule);
    ClassThresholds& choice = validation_.choice;
    choice = {};
    choice.held_out = held_out;
    choice.covered = pooled.covered;
    choice.precision = pooled.precision;
    choice.lower_bound = pooled.lower_bound;
    choice.class_target = target_precision_;
    choice.why_none = pooled.why_none;
    // One threshold for every set: each class's entry holds it.
    choice.per_class.assign(static_cast<std::size_t>(std::max(classes_, 0)), pooled.threshold);
}

void MultiLabelClassifier::JudgeForWindow(const std::vector<ClassScore>& window) {
    if (final_heads_.empty() || window.empty() || all_judged_) {
        return;
    }
    std::vector<ClassScoredLabel> judged = all_labels_;
    WeighToStandFor(judged, window, 1);
    std::vector<ScoredLabel> scored;
    scored.reserve(judged.size());
    for (const ClassScoredLabel& label : judged) {
        scored.push_back({label.confidence, label.correct, label.weight});
    }
    ChooseThresholdFor(scored, static_cast<std::int64_t>(scored.size()));
    validation_.for_window = true;
    validation_.judged_for_window = static_cast<std::int64_t>(judged.size());
    validation_.effective_for_window = EffectiveSampleSize(judged);
}

std::optional<ClassScore> MultiLabelClassifier::Score(const std::vector<float>& row) const {
    if (final_heads_.empty()) {
        return std::nullopt;
    }
    const LabelSetPrediction p = Predict(row);
    if (p.labels.empty()) {
        return std::nullopt;
    }
    return ClassScore{0, p.confidence};
}

int MultiLabelClassifier::final_iterations() const {
    int most = 0;
    for (const SoftmaxHead& head : final_heads_) {
        most = std::max(most, head.iterations());
    }
    return most;
}

void MultiLabelClassifier::FitFinalHead(std::vector<std::vector<float>> x,
                                        const std::vector<std::vector<int>>& y, int classes,
                                        const ClassifierOptions& options) {
    for (auto& row : x) {
        NormalizeL2(row);
    }
    FitFinalHeadOn(x, y, classes, options);
}

void MultiLabelClassifier::FitFinalHeadOn(const std::vector<std::vector<float>>& normalized,
                                          const std::vector<std::vector<int>>& y, int classes,
                                          const ClassifierOptions& options) {
    final_heads_.clear();
    for (int c = 0; c < classes; ++c) {
        final_heads_.push_back(
            SoftmaxHead::Fit(normalized, YesNo(y, c), 2, YesNoHead(options.head)));
    }
}

LabelSetPrediction MultiLabelClassifier::Predict(std::vector<float> row) const {
    if (final_heads_.empty()) {
        return {};
    }
    NormalizeL2(row);
    std::vector<double> yes;
    for (std::size_t c = 0; c < final_heads_.size(); ++c) {
        const std::vector<double> p = Softmax(final_heads_[c].Logits(row), temperatures_[c]);
        yes.push_back(p.size() == 2 ? p[1] : 0);
    }
    return Decide(yes);
}

std::optional<LabelSetPrediction> MultiLabelClassifier::Prelabel(std::vector<float> row) const {
    const auto t = threshold();
    if (!t || final_heads_.empty()) {
        return std::nullopt;
    }
    LabelSetPrediction p = Predict(std::move(row));
    if (p.labels.empty() || p.confidence < *t) {
        return std::nullopt;
    }
    return p;
}

}  // namespace tessera::ml
