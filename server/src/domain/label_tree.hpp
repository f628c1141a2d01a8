#pragma once
// The project's label classes: a tree up to kMaxDepth levels. Any node can be chosen; a label is
// named by its path ("Animal/Cat"). The first nine nodes in display order (depth-first, in the
// order given) get keyboard keys 1-9.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace tessera {

struct LabelSpec {
    std::string name;
    std::vector<LabelSpec> children;
};

struct LabelNode {
    std::string path;        // "Animal/Cat"
    std::string name;        // "Cat"
    int depth = 0;           // 0 for top level
    int order = 0;           // position in depth-first display order
    std::optional<int> key;  // 1-9 for the first nine
};

class LabelTree {
public:
    static constexpr int kMaxDepth = 6;
    static constexpr std::size_t kMaxNameLength = 100;
    static constexpr std::size_t kMaxLabels = 10000;

    // Validates names (non-empty after trimming, no '/', no control characters, at most
    // kMaxNameLength bytes), sibling uniqueness (case-insensitive) and depth.
    static Result<LabelTree> Build(const std::vector<LabelSpec>& roots);
    // From the API/storage JSON form: [{"name": "Animal", "children": [...]}, ...].
    static Result<LabelTree> FromJson(const nlohmann::json& labels);

    nlohmann::json ToJson() const;
    const std::vector<LabelSpec>& roots() const { return roots_; }
    const std::vector<LabelNode>& nodes() const { return nodes_; }
    bool Contains(std::string_view path) const;
    bool empty() const { return nodes_.empty(); }

private:
    std::vector<LabelSpec> roots_;
    std::vector<LabelNode> nodes_;
};

struct Project;

// The tree stored with a project (Project::labels_json). Stored trees were valid when saved,
// so a bad one is kInternal ("stored label tree of project N is not valid JSON"), never a
// silent empty tree.
Result<LabelTree> LabelTreeOf(const Project& project);

}  // namespace tessera
