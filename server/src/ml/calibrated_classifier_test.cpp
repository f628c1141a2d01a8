#include "ml/calibrated_classifier.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace tessera::ml {
namespace {

struct LabeledRows {
    std::vector<std::vector<float>> x;
    std::vector<int> y;
};

// Three classes around their own centre; `overlap` mixes in a shared direction so some rows
// are ambiguous. Rows are scaled at random: the classifier must not care about length.
LabeledRows ScaledBlobs(int per_class, double spread, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::normal_distribution<double> noise(0, spread);
    std::uniform_real_distribution<double> scale(0.5, 5.0);
    LabeledRows data;
    for (int k = 0; k < 3; ++k) {
        for (int i = 0; i < per_class; ++i) {
            std::vector<float> row(8);
            const double s = scale(random);
            for (int d = 0; d < 8; ++d) {
                row[static_cast<std::size_t>(d)] =
                    static_cast<float>(s * ((d == k ? 1.0 : 0.0) + noise(random)));
            }
            data.x.push_back(row);
            data.y.push_back(k);
        }
    }
    return data;
}

TEST(CalibratedClassifierTest, SeparableClassesGetAThresholdAndRightPredictions) {
    const LabeledRows train = ScaledBlobs(40, 0.15, 1);
    const auto classifier = CalibratedClassifier::Fit(train.x, train.y, 3, {});
    const ClassifierValidation& v = classifier.validation();
    EXPECT_EQ(v.held_out, 120);
    EXPECT_GT(v.accuracy, 0.95);
    ASSERT_TRUE(classifier.threshold().has_value()) << v.choice.why_none;
    ASSERT_TRUE(classifier.has_final_head());
    const LabeledRows fresh = ScaledBlobs(30, 0.15, 2);
    int right = 0;
    for (std::size_t i = 0; i < fresh.x.size(); ++i) {
        const Prediction p = classifier.Predict(fresh.x[i]);
        right += p.label == fresh.y[i] ? 1 : 0;
        EXPECT_GT(p.confidence, 0.0);
        EXPECT_LE(p.confidence, 1.0);
    }
    EXPECT_GE(right, 85);
}

TEST(CalibratedClassifierTest, ValidatingFirstAndFittingTheHeadLaterPredictsTheSame) {
    const LabeledRows train = ScaledBlobs(40, 0.3, 5);
    const auto at_once = CalibratedClassifier::Fit(train.x, train.y, 3, {});
    auto later = CalibratedClassifier::Fit(train.x, train.y, 3, {}, {}, FinalHead::kNever);
    ASSERT_TRUE(later.threshold().has_value()) << later.validation().choice.why_none;
    EXPECT_FALSE(later.has_final_head());
    later.FitFinalHead(train.x, train.y, 3, {});
    ASSERT_TRUE(later.has_final_head());
    const LabeledRows fresh = ScaledBlobs(10, 0.3, 6);
    for (const auto& row : fresh.x) {
        const Prediction a = at_once.Predict(row);
        const Prediction b = later.Predict(row);
        EXPECT_EQ(a.label, b.label);
        EXPECT_DOUBLE_EQ(a.confidence, b.confidence);
    }
}

TEST(CalibratedClassifierTest, TooFewLabelsGiveNoThresholdAndNoFinalHead) {
    const LabeledRows train =
        ScaledBlobs(6, 0.15, 3);  // 18 labels: under the 30 held-out labels needed
    const auto classifier = CalibratedClassifier::Fit(train.x, train.y, 3, {});
    EXPECT_FALSE(classifier.threshold().has_value());
    EXPECT_FALSE(classifier.validation().choice.why_none.empty());
    EXPECT_FALSE(classifier.has_final_head());
    const Prediction none = classifier.Predict(train.x[0]);
    EXPECT_EQ(none.confidence, 0.0);
    // Asked to, it still fits the head (the dashboard can show its accuracy).
    const auto fitted = CalibratedClassifier::Fit(train.x, train.y, 3, {}, {}, FinalHead::kAlways);
    EXPECT_TRUE(fitted.has_final_head());
}

TEST(CalibratedClassifierTest, OverlappingClassesPrelabelOnlyWhereHeldOutLabelsAgree) {
    // Heavily overlapping classes: accuracy is modest, so the threshold (if any) must sit high
    // enough that held-out precision at or above it clears the target's lower bound.
    const LabeledRows train = ScaledBlobs(200, 0.9, 4);
    ClassifierOptions options;
    options.target_precision = 0.9;
    const auto classifier = CalibratedClassifier::Fit(train.x, train.y, 3, options);
    const ClassifierValidation& v = classifier.validation();
    EXPECT_LT(v.accuracy, 0.9);
    if (classifier.threshold()) {
        EXPECT_GE(v.choice.lower_bound, 0.9);
        EXPECT_LT(v.choice.covered, v.held_out);
    } else {
        EXPECT_LT(v.choice.lower_bound, 0.9);
    }
}

TEST(CalibratedClassifierTest, OnlyJudgedRowsValidateWhileEveryRowTrains) {
    const LabeledRows train = ScaledBlobs(40, 0.15, 5);
    std::vector<bool> judged(train.x.size(), false);
    for (std::size_t i = 0; i < judged.size(); i += 2) {
        judged[i] = true;  // every other label was given blind
    }
    const auto classifier = CalibratedClassifier::Fit(train.x, train.y, 3, {}, judged);
    EXPECT_EQ(classifier.validation().held_out, 60);
    const auto none = CalibratedClassifier::Fit(train.x, train.y, 3, {},
                                                std::vector<bool>(train.x.size(), false));
    EXPECT_EQ(none.validation().held_out, 0);
    EXPECT_FALSE(none.threshold().has_value());
}

TEST(CalibratedClassifierTest, NormalizeL2MakesUnitRowsAndLeavesZerosAlone) {
    std::vector<float> row{3, 4};
    NormalizeL2(row);
    EXPECT_FLOAT_EQ(row[0], 0.6F);
    EXPECT_FLOAT_EQ(row[1], 0.8F);
    std::vector<float> zeros{0, 0};
    NormalizeL2(zeros);
    EXPECT_EQ(zeros, (std::vector<float>{0, 0}));
}

}  // namespace
}  // namespace tessera::ml
