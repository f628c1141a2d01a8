#pragma once
// The Training stage's choice of features (issue 10, point 3: "which features a project uses is
// decided by validation on its own labels"; docs/design/ml.md, "Heads and calibration"). Each
// candidate feature set (every backbone alone, and all of them side by side) is validated with
// out-of-fold heads on the project's labels; the one whose held-out predictions cover the most
// labels at the target precision wins (then the more accurate), and its final head is fitted.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/model.hpp"
#include "ml/classifier.hpp"
#include "services/ml_featurizer.hpp"
#include "storage/repository.hpp"

namespace tessera {

// Rows of features for the items `item_ids` from `backbones`' stored embeddings, side by side, each
// embedding scaled to unit length first (so a wide one does not outweigh a narrow one). Items
// lacking any of them are left out.
Result<std::map<Id, std::vector<float>>> LoadFeatureRows(Repository& repo, Id project_id,
                                                         const std::vector<MlBackbone>& backbones,
                                                         const std::vector<Id>& item_ids);

// The labels to learn from: item, its classes (indexes; one for multi-class), and whether the
// label was given blind (it judges the model; see CalibratedClassifier::Fit).
struct LabeledItems {
    std::vector<Item> items;
    std::vector<std::vector<int>> classes;
    std::vector<bool> blind;
    int class_count = 0;
    bool multi_label = false;  // MultiLabelClassifier, else CalibratedClassifier
};

struct FeatureCandidate {
    std::string name;  // the backbones' names joined by "+"
    std::int64_t rows = 0;
    ml::ClassifierValidation validation;
};

struct TrainedClassifier {
    std::vector<MlBackbone> features;  // the chosen backbones
    std::string features_name;
    std::string features_id;  // their ids joined by "+": what the round records
    std::unique_ptr<ml::Classifier> classifier;
    std::int64_t rows = 0;                     // labels trained on (those with features)
    std::vector<FeatureCandidate> candidates;  // as validated, in the order tried
};

struct TrainingOptions {
    ml::ClassifierOptions classifier;
    // Candidates are compared on at most this many labels (an even spread of them); the
    // winner is then validated and fitted on all. Comparing costs a 5-fold fit per candidate.
    int compare_on_labels = 5000;
};

// Chooses the features and fits the classifier on them. With one backbone there is nothing to
// choose: it is validated and fitted directly.
Result<TrainedClassifier> TrainClassifier(Repository& repo, Id project_id,
                                          const std::vector<MlBackbone>& backbones,
                                          const LabeledItems& labels,
                                          const TrainingOptions& options);

}  // namespace tessera
