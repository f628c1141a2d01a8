#pragma once
// What both kinds of ML round (classification, services/ml_round_job.cpp; detection,
// services/ml_detection.cpp) need to know about the human labels they learn from.
#include <map>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/label_tree.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

// Each label path of the tree with its position in it.
std::map<std::string, int> TreeOrder(const LabelTree& tree);

// The classes a round learns: the labels that occur, in tree order, each with its index.
struct RoundClasses {
    std::vector<std::string> names;
    std::map<std::string, int> index;
};
RoundClasses ClassesInTreeOrder(const std::map<std::string, int>& order,
                                const std::vector<std::string>& occurring);

// Which of `items` were labeled blind: with no prelabel of the model on the item. The model
// only prelabels unlabeled items and a label never removes the prelabel it answered, so a
// labeled item with a model prelabel was shown it. Only blind labels judge the model.
Result<std::vector<bool>> LabeledBlind(Repository& repo, Id project_id,
                                       const std::vector<Item>& items);

}  // namespace tessera
