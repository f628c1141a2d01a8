#include "domain/label_edit.hpp"

#include <algorithm>

namespace tessera {
namespace {

bool IsUnder(const std::string& path, const std::string& root) {
    return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                            path[root.size()] == '/');
}

}  // namespace

std::string RenamedPath(const std::vector<LabelRename>& renames, const std::string& path) {
    // The deepest rename that covers the path wins (renames are sorted deepest first).
    for (const LabelRename& r : renames) {
        if (IsUnder(path, r.from)) {
            return r.to + path.substr(r.from.size());
        }
    }
    return path;
}

Result<LabelEditPlan> PlanLabelEdit(const LabelTree& old_tree, const LabelTree& new_tree,
                                    const std::map<std::string, std::string>& renames) {
    LabelEditPlan plan;
    for (const auto& [from, to] : renames) {
        if (!old_tree.Contains(from)) {
            return Error::InvalidArgument("rename: '" + from + "' is not a class of the project",
                                          "rename");
        }
        if (new_tree.Contains(from)) {
            return Error::InvalidArgument(
                "rename: '" + from + "' is still in the new labels; leave it out", "rename");
        }
        if (!new_tree.Contains(to)) {
            return Error::InvalidArgument("rename: '" + to + "' is not in the new labels",
                                          "rename");
        }
        if (old_tree.Contains(to)) {
            return Error::InvalidArgument(
                "rename: '" + to + "' already is a class; rename it first in a separate edit",
                "rename");
        }
        plan.renames.push_back({from, to});
    }
    std::stable_sort(plan.renames.begin(), plan.renames.end(),
                     [](const LabelRename& a, const LabelRename& b) {
                         return std::count(a.from.begin(), a.from.end(), '/') >
                                std::count(b.from.begin(), b.from.end(), '/');
                     });
    std::vector<std::string> moved_onto;
    for (const LabelNode& node : old_tree.nodes()) {
        if (new_tree.Contains(node.path)) {
            continue;
        }
        const std::string target = RenamedPath(plan.renames, node.path);
        if (target == node.path) {
            plan.removed.push_back(node.path);
            continue;
        }
        if (!new_tree.Contains(target)) {
            return Error::InvalidArgument("rename: '" + node.path + "' would become '" + target +
                                              "', which is not in the new labels",
                                          "rename");
        }
        moved_onto.push_back(target);
    }
    for (const LabelNode& node : new_tree.nodes()) {
        if (!old_tree.Contains(node.path) &&
            std::find(moved_onto.begin(), moved_onto.end(), node.path) == moved_onto.end()) {
            plan.added.push_back(node.path);
        }
    }
    return plan;
}

}  // namespace tessera
