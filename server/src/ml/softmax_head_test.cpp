#include "ml/softmax_head.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace tessera::ml {
namespace {

struct Data {
    std::vector<std::vector<float>> x;
    std::vector<int> y;
};

// `per_class[k]` points around a centre of class k's own, spread `spread` in every dimension.
Data Blobs(const std::vector<int>& per_class, int dims, double spread, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::normal_distribution<double> noise(0, spread);
    Data data;
    for (std::size_t k = 0; k < per_class.size(); ++k) {
        for (int i = 0; i < per_class[k]; ++i) {
            std::vector<float> row(static_cast<std::size_t>(dims));
            for (int d = 0; d < dims; ++d) {
                const double centre = d == static_cast<int>(k) ? 1.0 : 0.0;
                row[static_cast<std::size_t>(d)] = static_cast<float>(centre + noise(random));
            }
            data.x.push_back(row);
            data.y.push_back(static_cast<int>(k));
        }
    }
    return data;
}

int ArgMax(const std::vector<double>& z) {
    return static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());
}

double Accuracy(const std::vector<std::vector<double>>& logits, const std::vector<int>& y) {
    int right = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        right += ArgMax(logits[i]) == y[i] ? 1 : 0;
    }
    return static_cast<double>(right) / static_cast<double>(y.size());
}

double RecallOf(const SoftmaxHead& head, const Data& data, int cls) {
    int found = 0;
    int total = 0;
    for (std::size_t i = 0; i < data.y.size(); ++i) {
        if (data.y[i] == cls) {
            ++total;
            found += ArgMax(head.Logits(data.x[i])) == cls ? 1 : 0;
        }
    }
    return static_cast<double>(found) / total;
}

TEST(SoftmaxHead, SeparatesBlobsAndScoresRowsItDidNotSeeAsWell) {
    const Data data = Blobs({100, 100, 100}, 8, 0.2, 1);
    const SoftmaxHead head = SoftmaxHead::Fit(data.x, data.y, 3);
    EXPECT_EQ(head.classes(), 3);
    EXPECT_EQ(head.dims(), 8);
    std::vector<std::vector<double>> fitted;
    for (const auto& row : data.x) {
        fitted.push_back(head.Logits(row));
    }
    EXPECT_GE(Accuracy(fitted, data.y), 0.99);
    const auto held_out = OutOfFoldLogits(data.x, data.y, 3, 5, 42);
    ASSERT_EQ(held_out.size(), data.x.size());
    for (const auto& z : held_out) {
        ASSERT_EQ(z.size(), 3u);
    }
    EXPECT_GE(Accuracy(held_out, data.y), 0.97);
    const Data fresh = Blobs({50, 50, 50}, 8, 0.2, 2);
    std::vector<std::vector<double>> scored;
    for (const auto& row : fresh.x) {
        scored.push_back(head.Logits(row));
    }
    EXPECT_GE(Accuracy(scored, fresh.y), 0.97);
}

TEST(SoftmaxHead, ClassWeightsKeepARareClassFromBeingIgnored) {
    // Overlapping classes, 19 to 1: unweighted, the rare one is mostly predicted as the common.
    const Data data = Blobs({950, 50}, 4, 0.6, 3);
    HeadOptions plain;
    plain.balance_classes = false;
    const double unweighted = RecallOf(SoftmaxHead::Fit(data.x, data.y, 2, plain), data, 1);
    const double weighted = RecallOf(SoftmaxHead::Fit(data.x, data.y, 2), data, 1);
    EXPECT_GT(weighted, unweighted + 0.2) << "unweighted " << unweighted;
}

TEST(SoftmaxHead, IsDeterministic) {
    const Data data = Blobs({30, 30}, 5, 0.5, 4);
    const SoftmaxHead a = SoftmaxHead::Fit(data.x, data.y, 2);
    const SoftmaxHead b = SoftmaxHead::Fit(data.x, data.y, 2);
    EXPECT_EQ(a.Logits(data.x[0]), b.Logits(data.x[0]));
    EXPECT_EQ(OutOfFoldLogits(data.x, data.y, 2, 3, 9), OutOfFoldLogits(data.x, data.y, 2, 3, 9));
}

TEST(SoftmaxHead, SkipsRowsItCannotUse) {
    Data data = Blobs({20, 20}, 3, 0.1, 5);
    data.x.push_back({1, 2});  // another width
    data.y.push_back(0);
    data.x.push_back({0, 0, 9});
    data.y.push_back(7);  // no such class
    const SoftmaxHead head = SoftmaxHead::Fit(data.x, data.y, 2);
    EXPECT_EQ(ArgMax(head.Logits({1, 0, 0})), 0);
    EXPECT_EQ(ArgMax(head.Logits({0, 1, 0})), 1);
    EXPECT_EQ(head.Logits({1, 2}), (std::vector<double>{0, 0}));  // not the head's width

    const SoftmaxHead empty = SoftmaxHead::Fit({}, {}, 3);
    EXPECT_EQ(empty.Logits({}), (std::vector<double>{0, 0, 0}));
}

}  // namespace
}  // namespace tessera::ml
