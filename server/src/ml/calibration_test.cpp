#include "ml/calibration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace tessera::ml {
namespace {

std::vector<ScoredLabel> Labels(int n, double confidence, bool correct) {
    return std::vector<ScoredLabel>(static_cast<std::size_t>(n), ScoredLabel{confidence, correct});
}

void Append(std::vector<ScoredLabel>& to, const std::vector<ScoredLabel>& more) {
    to.insert(to.end(), more.begin(), more.end());
}

TEST(Calibration, SoftmaxSumsToOneAndSharpensAsTheTemperatureFalls) {
    const std::vector<double> z{2.0, 1.0, -1.0};
    const std::vector<double> p = Softmax(z, 1);
    EXPECT_NEAR(p[0] + p[1] + p[2], 1, 1e-12);
    EXPECT_NEAR(p[0], std::exp(2.0) / (std::exp(2.0) + std::exp(1.0) + std::exp(-1.0)), 1e-12);
    EXPECT_GT(Softmax(z, 0.5)[0], p[0]);
    EXPECT_LT(Softmax(z, 2)[0], p[0]);
    EXPECT_NEAR(Softmax({1000, 0}, 1)[0], 1, 1e-12);  // no overflow
    EXPECT_TRUE(Softmax({}, 1).empty());
}

// Labels drawn from softmax(z / 2): the fitted temperature comes back near 2.
TEST(Calibration, FitTemperatureRecoversTheTemperatureTheLabelsWereDrawnAt) {
    std::mt19937_64 random(7);
    std::normal_distribution<double> score(0, 3);
    std::vector<std::vector<double>> logits;
    std::vector<int> truth;
    for (int i = 0; i < 20000; ++i) {
        std::vector<double> z{score(random), score(random), score(random), score(random)};
        const std::vector<double> p = Softmax(z, 2);
        std::discrete_distribution<int> draw(p.begin(), p.end());
        logits.push_back(z);
        truth.push_back(draw(random));
    }
    EXPECT_NEAR(FitTemperature(logits, truth), 2, 0.1);
    // Overconfident logits get a temperature above 1; labels that always agree, below.
    for (std::size_t i = 0; i < logits.size(); ++i) {
        truth[i] = static_cast<int>(std::max_element(logits[i].begin(), logits[i].end()) -
                                    logits[i].begin());
    }
    EXPECT_LT(FitTemperature(logits, truth), 1);
}

TEST(Calibration, FitTemperatureLeavesMalformedInputAlone) {
    EXPECT_EQ(FitTemperature({}, {}), 1);
    EXPECT_EQ(FitTemperature({{1, 2}}, {2}), 1);  // truth out of range
    EXPECT_EQ(FitTemperature({{1, 2}}, {-1}), 1);
    EXPECT_EQ(FitTemperature({{1, 2}, {1}}, {0, 0}), 1);  // rows of different widths
    EXPECT_EQ(FitTemperature({{1, 2}}, {0, 1}), 1);       // sizes differ
}

TEST(Calibration, WilsonLowerBound) {
    EXPECT_NEAR(WilsonLowerBound(95, 100), 0.8882, 1e-4);
    EXPECT_NEAR(WilsonLowerBound(100, 100), 0.9630, 1e-4);
    EXPECT_NEAR(WilsonLowerBound(10, 10), 0.7225, 1e-4);  // ten right say little
    EXPECT_EQ(WilsonLowerBound(0, 0), 0);
    EXPECT_EQ(WilsonLowerBound(0, 50), 0);
}

TEST(Calibration, TooFewHeldOutLabelsGiveNoThreshold) {
    const ThresholdChoice choice = ChooseThreshold(Labels(29, 0.99, true), ThresholdRule{});
    EXPECT_FALSE(choice.threshold.has_value());
    EXPECT_EQ(choice.held_out, 29);
    EXPECT_EQ(choice.why_none, "too few held-out labels to judge prelabels: 29 of the 30 needed");
}

TEST(Calibration, AllRightGivesTheLowestConfidenceOnceTheBoundAllowsIt) {
    std::vector<ScoredLabel> labels;
    labels.reserve(200);
    for (int i = 0; i < 200; ++i) {
        labels.push_back({0.5 + 0.0025 * i, true});
    }
    const ThresholdChoice choice = ChooseThreshold(labels, ThresholdRule{});
    ASSERT_TRUE(choice.threshold.has_value()) << choice.why_none;
    EXPECT_DOUBLE_EQ(*choice.threshold, 0.5);
    EXPECT_EQ(choice.covered, 200);
    EXPECT_DOUBLE_EQ(choice.precision, 1);
    EXPECT_TRUE(choice.why_none.empty());
}

TEST(Calibration, TheThresholdStopsWhereTheLessSureLabelsGoWrong) {
    std::vector<ScoredLabel> labels = Labels(300, 0.97, true);
    Append(labels, Labels(5, 0.96, false));   // 300 of 305 right: still above 95 % at the bound
    Append(labels, Labels(100, 0.6, false));  // below: mostly wrong
    Append(labels, Labels(100, 0.55, true));
    const ThresholdChoice choice = ChooseThreshold(labels, ThresholdRule{});
    ASSERT_TRUE(choice.threshold.has_value()) << choice.why_none;
    EXPECT_DOUBLE_EQ(*choice.threshold, 0.96);
    EXPECT_EQ(choice.covered, 305);
    EXPECT_NEAR(choice.precision, 300.0 / 305, 1e-12);
    EXPECT_GE(choice.lower_bound, 0.95);
}

TEST(Calibration, LabelsOfEqualConfidenceAreAllInOrAllOut) {
    // 100 right at 0.9, then 40 at 0.8 of which 10 wrong: a cut inside the 0.8s would pass.
    std::vector<ScoredLabel> labels = Labels(100, 0.9, true);
    Append(labels, Labels(30, 0.8, true));
    Append(labels, Labels(10, 0.8, false));
    ThresholdRule rule;
    rule.target_precision = 0.9;
    const ThresholdChoice choice = ChooseThreshold(labels, rule);
    ASSERT_TRUE(choice.threshold.has_value()) << choice.why_none;
    EXPECT_DOUBLE_EQ(*choice.threshold, 0.9);
    EXPECT_EQ(choice.covered, 100);
}

TEST(Calibration, WithoutAThresholdTheBestCutIsReported) {
    std::vector<ScoredLabel> labels = Labels(90, 0.9, true);
    Append(labels, Labels(10, 0.9, false));
    Append(labels, Labels(50, 0.4, false));
    const ThresholdChoice choice = ChooseThreshold(labels, ThresholdRule{});
    EXPECT_FALSE(choice.threshold.has_value());
    EXPECT_EQ(choice.covered, 100);
    EXPECT_DOUBLE_EQ(choice.precision, 0.9);
    EXPECT_EQ(choice.why_none,
              "no confidence reaches the target precision of 95.0%: at best 90.0% (lower bound "
              "82.6%) on the 100 most confident of 150 held-out labels");
}

// `n` held-out predictions of class `predicted` at `confidence`, `correct` or not.
std::vector<ClassScoredLabel> Predicted(int predicted, int n, double confidence, bool correct) {
    return std::vector<ClassScoredLabel>(static_cast<std::size_t>(n),
                                         ClassScoredLabel{predicted, confidence, correct});
}

void Append(std::vector<ClassScoredLabel>& to, const std::vector<ClassScoredLabel>& more) {
    to.insert(to.end(), more.begin(), more.end());
}

TEST(ClassThresholds, AWeakClassIsHeldAboveThePooledThreshold) {
    // Pooled, 0.8 qualifies (542 of 550 right); but class 1 alone is 94.7 % right there, so its
    // prelabels wait for 0.95, where it is right every time.
    std::vector<ClassScoredLabel> labels = Predicted(0, 400, 0.8, true);
    Append(labels, Predicted(1, 92, 0.8, true));
    Append(labels, Predicted(1, 8, 0.8, false));
    Append(labels, Predicted(1, 50, 0.95, true));
    ClassThresholdRule rule;
    rule.pooled.target_precision = 0.95;
    const ClassThresholds t = ChooseClassThresholds(labels, 2, rule);
    ASSERT_EQ(t.per_class.size(), 2U);
    ASSERT_TRUE(t.per_class[0].has_value()) << t.why_none;
    ASSERT_TRUE(t.per_class[1].has_value()) << t.why_none;
    EXPECT_DOUBLE_EQ(*t.per_class[0], 0.8);
    EXPECT_DOUBLE_EQ(*t.per_class[1], 0.95);
    EXPECT_EQ(t.covered, 450);
    EXPECT_DOUBLE_EQ(t.precision, 1.0);
    EXPECT_GE(t.lower_bound, 0.95);
    EXPECT_DOUBLE_EQ(*t.lowest(), 0.8);
}

TEST(ClassThresholds, NoClassIsPrelabeledBelowThePooledThresholdOnItsFewLabels) {
    // Class 1's 20 labels are right even at 0.5, but 20 labels prove little: it keeps the
    // pooled threshold, which the 0.5s of class 0 (half wrong) hold at 0.9.
    std::vector<ClassScoredLabel> labels = Predicted(0, 100, 0.9, true);
    Append(labels, Predicted(0, 20, 0.5, true));
    Append(labels, Predicted(0, 20, 0.5, false));
    Append(labels, Predicted(1, 20, 0.9, true));
    Append(labels, Predicted(1, 20, 0.5, true));
    const ClassThresholds t = ChooseClassThresholds(labels, 2, ClassThresholdRule{});
    ASSERT_TRUE(t.lowest().has_value()) << t.why_none;
    EXPECT_EQ(t.per_class[0], std::optional<double>(0.9));
    EXPECT_EQ(t.per_class[1], std::optional<double>(0.9));
    EXPECT_EQ(t.covered, 120);
}

TEST(ClassThresholds, AClassWithoutEnoughPreciseLabelsIsNotPrelabeled) {
    std::vector<ClassScoredLabel> labels = Predicted(0, 200, 0.9, true);
    Append(labels, Predicted(1, 3, 0.99, true));  // right, but only 3 above any higher cut
    Append(labels, Predicted(1, 2, 0.99, false));
    const ClassThresholds t = ChooseClassThresholds(labels, 2, ClassThresholdRule{});
    ASSERT_TRUE(t.per_class[0].has_value()) << t.why_none;
    EXPECT_FALSE(t.per_class[1].has_value());

    const ClassThresholds few =
        ChooseClassThresholds(Predicted(0, 20, 0.99, true), 2, ClassThresholdRule{});
    EXPECT_FALSE(few.lowest().has_value());
    EXPECT_EQ(few.why_none, "too few held-out labels to judge prelabels: 20 of the 30 needed");

    std::vector<ClassScoredLabel> poor = Predicted(0, 50, 0.8, true);
    Append(poor, Predicted(0, 50, 0.8, false));
    const ClassThresholds none = ChooseClassThresholds(poor, 1, ClassThresholdRule{});
    EXPECT_FALSE(none.lowest().has_value());
    EXPECT_EQ(none.why_none.rfind("no confidence reaches the target precision of 95.0%", 0), 0U)
        << none.why_none;
}

TEST(WeighToStandFor, EachBandWeighsItsShareOfTheTargetsOverItsShareOfTheLabels) {
    // Class 0: 20 unsure labels and 20 sure ones (two bands of 20); class 1: 10 labels the
    // targets never predict.
    std::vector<ClassScoredLabel> labels;
    labels.reserve(50);
    for (int i = 0; i < 20; ++i) {
        labels.push_back({0, 0.50 + 0.005 * i, true});
        labels.push_back({0, 0.90 + 0.005 * i, true});
    }
    Append(labels, Predicted(1, 10, 0.8, true));
    std::vector<ClassScore> targets(30, ClassScore{0, 0.97});
    targets.resize(40, ClassScore{0, 0.55});
    targets.push_back({0, 0.2});  // below every label: the lowest band's
    targets.push_back({5, 0.9});  // a class out of range counts in the total only
    WeighToStandFor(labels, targets, 2);
    const double total_labels = 50;
    const double total_targets = 42;
    for (const ClassScoredLabel& l : labels) {
        if (l.predicted == 1) {
            EXPECT_EQ(l.weight, 0.0);
        } else if (l.confidence < 0.7) {
            EXPECT_DOUBLE_EQ(l.weight, (11 / total_targets) / (20 / total_labels));
        } else {
            EXPECT_DOUBLE_EQ(l.weight, (30 / total_targets) / (20 / total_labels));
        }
    }
    std::vector<ClassScoredLabel> untouched = Predicted(0, 5, 0.9, true);
    WeighToStandFor(untouched, {}, 2);  // no targets: nothing to stand for, weights stay 1
    EXPECT_EQ(untouched[0].weight, 1.0);
}

TEST(ClassThresholds, WeightsThatStandForSurerItemsLowerTheCut) {
    // 400 sure labels all right and 400 unsure ones 80 % right: equally weighted, the unsure
    // ones cannot be prelabeled (90 % together). When the items to prelabel are nine in ten
    // sure ones, the unsure labels stand for few of them, and prelabeling both keeps 98 %.
    std::vector<ClassScoredLabel> labels = Predicted(0, 400, 0.95, true);
    Append(labels, Predicted(0, 320, 0.6, true));
    Append(labels, Predicted(0, 80, 0.6, false));
    ClassThresholdRule rule;
    const ClassThresholds equal = ChooseClassThresholds(labels, 1, rule);
    EXPECT_EQ(equal.per_class[0], std::optional<double>(0.95));
    EXPECT_EQ(equal.covered, 400);

    std::vector<ClassScore> targets(900, ClassScore{0, 0.95});
    targets.resize(1000, ClassScore{0, 0.6});
    WeighToStandFor(labels, targets, 1);
    const ClassThresholds weighted = ChooseClassThresholds(labels, 1, rule);
    EXPECT_EQ(weighted.per_class[0], std::optional<double>(0.6)) << weighted.why_none;
    EXPECT_EQ(weighted.covered, 800);
    EXPECT_NEAR(weighted.precision, 0.98, 1e-9);
    EXPECT_GE(weighted.lower_bound, 0.95);

    // The other way round (the items to prelabel mostly unsure) it stays at 0.95.
    std::vector<ClassScore> unsure(100, ClassScore{0, 0.95});
    unsure.resize(1000, ClassScore{0, 0.6});
    WeighToStandFor(labels, unsure, 1);
    EXPECT_EQ(ChooseClassThresholds(labels, 1, rule).per_class[0], std::optional<double>(0.95));
}

TEST(Calibration, WilsonOfAShareMatchesTheCountsAndShrinksWithTheSample) {
    EXPECT_DOUBLE_EQ(WilsonLowerBoundOf(0.9, 100), WilsonLowerBound(90, 100));
    EXPECT_LT(WilsonLowerBoundOf(0.9, 50.5), WilsonLowerBoundOf(0.9, 100));
    EXPECT_EQ(WilsonLowerBoundOf(1.0, 0), 0.0);
}

}  // namespace
}  // namespace tessera::ml
