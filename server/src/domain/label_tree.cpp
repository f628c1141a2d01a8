#include "domain/label_tree.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "base/text.hpp"
#include "domain/model.hpp"

namespace tessera {
namespace {

Status CheckName(const std::string& name, const std::string& where) {
    if (name.empty()) {
        return Error::InvalidArgument("label name is empty" + where, "labels");
    }
    if (name.size() > LabelTree::kMaxNameLength) {
        return Error::InvalidArgument("label name is longer than 100 characters: " + name,
                                      "labels");
    }
    for (unsigned char c : name) {
        if (c == '/') {
            return Error::InvalidArgument("label name may not contain '/': " + name, "labels");
        }
        if (c < 0x20 || c == 0x7F) {
            return Error::InvalidArgument("label name has a control character" + where, "labels");
        }
    }
    return Status::Ok();
}

struct Builder {
    std::vector<LabelNode> nodes;

    Result<std::vector<LabelSpec>> Walk(const std::vector<LabelSpec>& specs,
                                        const std::string& parent, int depth) {
        if (depth >= LabelTree::kMaxDepth && !specs.empty()) {
            return Error::InvalidArgument(
                "labels are nested deeper than 6 levels under '" + parent + "'", "labels");
        }
        std::vector<LabelSpec> cleaned;
        std::set<std::string> seen;
        for (const auto& spec : specs) {
            std::string name = Trim(spec.name, kBlanks);
            std::string where = parent.empty() ? " at the top level" : " under '" + parent + "'";
            TESSERA_TRY(CheckName(name, where));
            if (!seen.insert(Lower(name)).second) {
                return Error::InvalidArgument("duplicate label '" + name + "'" + where, "labels");
            }
            if (nodes.size() >= LabelTree::kMaxLabels) {
                return Error::InvalidArgument("more than 10000 labels", "labels");
            }
            LabelNode node;
            node.name = name;
            node.path = parent.empty() ? name : parent + "/" + name;
            node.depth = depth;
            node.order = static_cast<int>(nodes.size());
            if (node.order < 9) {
                node.key = node.order + 1;
            }
            std::string path = node.path;
            nodes.push_back(std::move(node));
            TESSERA_ASSIGN_OR_RETURN(auto children, Walk(spec.children, path, depth + 1));
            cleaned.push_back(LabelSpec{name, std::move(children)});
        }
        return cleaned;
    }
};

Result<std::vector<LabelSpec>> SpecsFromJson(const nlohmann::json& j, int depth) {
    if (!j.is_array()) {
        return Error::InvalidArgument("labels must be an array", "labels");
    }
    if (depth > LabelTree::kMaxDepth) {
        return Error::InvalidArgument("labels are nested deeper than 6 levels", "labels");
    }
    std::vector<LabelSpec> out;
    for (const auto& item : j) {
        LabelSpec spec;
        if (item.is_string()) {
            spec.name = item.get<std::string>();
        } else if (item.is_object() && item.contains("name") && item["name"].is_string()) {
            spec.name = item["name"].get<std::string>();
            if (item.contains("children") && !item["children"].is_null()) {
                TESSERA_ASSIGN_OR_RETURN(spec.children, SpecsFromJson(item["children"], depth + 1));
            }
        } else {
            return Error::InvalidArgument("each label must be a string or {\"name\", \"children\"}",
                                          "labels");
        }
        out.push_back(std::move(spec));
    }
    return out;
}

nlohmann::json SpecsToJson(const std::vector<LabelSpec>& specs) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& spec : specs) {
        nlohmann::json node{{"name", spec.name}};
        if (!spec.children.empty()) {
            node["children"] = SpecsToJson(spec.children);
        }
        arr.push_back(std::move(node));
    }
    return arr;
}

}  // namespace

Result<LabelTree> LabelTree::Build(const std::vector<LabelSpec>& roots) {
    Builder builder;
    TESSERA_ASSIGN_OR_RETURN(auto cleaned, builder.Walk(roots, "", 0));
    LabelTree tree;
    tree.roots_ = std::move(cleaned);
    tree.nodes_ = std::move(builder.nodes);
    return tree;
}

Result<LabelTree> LabelTree::FromJson(const nlohmann::json& labels) {
    TESSERA_ASSIGN_OR_RETURN(auto specs, SpecsFromJson(labels, 0));
    return Build(specs);
}

nlohmann::json LabelTree::ToJson() const {
    return SpecsToJson(roots_);
}

bool LabelTree::Contains(std::string_view path) const {
    return std::any_of(nodes_.begin(), nodes_.end(),
                       [&](const LabelNode& n) { return n.path == path; });
}

Result<LabelTree> LabelTreeOf(const Project& project) {
    auto parsed = nlohmann::json::parse(project.labels_json, nullptr, false);
    if (parsed.is_discarded()) {
        return Error::Internal("stored label tree of project " + std::to_string(project.id) +
                               " is not valid JSON");
    }
    return LabelTree::FromJson(parsed);
}

}  // namespace tessera
