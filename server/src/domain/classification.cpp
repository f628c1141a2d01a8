#include "domain/classification.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

Result<std::vector<std::string>> ValidateClassification(TaskType type, const LabelTree& tree,
                                                        const std::vector<std::string>& labels) {
    if (!IsClassification(type)) {
        return Error::InvalidArgument("this project draws shapes; send \"shapes\", not \"labels\"",
                                      "labels");
    }
    for (const auto& label : labels) {
        if (!tree.Contains(label)) {
            return Error::InvalidArgument("label '" + label + "' is not in this project", "labels");
        }
    }
    std::vector<std::string> ordered;
    for (const auto& node : tree.nodes()) {
        for (const auto& label : labels) {
            if (label == node.path) {
                ordered.push_back(node.path);
                break;
            }
        }
    }
    if (ordered.empty()) {
        return Error::InvalidArgument("at least one label is required", "labels");
    }
    if (type == TaskType::kMulticlass && ordered.size() != 1) {
        return Error::InvalidArgument("a multi-class item takes exactly one label", "labels");
    }
    return ordered;
}

std::string ClassificationPayload(const std::vector<std::string>& labels) {
    return nlohmann::json{{"labels", labels}}.dump();
}

Result<std::vector<std::string>> ParseClassificationPayload(const std::string& payload_json) {
    auto j = nlohmann::json::parse(payload_json, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("labels") || !j["labels"].is_array()) {
        return Error::Internal("stored classification payload is malformed");
    }
    std::vector<std::string> out;
    for (const auto& v : j["labels"]) {
        if (!v.is_string()) {
            return Error::Internal("stored classification payload is malformed");
        }
        out.push_back(v.get<std::string>());
    }
    return out;
}

}  // namespace tessera
