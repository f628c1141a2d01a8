#pragma once
// One round's classifier for a multi-label project (issue 10, point 4: "multi-label: one
// decision per class"; docs/design/ml.md, "Heads and calibration"). Each class is a yes/no
// question with its own logistic head and temperature; an item's prediction is the set of classes
// answered yes, and its confidence the probability that every answer is right (the product over
// the classes, as if independent). A prelabel is right only when the whole set is the human's,
// so the threshold is chosen on that: the held-out sets at or above it must reach the target
// precision with the Wilson lower bound (ChooseThreshold), one threshold for all.
#include <cstdint>
#include <vector>

#include "ml/classifier.hpp"

namespace tessera::ml {

class MultiLabelClassifier final : public Classifier {
public:
    // `x` rows are embeddings, `y` each row's classes (indexes in [0, classes); an empty set
    // is an answer too: none applies). `judged` as CalibratedClassifier::Fit.
    static MultiLabelClassifier Fit(std::vector<std::vector<float>> x,
                                    const std::vector<std::vector<int>>& y, int classes,
                                    const ClassifierOptions& options,
                                    const std::vector<bool>& judged = {},
                                    FinalHead final = FinalHead::kWhenThreshold);

    const ClassifierValidation& validation() const override { return validation_; }
    bool has_final_head() const override { return !final_heads_.empty(); }
    int final_iterations() const override;
    // The predicted set when it is not empty (an item with no class is not prelabeled: there
    // is nothing to show) and its confidence reaches the threshold.
    std::optional<LabelSetPrediction> Prelabel(std::vector<float> row) const override;
    void FitFinalHead(std::vector<std::vector<float>> x, const std::vector<std::vector<int>>& y,
                      int classes, const ClassifierOptions& options) override;
    // The set answered yes and its confidence; needs the final heads.
    LabelSetPrediction Predict(std::vector<float> row) const;
    // As CalibratedClassifier's, with the one threshold for all sets: the labels' weights
    // stand for the window's confidences (WeighToStandFor with one class).
    void JudgeForWindow(const std::vector<ClassScore>& window) override;
    // Class 0 and the set's confidence when the predicted set is not empty (an empty one is
    // never prelabeled, so it stands for nothing).
    std::optional<ClassScore> Score(const std::vector<float>& row) const override;

private:
    void FitFinalHeadOn(const std::vector<std::vector<float>>& normalized,
                        const std::vector<std::vector<int>>& y, int classes,
                        const ClassifierOptions& options);

    // The one threshold for every set, from the judged sets `scored` (those not empty of the
    // `held_out` judged), into `validation_`.
    void ChooseThresholdFor(const std::vector<ScoredLabel>& scored, std::int64_t held_out);

    ClassifierValidation validation_;
    // Every label's out-of-fold set that is not empty (blind or not), for JudgeForWindow, as
    // class 0.
    std::vector<ClassScoredLabel> all_labels_;
    double target_precision_ = 0.95;
    bool all_judged_ = false;  // as CalibratedClassifier's
    int classes_ = 0;
    std::vector<double> temperatures_;  // one a class
    std::vector<SoftmaxHead> final_heads_;
};

}  // namespace tessera::ml
