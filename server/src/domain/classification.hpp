#pragma once
// Rules for a classification answer: multi-class takes exactly one label, multi-label at least
// one; every label must be a path in the project's tree.
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/label_tree.hpp"
#include "domain/task_type.hpp"

namespace tessera {

// Returns the labels deduplicated and in the tree's display order.
Result<std::vector<std::string>> ValidateClassification(TaskType type, const LabelTree& tree,
                                                        const std::vector<std::string>& labels);

// Canonical payload stored in Annotation::payload_json: {"labels":[...]}.
std::string ClassificationPayload(const std::vector<std::string>& labels);
Result<std::vector<std::string>> ParseClassificationPayload(const std::string& payload_json);

}  // namespace tessera
