#include "ml/similar_groups.hpp"

#include <hnswlib/hnswlib.h>
#include <algorithm>

#include "ml/classifier.hpp"

namespace tessera::ml {

std::vector<std::vector<std::size_t>> GroupSimilar(std::vector<std::vector<float>> rows,
                                                   const GroupingOptions& options) {
    std::vector<std::vector<std::size_t>> groups;
    if (rows.empty()) {
        return groups;
    }
    const std::size_t dims = rows.front().size();
    if (dims == 0) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            groups.push_back({i});
        }
        return groups;
    }
    const std::size_t size = std::max<std::size_t>(options.group_size, 1);
    std::vector<bool> grouped(rows.size(), false);
    // Rows of another width than the first cannot be compared: each is a group of its own.
    std::vector<std::size_t> indexed;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() == dims) {
            NormalizeL2(rows[i]);
            indexed.push_back(i);
        }
    }
    hnswlib::InnerProductSpace space(dims);
    // M = 16 links a node, ef = 100 while building: hnswlib's usual settings for recall near
    // one; the greedy grouping only needs near neighbours, not the exact nearest.
    hnswlib::HierarchicalNSW<float> index(&space, std::max<std::size_t>(indexed.size(), 1), 16, 100,
                                          options.seed);
    for (const std::size_t i : indexed) {
        index.addPoint(rows[i].data(), i);
    }
    index.setEf(std::max<std::size_t>(options.neighbours, size));
    const std::size_t k = std::min(indexed.size(), std::max(options.neighbours, size));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (grouped[i]) {
            continue;
        }
        grouped[i] = true;
        std::vector<std::size_t> group{i};
        if (rows[i].size() == dims && k > 0) {
            auto found = index.searchKnn(rows[i].data(), k);  // farthest on top
            std::vector<std::pair<float, std::size_t>> nearest;
            while (!found.empty()) {
                nearest.emplace_back(found.top().first,
                                     static_cast<std::size_t>(found.top().second));
                found.pop();
            }
            std::sort(nearest.begin(), nearest.end());
            for (const auto& [distance, j] : nearest) {
                if (group.size() == size) {
                    break;
                }
                if (!grouped[j]) {
                    grouped[j] = true;
                    group.push_back(j);
                }
            }
        }
        groups.push_back(std::move(group));
    }
    return groups;
}

}  // namespace tessera::ml
