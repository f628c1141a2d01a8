#include "services/ml_labels.hpp"

#include <set>

#include "services/id_chunks.hpp"

namespace tessera {

std::map<std::string, int> TreeOrder(const LabelTree& tree) {
    std::map<std::string, int> order;
    for (const LabelNode& node : tree.nodes()) {
        order.emplace(node.path, node.order);
    }
    return order;
}

RoundClasses ClassesInTreeOrder(const std::map<std::string, int>& order,
                                const std::vector<std::string>& occurring) {
    std::map<int, std::string> by_order;
    for (const std::string& label : occurring) {
        if (auto it = order.find(label); it != order.end()) {
            by_order.emplace(it->second, label);
        }
    }
    RoundClasses classes;
    for (const auto& [position, label] : by_order) {
        classes.index.emplace(label, static_cast<int>(classes.names.size()));
        classes.names.push_back(label);
    }
    return classes;
}

Result<std::vector<bool>> LabeledBlind(Repository& repo, Id project_id,
                                       const std::vector<Item>& items) {
    std::vector<bool> blind(items.size(), true);
    TESSERA_TRY(ForEachIdChunk(items, [&](std::size_t begin, const std::vector<Id>& ids) -> Status {
        TESSERA_ASSIGN_OR_RETURN(std::vector<Annotation> prelabels,
                                 repo.GetPrelabels(project_id, ids));
        std::set<Id> shown;
        for (const Annotation& a : prelabels) {
            if (a.ml_round_id) {
                shown.insert(a.item_id);
            }
        }
        for (std::size_t k = 0; k < ids.size(); ++k) {
            blind[begin + k] = shown.count(ids[k]) == 0;
        }
        return Status::Ok();
    }));
    return blind;
}

}  // namespace tessera
