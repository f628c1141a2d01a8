#pragma once
// What a round asks of its classifier, whatever the task (issue 10): validation figures for the
// dashboard, and for each unlabeled item either a prelabel sure enough to show or nothing.
// CalibratedClassifier (multi-class: one class an item) and MultiLabelClassifier (a set of
// classes an item, one decision per class) implement it.
#include <optional>
#include <vector>

#include "ml/calibration.hpp"
#include "ml/softmax_head.hpp"
#include "ml/unit_length.hpp"

namespace tessera::ml {

struct ClassifierOptions {
    double target_precision = 0.95;
    int folds = 5;
    std::uint64_t seed = 20261207;
    HeadOptions head;
};

// What validation found, for the round's metrics and the dashboard.
struct ClassifierValidation {
    std::int64_t held_out = 0;  // human labels judged
    double accuracy = 0;        // of their out-of-fold predictions (multi-label: the whole set)
    double temperature = 1;     // multi-label: the mean of the classes' temperatures
    ClassThresholds choice;     // a threshold per class, or why there are none
};

// The classes predicted for an item (indexes) and the calibrated probability that they are
// its answer.
struct LabelSetPrediction {
    std::vector<int> labels;
    double confidence = 0;
};

// When Fit fits the final head (the one that predicts), after validation.
enum class FinalHead {
    kWhenThreshold,  // only when some class has a threshold: nothing to prelabel otherwise
    kAlways,
    kNever,  // validation only: comparing feature sets (FitFinalHead later for the chosen one)
};

class Classifier {
public:
    virtual ~Classifier() = default;
    virtual const ClassifierValidation& validation() const = 0;
    // The lowest threshold (what "prelabels from confidence X" shows); none: no prelabels.
    std::optional<double> threshold() const { return validation().choice.lowest(); }
    virtual bool has_final_head() const = 0;
    virtual int final_iterations() const = 0;
    // The prediction for `row` when it is sure enough to prelabel; needs the final head.
    virtual std::optional<LabelSetPrediction> Prelabel(std::vector<float> row) const = 0;
    // Fits the final head on the rows validation used (`y`: each row's classes) when there is
    // a threshold: for a classifier fitted with FinalHead::kNever.
    virtual void FitFinalHead(std::vector<std::vector<float>> x,
                              const std::vector<std::vector<int>>& y, int classes,
                              const ClassifierOptions& options) = 0;
};

}  // namespace tessera::ml
