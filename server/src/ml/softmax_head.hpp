#pragma once
// A classifier head on embeddings (issue 10; docs/design/ml.md, "Heads and calibration"):
// multinomial logistic regression with a bias, L2 regularization and class weights, fitted by
// Nesterov-accelerated gradient descent on the whole batch, its rows shared among threads. Its
// logits feed FitTemperature and ChooseThreshold (calibration.hpp). Deterministic: the same inputs
// give the same weights.
#include <cstdint>
#include <vector>

namespace tessera::ml {

struct HeadOptions {
    double l2 = 1e-4;  // on the weights, not the biases
    int max_iterations = 500;
    double tolerance = 1e-7;      // stop when the loss improves by less than this
    bool balance_classes = true;  // weight each class by n / (classes * its count)
    // ... raised to this power: 1 evens the classes out, 0.5 meets them halfway (the box
    // detector, whose background outnumbers every class and must stay likelier).
    double balance_power = 1.0;
    int threads = 0;  // 0: one per core (at most 8)
};

class SoftmaxHead {
public:
    // Fits on rows `x` (all of one width) with classes `y` in [0, classes). Rows of another
    // width or classes out of range are skipped; with nothing left the head predicts uniform
    // logits.
    static SoftmaxHead Fit(const std::vector<std::vector<float>>& x, const std::vector<int>& y,
                           int classes, const HeadOptions& options = {});

    // One score per class for `row` (zeros when its width is not the head's).
    std::vector<double> Logits(const std::vector<float>& row) const;
    int classes() const { return classes_; }
    int dims() const { return dims_; }
    int iterations() const { return iterations_; }

private:
    int classes_ = 0;
    int dims_ = 0;
    int iterations_ = 0;
    std::vector<float> weights_;  // classes_ rows of dims_ + 1 (the bias last)
};

// Logits for every row from a head that did not see it: rows are dealt into `folds` groups by
// a seeded shuffle, and each group is scored by a head fitted on the others. These are the
// held-out predictions calibration and the threshold are judged on, so every human label
// counts once as validation without being held back from the final head.
std::vector<std::vector<double>> OutOfFoldLogits(const std::vector<std::vector<float>>& x,
                                                 const std::vector<int>& y, int classes, int folds,
                                                 std::uint64_t seed,
                                                 const HeadOptions& options = {});

}  // namespace tessera::ml
