#pragma once
// What changing a running project's label tree means for its stored work: which classes are
// renamed (their subclasses move with them), which disappear and which are new. Pure; the
// service checks the result against the counters and the repository applies it.
#include <map>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/label_tree.hpp"

namespace tessera {

// One rename as the repository applies it: `from` and every path under "from/" become `to`
// and the same path under "to/".
struct LabelRename {
    std::string from;
    std::string to;
};

struct LabelEditPlan {
    // Deepest first, so a subclass renamed on its own is moved before its parent's rename
    // would move it.
    std::vector<LabelRename> renames;
    std::vector<std::string> removed;  // old paths that neither stay nor move, display order
    std::vector<std::string> added;    // new paths nothing moves onto, display order
};

// `renames` maps old paths to new paths. Each old path must be in `old_tree` and no longer in
// `new_tree`; each new path must be in `new_tree` and not in `old_tree` (no swaps or chains:
// do them in two edits); every old path a rename moves must land on a path of `new_tree`.
// kInvalidArgument naming "rename" otherwise.
Result<LabelEditPlan> PlanLabelEdit(const LabelTree& old_tree, const LabelTree& new_tree,
                                    const std::map<std::string, std::string>& renames);

// Where `path` ends up under `plan`'s renames (itself when none applies).
std::string RenamedPath(const std::vector<LabelRename>& renames, const std::string& path);

}  // namespace tessera
