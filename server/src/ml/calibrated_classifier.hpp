#pragma once
// One round's classifier for a multi-class project (docs/design/ml.md, "Heads and calibration"):
// the head fitted on every human label, a temperature fitted on out-of-fold predictions of those
// same labels, and the prelabel threshold those predictions justify. Plain data in, plain data
// out: the round job feeds it embeddings and labels and turns its predictions into prelabels.
#include <cstdint>
#include <optional>
#include <vector>

#include "ml/calibration.hpp"
#include "ml/softmax_head.hpp"

namespace tessera::ml {

struct ClassifierOptions {
    double target_precision = 0.95;
    int folds = 5;
    std::uint64_t seed = 20261207;
    HeadOptions head;
};

// What validation found, for the round's metrics and the dashboard.
struct ClassifierValidation {
    std::int64_t held_out = 0;  // human labels judged (see `judged` in Fit)
    double accuracy = 0;        // of their out-of-fold predictions' top class
    double temperature = 1;
    ClassThresholds choice;  // a threshold per class, or why there are none
};

struct Prediction {
    int label = 0;          // class index
    double confidence = 0;  // calibrated probability of that class
};

class CalibratedClassifier {
public:
    // `x` rows are embeddings (any scale: each is L2-normalized first), `y` their classes in
    // [0, classes). Every row trains; only rows with `judged[i]` (all when `judged` is empty)
    // are judged: their out-of-fold predictions fit the temperature and the thresholds. A round
    // judges only labels given without a prelabel: labels confirmed from the model's own
    // prelabels are the items it was already sure of, and judging on them overstates its
    // precision on the items still to prelabel. Fits the final head on every row when some
    // class has a threshold (or `always_fit_final`).
    static CalibratedClassifier Fit(std::vector<std::vector<float>> x, const std::vector<int>& y,
                                    int classes, const ClassifierOptions& options,
                                    const std::vector<bool>& judged = {},
                                    bool always_fit_final = false);

    const ClassifierValidation& validation() const { return validation_; }
    // The lowest class threshold: none when no class is prelabeled.
    std::optional<double> threshold() const { return validation_.choice.lowest(); }
    // Whether a prediction is sure enough to prelabel: at or above its class's threshold.
    bool Qualifies(const Prediction& p) const;
    bool has_final_head() const { return final_head_.has_value(); }
    int final_iterations() const { return final_head_ ? final_head_->iterations() : 0; }
    // The top class and its calibrated confidence; needs the final head.
    Prediction Predict(std::vector<float> row) const;

private:
    ClassifierValidation validation_;
    std::optional<SoftmaxHead> final_head_;
};

// Scales `row` to unit length (left alone when it is all zeros).
void NormalizeL2(std::vector<float>& row);

}  // namespace tessera::ml
