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
    // JudgeForWindow ran: `choice` judged every human label, weighted to stand for the window
    // (`held_out` and `accuracy` stay the blind labels').
    bool for_window = false;
    std::int64_t judged_for_window = 0;  // labels judged then (blind and confirmed)
    double effective_for_window = 0;     // their effective sample size
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
    // Chooses the thresholds again, judging every human label (those confirmed from a
    // prelabel too), each weighted to stand for `window`, the predictions (Score) for the items
    // about to be prelabeled (WeighToStandFor). Needs the final head; a no-op where every label
    // was judged already (none was confirmed from a prelabel): then the labels are a sample of
    // the queue like the window, and weighting would only shrink the effective sample.
    virtual void JudgeForWindow(const std::vector<ClassScore>& window) = 0;
    // The top class and confidence for `row`, for JudgeForWindow; none where it stands for
    // nothing to prelabel.
    virtual std::optional<ClassScore> Score(const std::vector<float>& row) const = 0;
    // Fits the final head on the rows validation used (`y`: each row's classes), threshold or
    // not: for a classifier fitted with FinalHead::kNever. A round fits it even where its blind
    // labels justify no threshold, because JudgeForWindow, judging every label, may.
    virtual void FitFinalHead(std::vector<std::vector<float>> x,
                              const std::vector<std::vector<int>>& y, int classes,
                              const ClassifierOptions& options) = 0;
};

}  // namespace tessera::ml
