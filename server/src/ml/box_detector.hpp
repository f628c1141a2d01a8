#pragma once
// A box detector trained on a project's own boxes (issue 10, point 7; docs/design/ml.md,
// "Boxes and polygons"): transfer learning on a frozen backbone's last feature map. Each cell
// of the map is a candidate: a softmax head says which class's object has its centre in the
// cell (or none), and a ridge regression from the same features says where the box lies
// around the cell. Detections are the cells above a floor, one per object after non-maximum
// suppression. Confidences are judged the way classification's are: out-of-fold detections on
// held-out images, matched to the human boxes at IoU >= 0.5, choose a threshold per class
// (ChooseClassThresholds). Plain C++ over floats: which network made the map is the caller's
// business.
#include <cstdint>
#include <vector>

#include "ml/backbone.hpp"
#include "ml/calibration.hpp"
#include "ml/softmax_head.hpp"

namespace tessera::ml {

// A box in normalized image coordinates: x, y its top-left corner, all in [0, 1].
struct NormBox {
    double x = 0;
    double y = 0;
    double w = 0;
    double h = 0;
};

double Iou(const NormBox& a, const NormBox& b);

struct ClassBox {
    NormBox box;
    int label = 0;  // in [0, classes)
};

struct Detection {
    NormBox box;
    int label = 0;
    double confidence = 0;  // the head's probability of `label` at the box's cell
};

struct DetectorOptions {
    // A box trains the cells whose centres lie in its central part, this share of its width and
    // height (and the cell of its centre in any case).
    double centre_share = 0.5;
    // The class head also sees the mean of each cell's eight neighbours.
    bool context = true;
    // Cells inside a box that it does not own (its edges) teach the head "no object centred
    // here", so an object's edge does not become a second, poorer box.
    bool edges_as_background = true;
    // Edge cells kept per object cell (a seeded sample). BCCD: better than all of them (white
    // AP 0.96 against 0.94, red 0.45 against 0.42) in two thirds of the time; 1 did as well
    // there but let the test's synthetic squares' edges through.
    double edges_per_object = 3;
    // Cells outside every box kept for the head, per object cell (a seeded sample of them).
    double background_per_object = 3.0;
    HeadOptions head{.l2 = 1e-4, .max_iterations = 300, .balance_classes = false};
    double ridge = 5;          // the box regression's L2 weight (BCCD: 5 and 1 alike, 0.01 worse)
    int min_class_boxes = 20;  // fewer cells of a class: it uses the regression of all classes
    double nms_iou = 0.45;
    double nms_containment = 0.7;
    double floor = 0.05;  // cells below this confidence are not candidates at all
    int max_detections = 200;
    int max_candidates = 300;  // the most confident cells an image, before suppression
    std::uint64_t seed = 7;
};

class BoxDetector {
public:
    // Fits on `maps[i]` with its human boxes `truth[i]` (empty: an image with nothing to find,
    // all background). Maps that are not valid or not of the first map's channel count are
    // skipped. `classes` is the number of box labels.
    static BoxDetector Fit(const std::vector<const FeatureMap*>& maps,
                           const std::vector<std::vector<ClassBox>>& truth, int classes,
                           const DetectorOptions& options = {});

    // Detections at or above `options.floor`, best first, after per-class non-maximum
    // suppression. None for a map of another channel count.
    std::vector<Detection> Detect(const FeatureMap& map) const;

    // The box of class `label` the cell at (row, col) would give, whatever its class scores.
    NormBox BoxAt(const FeatureMap& map, int row, int col, int label) const;

    int classes() const { return classes_; }
    int channels() const { return channels_; }
    std::int64_t object_cells() const { return object_cells_; }

private:
    std::vector<Detection> Candidates(const FeatureMap& map) const;
    NormBox Regress(const FeatureMap& map, int row, int col, const std::vector<float>& features,
                    int label) const;

    int classes_ = 0;
    int channels_ = 0;
    std::int64_t object_cells_ = 0;
    DetectorOptions options_;
    SoftmaxHead head_;  // classes_ + 1 outputs: 0 is background
    // Per class, (channels_ + 1) x 4 ridge weights: dx, dy, log w, log h.
    std::vector<std::vector<double>> offsets_;
};

// Each detection matched to the human boxes of its image: greedily by confidence, a detection
// is right when an unmatched human box of its label overlaps it at IoU >= `min_iou`.
std::vector<ClassScoredLabel> MatchDetections(const std::vector<Detection>& detections,
                                              const std::vector<ClassBox>& truth,
                                              double min_iou = 0.5);

// Detections on every image from a detector that did not see it: images are dealt into
// `folds` groups by a seeded shuffle, each scored by a detector fitted on the others. What the
// thresholds are chosen on.
std::vector<std::vector<Detection>> OutOfFoldDetections(
    const std::vector<const FeatureMap*>& maps, const std::vector<std::vector<ClassBox>>& truth,
    int classes, int folds, const DetectorOptions& options = {});

// A threshold per class, each chosen on that class's held-out detections alone
// (ChooseThreshold: the Wilson lower bound of their precision at or above it reaches the
// target). Unlike classification's ChooseClassThresholds there is no pooled cut first: each
// class of a detector is its own search (a white cell's box and a platelet's share nothing but
// the map), and when every class reaches the target so do all together.
ClassThresholds ChooseDetectionThresholds(const std::vector<ClassScoredLabel>& held_out,
                                          int classes, const ThresholdRule& rule);

}  // namespace tessera::ml
