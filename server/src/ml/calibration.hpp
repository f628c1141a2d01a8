#pragma once
// Confidence calibration and the prelabel threshold (issue 10; docs/design/ml.md, "Heads and
// calibration"): plain functions over held-out predictions, no model code. A round fits a
// temperature on the out-of-fold logits of the human labels, then picks the lowest confidence
// at which those labels say the prelabels are precise enough, judged with a lower confidence
// bound so that a small validation set cannot pass by luck.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera::ml {

// softmax(logits / temperature). Empty logits give an empty vector; temperature must be > 0.
std::vector<double> Softmax(const std::vector<double>& logits, double temperature);
// The same in place, for loops that score many rows into one buffer (SoftmaxHead's fit).
void SoftmaxInPlace(std::vector<double>& z, double temperature = 1);

// The temperature T that minimizes the mean negative log-likelihood of `truth` under
// softmax(logits / T) (temperature scaling). `logits[i]` holds one score per class and
// `truth[i]` is the index of the right class. The likelihood is convex in 1/T, so a bracketed
// search over log T in [1e-2, 1e2] finds it. Returns 1 (no change) when there is nothing to fit
// or an entry is malformed (a truth index out of range, rows of different widths).
double FitTemperature(const std::vector<std::vector<double>>& logits,
                      const std::vector<int>& truth);

// The Wilson score interval's lower bound for `successes` of `trials` at the normal quantile
// `z` (1.96: 95 %, two-sided). 0 when there are no trials.
double WilsonLowerBound(std::int64_t successes, std::int64_t trials, double z = 1.96);
// The same for a share of `trials` (not necessarily whole: an effective sample size).
double WilsonLowerBoundOf(double share, double trials, double z = 1.96);

// One held-out human label as the model saw it: its (calibrated) confidence in its top class,
// and whether that class was the human's.
struct ScoredLabel {
    double confidence = 0;
    bool correct = false;
    // How much of what is to be prelabeled it stands for (WeighToStandFor); 1 each by default.
    // Precisions are weighted and the Wilson bound uses the effective sample size.
    double weight = 1;
};

struct ThresholdRule {
    double target_precision = 0.95;
    // Fewer held-out labels than this: no threshold at all, whatever they say.
    std::int64_t min_held_out = 30;
    double z = 1.96;
};

// The prelabel threshold, or why there is none.
struct ThresholdChoice {
    std::optional<double> threshold;  // prelabel when confidence >= threshold
    std::int64_t held_out = 0;        // labels judged
    std::int64_t covered = 0;         // of them, at or above the threshold (or the best cut)
    double precision = 0;             // among the covered
    double lower_bound = 0;           // Wilson lower bound of that precision
    std::string why_none;             // empty when there is a threshold
};

// The lowest confidence c such that, among the held-out labels with confidence >= c, the
// Wilson lower bound of the share correct reaches the target. Labels of equal confidence are
// all in or all out. Without one: the cut with the best lower bound, and a sentence saying why.
ThresholdChoice ChooseThreshold(std::vector<ScoredLabel> held_out, const ThresholdRule& rule);

// A held-out label with the class the model predicted for it.
struct ClassScoredLabel {
    int predicted = 0;
    double confidence = 0;
    bool correct = false;
    double weight = 1;  // as ScoredLabel's
};

// A prediction for an item to prelabel: its top class and calibrated confidence.
struct ClassScore {
    int predicted = 0;
    double confidence = 0;
};

// Weights `labels` (held-out human labels) so that they stand for `targets` (the items a round
// is about to prelabel): per predicted class and confidence band, each label weighs its band's
// share of the targets over its share of the labels. The bands are quantiles of the class's
// labels' confidences, each holding at least `per_band` labels (at most `max_bands` a class);
// targets outside them count in the nearest. Labels of a class no target is predicted as weigh
// 0. Why: after a round the labels given blind are the items it was unsure of, and the labels
// confirmed from its prelabels the ones it was surest of; neither set looks like what remains.
void WeighToStandFor(std::vector<ClassScoredLabel>& labels, const std::vector<ClassScore>& targets,
                     int classes, std::size_t per_band = 20, std::size_t max_bands = 5);

// Kish's effective sample size of the labels' weights: (sum of weights)^2 / sum of squares; as
// many as the labels when the weights are equal, fewer the more uneven they are.
double EffectiveSampleSize(const std::vector<ClassScoredLabel>& labels);

struct ClassThresholdRule {
    ThresholdRule pooled;  // target, minimum held-out labels, z: for all prelabels together
    // A class is prelabeled only where at least this many held-out predictions of it reach its
    // threshold: a handful of lucky ones prove nothing about the class.
    std::int64_t min_covered_per_class = 10;
    double step = 0.005;  // how much each class's own target is raised per try
    // How many floors below the pooled threshold are tried (see ChooseClassThresholds).
    std::size_t max_floors = 256;

    // The defaults with all prelabels held to `target_precision`.
    static ClassThresholdRule For(double target_precision);
};

// Thresholds per predicted class, or why there are none.
struct ClassThresholds {
    std::vector<std::optional<double>> per_class;  // none: that class is never prelabeled
    std::int64_t held_out = 0;
    std::int64_t covered = 0;  // held-out labels at or above their class's threshold
    double precision = 0;      // among the covered
    double lower_bound = 0;    // Wilson lower bound of that precision
    double class_target = 0;   // the precision each class had to reach on its own
    std::string why_none;      // empty when some class has a threshold
    // The lowest threshold of any class (what "prelabels from confidence X" shows).
    std::optional<double> lowest() const;
};

// One threshold per predicted class, because classes differ: one threshold for all lets the
// model's weak classes through below the target (on Fashion-MNIST at 1,000 labels, "T-shirt or
// top" prelabels were 93 % right under a 95 % pooled threshold). First the pooled threshold
// (ChooseThreshold: all prelabels together reach the target with the Wilson lower bound); then
// each class whose held-out predictions at or above it fall short of `class_target` (the target)
// gets the lowest higher cut that reaches it with at least `min_covered_per_class` labels, or no
// prelabels. Thresholds only rise from the pooled one: lowering one on a class's few labels
// would choose luck (measured: the same benchmark's prelabels fell to 89 % precision that way).
// The pooled bound is checked again over the class cuts, raising every class target by `step`
// until it holds.
ClassThresholds ChooseClassThresholds(const std::vector<ClassScoredLabel>& held_out, int classes,
                                      const ClassThresholdRule& rule);

}  // namespace tessera::ml
