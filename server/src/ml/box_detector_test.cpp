#include "ml/box_detector.hpp"

#include <gtest/gtest.h>

#include <random>

namespace tessera::ml {
namespace {

// A synthetic feature map of 8 x 8 cells in which each object is a 3 x 3 block of cells of its
// class's "colour" (a direction in the 6 channels), and each cell also sees its four
// neighbours' colours (as a CNN cell sees past its own pixels).
struct Scene {
    FeatureMap map;
    std::vector<ClassBox> truth;
};

Scene MakeScene(std::mt19937& random, int objects) {
    constexpr int kCells = 8;
    std::vector<int> colour(static_cast<std::size_t>(kCells) * kCells,
                            0);  // 0 background, 1 + class
    Scene scene;
    std::uniform_int_distribution<int> corner(0, kCells - 3);
    while (static_cast<int>(scene.truth.size()) < objects) {
        const int r = corner(random);
        const int c = corner(random);
        bool free = true;
        for (int dr = 0; dr < 3; ++dr) {
            for (int dc = 0; dc < 3; ++dc) {
                free = free && colour[(r + dr) * kCells + c + dc] == 0;
            }
        }
        if (!free) {
            continue;
        }
        const int label = static_cast<int>(scene.truth.size()) % 2;
        for (int dr = 0; dr < 3; ++dr) {
            for (int dc = 0; dc < 3; ++dc) {
                colour[(r + dr) * kCells + c + dc] = 1 + label;
            }
        }
        scene.truth.push_back({NormBox{c / 8.0, r / 8.0, 3 / 8.0, 3 / 8.0}, label});
    }
    std::normal_distribution<float> noise(0.0F, 0.05F);
    scene.map.channels = 15;
    scene.map.width = kCells;
    scene.map.height = kCells;
    scene.map.values.reserve(static_cast<std::size_t>(kCells) * kCells * 15);
    const int around[5][2] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};
    for (int r = 0; r < kCells; ++r) {
        for (int c = 0; c < kCells; ++c) {
            for (const auto& d : around) {
                const int rr = std::clamp(r + d[0], 0, kCells - 1);
                const int cc = std::clamp(c + d[1], 0, kCells - 1);
                const int k = colour[rr * kCells + cc];
                for (int ch = 0; ch < 3; ++ch) {
                    scene.map.values.push_back((ch == k ? 1.0F : 0.1F) + noise(random));
                }
            }
        }
    }
    return scene;
}

std::vector<Scene> MakeScenes(int count, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::vector<Scene> scenes;
    scenes.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        scenes.push_back(MakeScene(random, 2));
    }
    return scenes;
}

// The scenes as Fit takes them: their maps and their boxes.
std::pair<std::vector<const FeatureMap*>, std::vector<std::vector<ClassBox>>> Inputs(
    const std::vector<Scene>& scenes) {
    std::pair<std::vector<const FeatureMap*>, std::vector<std::vector<ClassBox>>> out;
    for (const Scene& s : scenes) {
        out.first.push_back(&s.map);
        out.second.push_back(s.truth);
    }
    return out;
}

TEST(BoxDetectorTest, IouOfBoxes) {
    EXPECT_DOUBLE_EQ(Iou({0, 0, 0.5, 0.5}, {0, 0, 0.5, 0.5}), 1.0);
    EXPECT_DOUBLE_EQ(Iou({0, 0, 0.5, 0.5}, {0.5, 0.5, 0.5, 0.5}), 0.0);
    EXPECT_NEAR(Iou({0, 0, 0.4, 0.4}, {0.2, 0, 0.4, 0.4}), 0.5 / 1.5, 1e-12);
    EXPECT_DOUBLE_EQ(Iou({0, 0, 0, 0}, {0, 0, 0, 0}), 0.0);
}

TEST(BoxDetectorTest, FindsEveryObjectOfUnseenScenesWithItsClass) {
    const std::vector<Scene> train = MakeScenes(60, 1);
    const auto [maps, truth] = Inputs(train);
    const BoxDetector detector = BoxDetector::Fit(maps, truth, 2);
    EXPECT_EQ(detector.object_cells(), 120);
    int found = 0;
    int wrong = 0;
    for (const Scene& s : MakeScenes(20, 2)) {
        // Each scene holds two objects: its two surest detections should be them.
        std::vector<Detection> confident = detector.Detect(s.map);
        confident.resize(std::min<std::size_t>(confident.size(), 2));
        for (const ClassScoredLabel& m : MatchDetections(confident, s.truth)) {
            (m.correct ? found : wrong) += 1;
        }
    }
    EXPECT_GE(found, 38);  // of 40 objects
    EXPECT_LE(wrong, 2);
}

