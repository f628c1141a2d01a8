#pragma once
// The part of shape validation that needs no image: labels in the tree and shape kinds the task
// type draws. Drafts use it alone, since a draft's geometry may still be unfinished.
#include <vector>

#include "base/result.hpp"
#include "domain/label_tree.hpp"
#include "domain/shapes.hpp"
#include "domain/task_type.hpp"

namespace tessera {

// kInvalidArgument naming the shape ("shapes[2]: label 'X' is not in this project").
Status CheckShapeLabels(TaskType type, const LabelTree& tree, const std::vector<Shape>& shapes);

}  // namespace tessera
