#include "ml/multilabel_classifier.hpp"

#include <gtest/gtest.h>

#include <random>

namespace tessera::ml {
namespace {

struct LabeledSets {
    std::vector<std::vector<float>> x;
    std::vector<std::vector<int>> y;
};

// Three classes, each shown by its own pair of features (near 1 when the item has the class,
// near 0 when not, with `noise`), and a constant feature so no row is all zeros. Each item has
// each class with probability one half, so every set of the three occurs.
LabeledSets Tagged(int n, double noise, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::normal_distribution<double> jitter(0, noise);
    std::bernoulli_distribution has(0.5);
    LabeledSets out;
    for (int i = 0; i < n; ++i) {
        std::vector<float> row{1.0F};
        std::vector<int> labels;
        for (int c = 0; c < 3; ++c) {
            const bool in = has(random);
            if (in) {
                labels.push_back(c);
            }
            for (int d = 0; d < 2; ++d) {
                row.push_back(static_cast<float>((in ? 1.0 : 0.0) + jitter(random)));
            }
        }
        out.x.push_back(row);
        out.y.push_back(labels);
    }
    return out;
}

TEST(MultiLabelClassifierTest, SeparableTagsGetAThresholdAndTheRightSets) {
    const LabeledSets train = Tagged(200, 0.15, 1);
    const auto classifier = MultiLabelClassifier::Fit(train.x, train.y, 3, {});
    const ClassifierValidation& v = classifier.validation();
    EXPECT_EQ(v.held_out, 200);
    EXPECT_GT(v.accuracy, 0.95);
    ASSERT_TRUE(classifier.threshold().has_value()) << v.choice.why_none;
    ASSERT_TRUE(classifier.has_final_head());
    const LabeledSets fresh = Tagged(100, 0.15, 2);
    int right = 0;
    int prelabeled = 0;
    for (std::size_t i = 0; i < fresh.x.size(); ++i) {
        const LabelSetPrediction p = classifier.Predict(fresh.x[i]);
        right += p.labels == fresh.y[i] ? 1 : 0;
        EXPECT_GT(p.confidence, 0.0);
        EXPECT_LE(p.confidence, 1.0);
        const auto shown = classifier.Prelabel(fresh.x[i]);
        if (shown) {
            ++prelabeled;
            EXPECT_FALSE(shown->labels.empty()) << "an empty set is never a prelabel";
            EXPECT_GE(shown->confidence, *classifier.threshold());
        }
    }
    EXPECT_GE(right, 95);
    EXPECT_GT(prelabeled, 50);
}

TEST(MultiLabelClassifierTest, OnlyWholeSetsThatAreRightCountAsRight) {
    // Class 2's features are noise: its yes/no is a coin toss, so about half of the sets are
    // wrong even though classes 0 and 1 are always right.
    LabeledSets train = Tagged(300, 0.1, 3);
    std::mt19937_64 random(4);
    std::uniform_real_distribution<float> coin(0.0F, 1.0F);
    for (auto& row : train.x) {
        row[5] = coin(random);
        row[6] = coin(random);
    }
    const auto classifier = MultiLabelClassifier::Fit(train.x, train.y, 3, {});
    EXPECT_LT(classifier.validation().accuracy, 0.7);
    EXPECT_GT(classifier.validation().accuracy, 0.3);
    if (classifier.threshold()) {
        EXPECT_GE(classifier.validation().choice.lower_bound, 0.95);
    }
}

TEST(MultiLabelClassifierTest, TooFewLabelsGiveNoThresholdAndOnlyJudgedLabelsJudge) {
    const LabeledSets few = Tagged(20, 0.15, 5);
    const auto none = MultiLabelClassifier::Fit(few.x, few.y, 3, {});
    EXPECT_FALSE(none.threshold().has_value());
    EXPECT_FALSE(none.has_final_head());
    EXPECT_FALSE(none.Prelabel(few.x[0]).has_value());
    EXPECT_EQ(none.validation().choice.why_none.rfind("too few held-out labels", 0), 0U)
        << none.validation().choice.why_none;

    const LabeledSets many = Tagged(200, 0.15, 6);
    std::vector<bool> judged(200, false);
    for (std::size_t i = 0; i < 50; ++i) {
        judged[i] = true;
    }
    const auto some = MultiLabelClassifier::Fit(many.x, many.y, 3, {}, judged);
    EXPECT_EQ(some.validation().held_out, 50);

    auto later = MultiLabelClassifier::Fit(many.x, many.y, 3, {}, {}, FinalHead::kNever);
    EXPECT_FALSE(later.has_final_head());
    later.FitFinalHead(many.x, many.y, 3, {});
    EXPECT_TRUE(later.has_final_head());
}

TEST(MultiLabelClassifierTest, JudgedForTheWindowEveryLabelCounts) {
    // Only 20 labels were given blind: too few to judge. Judged for a window, every label
    // counts (those confirmed from prelabels too), weighted to stand for the window.
    const LabeledSets train = Tagged(200, 0.15, 7);
    std::vector<bool> judged(200, false);
    for (std::size_t i = 0; i < 20; ++i) {
        judged[i] = true;
    }
    auto classifier =
        MultiLabelClassifier::Fit(train.x, train.y, 3, {}, judged, FinalHead::kAlways);
    EXPECT_FALSE(classifier.threshold().has_value());
    const LabeledSets fresh = Tagged(100, 0.15, 8);
    std::vector<ClassScore> window;
    for (const auto& row : fresh.x) {
        if (auto score = classifier.Score(row)) {
            EXPECT_EQ(score->predicted, 0);
            window.push_back(*score);
        }
    }
    ASSERT_GT(window.size(), 70U) << "about 7 sets in 8 are not empty";
    classifier.JudgeForWindow(window);
    const ClassifierValidation& v = classifier.validation();
    ASSERT_TRUE(classifier.threshold().has_value()) << v.choice.why_none;
    EXPECT_TRUE(v.for_window);
    EXPECT_GT(v.judged_for_window, 150);
    EXPECT_LE(v.judged_for_window, 200);
    EXPECT_GT(v.effective_for_window, 0.0);
    EXPECT_LE(v.effective_for_window, static_cast<double>(v.judged_for_window));
    EXPECT_EQ(v.held_out, 20) << "the blind figures stay";
    EXPECT_EQ(v.choice.per_class.size(), 3U);
    EXPECT_GE(v.choice.lower_bound, 0.95);
}

}  // namespace
}  // namespace tessera::ml