TEST(BoxDetectorTest, AMapOfAnotherWidthGivesNoDetections) {
    const std::vector<Scene> train = MakeScenes(10, 3);
    const auto [maps, truth] = Inputs(train);
    const BoxDetector detector = BoxDetector::Fit(maps, truth, 2);
    FeatureMap other{4, 2, 2, std::vector<float>(16, 1.0F)};
    EXPECT_TRUE(detector.Detect(other).empty());
    EXPECT_TRUE(BoxDetector{}.Detect(train[0].map).empty());  // never fitted
}

TEST(BoxDetectorTest, MatchingIsGreedyByConfidenceAndEachHumanBoxCountsOnce) {
    const std::vector<ClassBox> truth{{{0.1, 0.1, 0.2, 0.2}, 0}, {{0.6, 0.6, 0.2, 0.2}, 1}};
    const std::vector<Detection> detections{
        {{0.1, 0.1, 0.2, 0.2}, 0, 0.6},    // right, but a surer duplicate takes the box
        {{0.11, 0.1, 0.2, 0.2}, 0, 0.9},   // right
        {{0.6, 0.6, 0.2, 0.2}, 0, 0.8},    // the right place, the wrong class
        {{0.3, 0.3, 0.05, 0.05}, 1, 0.7},  // nothing there
    };
    const std::vector<ClassScoredLabel> m = MatchDetections(detections, truth);
    ASSERT_EQ(m.size(), 4U);
    EXPECT_DOUBLE_EQ(m[0].confidence, 0.9);
    EXPECT_TRUE(m[0].correct);
    EXPECT_FALSE(m[1].correct);  // 0.8: wrong class
    EXPECT_FALSE(m[2].correct);  // 0.7: nothing
    EXPECT_FALSE(m[3].correct);  // 0.6: the box was taken
}

TEST(BoxDetectorTest, OutOfFoldDetectionsCoverEveryImageAndRepeat) {
    const std::vector<Scene> train = MakeScenes(30, 4);
    const auto [maps, truth] = Inputs(train);
    const auto first = OutOfFoldDetections(maps, truth, 2, 3);
    const auto again = OutOfFoldDetections(maps, truth, 2, 3);
    ASSERT_EQ(first.size(), 30U);
    std::int64_t right = 0;
    for (std::size_t i = 0; i < first.size(); ++i) {
        ASSERT_EQ(first[i].size(), again[i].size());
        for (const ClassScoredLabel& m : MatchDetections(first[i], truth[i])) {
            right += m.correct ? 1 : 0;
        }
    }
    EXPECT_GE(right, 55);  // of 60 objects, found by detectors that never saw their image
}

TEST(BoxDetectorTest, ThresholdsPerClassEachOnItsOwnDetections) {
    std::vector<ClassScoredLabel> held_out;
    held_out.reserve(400);
    for (int i = 0; i < 200; ++i) {  // class 0: right whenever confident
        held_out.push_back({0, 0.5 + i / 400.0, i >= 40});
    }
    for (int i = 0; i < 200; ++i) {  // class 1: wrong one time in four at any confidence
        held_out.push_back({1, 0.5 + i / 400.0, i % 4 != 0});
    }
    ThresholdRule rule;
    rule.target_precision = 0.9;
    const ClassThresholds t = ChooseDetectionThresholds(held_out, 2, rule);
    ASSERT_TRUE(t.per_class[0].has_value());
    // As low as the bound allows: a few of the wrong ones below 0.6 may come in with it.
    EXPECT_GT(*t.per_class[0], 0.5);
    EXPECT_LE(*t.per_class[0], 0.6);
    EXPECT_FALSE(t.per_class[1].has_value());
    EXPECT_TRUE(t.why_none.empty());
    EXPECT_GE(t.lower_bound, 0.9);

    const ClassThresholds few =
        ChooseDetectionThresholds({{0, 0.99, true}, {0, 0.98, true}}, 2, rule);
    EXPECT_FALSE(few.lowest().has_value());
    EXPECT_FALSE(few.why_none.empty());
}

}  // namespace
}  // namespace tessera::ml
