#pragma once
// One round's classifier for a multi-class project (docs/design/ml.md, "Heads and calibration"):
// the head fitted on every human label, a temperature fitted on out-of-fold predictions of those
// same labels, and the prelabel threshold those predictions justify. Plain data in, plain data
// out: the round job feeds it embeddings and labels and turns its predictions into prelabels.
#include <cstdint>
#include <optional>
#include <vector>

#include "ml/classifier.hpp"

namespace tessera::ml {

struct Prediction {
    int label = 0;          // class index
    double confidence = 0;  // calibrated probability of that class
};

class CalibratedClassifier final : public Classifier {
public:
    // `x` rows are embeddings (any scale: each is L2-normalized first), `y` their classes in
    // [0, classes). Every row trains; only rows with `judged[i]` (all when `judged` is empty)
    // are judged: their out-of-fold predictions fit the temperature and the thresholds. A round
    // judges only labels given without a prelabel: labels confirmed from the model's own
    // prelabels are the items it was already sure of, and judging on them overstates its
    // precision on the items still to prelabel. Fits the final head on every row as `final`
    // says.
    static CalibratedClassifier Fit(std::vector<std::vector<float>> x, const std::vector<int>& y,
                                    int classes, const ClassifierOptions& options,
                                    const std::vector<bool>& judged = {},
                                    FinalHead final = FinalHead::kWhenThreshold);
    // Fits the final head on `x` and `y` (the rows Fit validated on): for a classifier Fit with
    // FinalHead::kNever.
    void FitFinalHead(std::vector<std::vector<float>> x, const std::vector<int>& y, int classes,
                      const ClassifierOptions& options);

    const ClassifierValidation& validation() const override { return validation_; }
    // Whether a prediction is sure enough to prelabel: at or above its class's threshold.
    bool Qualifies(const Prediction& p) const;
    bool has_final_head() const override { return final_head_.has_value(); }
    int final_iterations() const override { return final_head_ ? final_head_->iterations() : 0; }
    std::optional<LabelSetPrediction> Prelabel(std::vector<float> row) const override;
    void FitFinalHead(std::vector<std::vector<float>> x, const std::vector<std::vector<int>>& y,
                      int classes, const ClassifierOptions& options) override;
    // The top class and its calibrated confidence; needs the final head.
    Prediction Predict(std::vector<float> row) const;
    void JudgeForWindow(const std::vector<ClassScore>& window) override;
    std::optional<ClassScore> Score(const std::vector<float>& row) const override;

private:
    ClassifierValidation validation_;
    std::optional<SoftmaxHead> final_head_;
    // Every label's out-of-fold prediction (blind or not), for JudgeForWindow.
    std::vector<ClassScoredLabel> all_labels_;
    // Every label was judged already (none confirmed from a prelabel): a sample of the queue
    // like the window, so JudgeForWindow would only cost effective sample size, not fix a bias.
    bool all_judged_ = false;
    int classes_ = 0;
    double target_precision_ = 0.95;
};

}  // namespace tessera::ml
