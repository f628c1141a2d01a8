#pragma once
// An ML assist round for bounding-box and polygon projects (issue 10, point 7;
// docs/design/ml.md, "Boxes and polygons"): the same four stages as classification's, on
// feature maps instead of embeddings.
//   Featurization: each human-labeled image (a seeded sample of at most max_training_images)
//     is decoded at `side` pixels on its long side and run through the backbone to its last
//     feature map. Maps are not stored: one is 2 MB at 640 x 480, the database would not hold
//     a project's worth; a round recomputes them (about 0.14 s an image on 2 cores).
//   Training: ml::BoxDetector, out of fold (images dealt into folds) and then on all images.
//   Validation: the out-of-fold detections on images labeled blind (no model prelabel shown)
//     matched to the human boxes at IoU >= 0.5; a threshold per class (Wilson bound).
//   Inference: the front of the queue (`window` items) is detected; boxes at or above their
//     class's threshold become the item's prelabel; polygon projects get each box outlined
//     (OutlineInImage, GrabCut), the box's rectangle where no outline is found.
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "blobs/source_file.hpp"
#include "jobs/job_runner.hpp"
#include "ml/backbone.hpp"
#include "ml/box_detector.hpp"
#include "services/datasource_opener.hpp"
#include "services/ml_featurizer.hpp"
#include "services/ml_round_run.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct DetectionSettings {
    // The long side, in pixels, images are fed to the backbone at (both sides rounded to a
    // multiple of 32): 640 gives a 20 x 15 map for a 4:3 image, a cell per 32 pixels.
    int side = 640;
    // Images a round trains on at most (a sample by item id, the same in every round). Their
    // maps are held in memory: 2.1 MB each at 640 x 480, so 250 take about 540 MB.
    int max_training_images = 250;
    // The front of the queue a round prelabels: each image costs a map (about 0.14 s).
    int window = 300;
    int folds = 3;
    int run_length = 9;  // as MlRoundSettings::run_length
    ml::DetectorOptions detector;
};

// A detection round's stages, run in order by MlRoundJob on `run`'s round (as RoundStages for
// classification). `backbone` must give feature maps.
class DetectionRound {
public:
    DetectionRound(const RoundScope& scope, const DetectionSettings& settings, MlBackbone backbone,
                   DatasourceOpener* opener);

    Result<StageEnd> Featurize();
    Result<StageEnd> Train();
    Status Validate();
    Result<std::string> Infer();

private:
    // The item's feature map; `file` is left open on it (the outline reads it again).
    Result<ml::FeatureMap> MapOf(const Item& item, std::optional<SourceFile>& file);

    RoundScope scope_;
    const DetectionSettings& settings_;
    MlBackbone backbone_;
    DatasourceOpener* opener_;

    std::vector<std::string> names_;  // the box labels that occur, in tree order
    std::vector<Item> items_;         // the training images, with their maps and boxes
    std::vector<ml::FeatureMap> maps_;
    std::vector<std::vector<ml::ClassBox>> boxes_;
    std::vector<bool> blind_;
    std::int64_t all_images_ = 0;
    std::int64_t skipped_shapes_ = 0;
    std::vector<std::vector<ml::Detection>> held_out_;  // out-of-fold, per training image
    ml::BoxDetector detector_;
    ml::ClassThresholds thresholds_;
};

}  // namespace tessera
