#include "ml/calibrated_classifier.hpp"

#include <algorithm>
#include <cmath>

namespace tessera::ml {

void NormalizeL2(std::vector<float>& row) {
    double sum = 0;
    for (const float v : row) {
        sum += static_cast<double>(v) * v;
    }
    if (sum <= 0) {
        return;
    }
    const auto scale = static_cast<float>(1.0 / std::sqrt(sum));
    for (float& v : row) {
        v *= scale;
    }
}

namespace {

std::size_t ArgMax(const std::vector<double>& values) {
    return static_cast<std::size_t>(
        std::distance(values.begin(), std::max_element(values.begin(), values.end())));
}

}  // namespace

CalibratedClassifier CalibratedClassifier::Fit(std::vector<std::vector<float>> x,
                                               const std::vector<int>& y, int classes,
                                               const ClassifierOptions& options,
                                               bool always_fit_final) {
    for (auto& row : x) {
        NormalizeL2(row);
    }
    CalibratedClassifier out;
    ClassifierValidation& v = out.validation_;
    const auto logits = OutOfFoldLogits(x, y, classes, options.folds, options.seed, options.head);
    v.temperature = FitTemperature(logits, y);
    std::vector<ScoredLabel> scored;
    scored.reserve(logits.size());
    std::int64_t correct = 0;
    for (std::size_t i = 0; i < logits.size() && i < y.size(); ++i) {
        if (logits[i].empty()) {
            continue;
        }
        const std::vector<double> p = Softmax(logits[i], v.temperature);
        const std::size_t top = ArgMax(p);
        const bool right = static_cast<int>(top) == y[i];
        correct += right ? 1 : 0;
        scored.push_back({p[top], right});
    }
    v.held_out = static_cast<std::int64_t>(scored.size());
    v.accuracy =
        scored.empty() ? 0 : static_cast<double>(correct) / static_cast<double>(scored.size());
    ThresholdRule rule;
    rule.target_precision = options.target_precision;
    v.choice = ChooseThreshold(std::move(scored), rule);
    if (v.choice.threshold || always_fit_final) {
        out.final_head_ = SoftmaxHead::Fit(x, y, classes, options.head);
    }
    return out;
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
