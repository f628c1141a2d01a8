#include "ml/similar_groups.hpp"

#include <hnswlib/hnswlib.h>
#include <algorithm>
#include <numeric>
#include <random>

#include "ml/classifier.hpp"

namespace tessera::ml {

namespace {

float Similarity(const std::vector<float>& a, const std::vector<float>& b) {
    return std::inner_product(a.begin(), a.end(), b.begin(), 0.0F);
}

// GroupingOptions::similarity_floor's level for the unit-length `rows` at `indexed` (which are
// in `index`).
float SimilarityFloor(const std::vector<std::vector<float>>& rows,
                      const std::vector<std::size_t>& indexed,
                      hnswlib::HierarchicalNSW<float>& index, const GroupingOptions& options) {
    if (indexed.size() < 3) {
        return -1;  // nothing to compare: every pair is as near as it gets
    }
    std::mt19937_64 random(options.seed);
    std::uniform_int_distribution<std::size_t> pick(0, indexed.size() - 1);
    double random_pairs = 0;
    std::vector<float> nearest;
    for (std::size_t s = 0; s < options.floor_samples; ++s) {
        const std::size_t a = indexed[pick(random)];
        std::size_t b = indexed[pick(random)];
        while (b == a) {
            b = indexed[pick(random)];
        }
        random_pairs += Similarity(rows[a], rows[b]);
        auto found = index.searchKnn(rows[a].data(), 2);  // itself and its nearest, farthest on top
        float best = -1;
        while (!found.empty()) {
            if (found.top().second != a) {
                best = std::max(best, 1.0F - found.top().first);  // distance: 1 - similarity
            }
            found.pop();
        }
        nearest.push_back(best);
    }
    random_pairs /= static_cast<double>(options.floor_samples);
    std::nth_element(nearest.begin(),
                     nearest.begin() + static_cast<std::ptrdiff_t>(nearest.size() / 2),
                     nearest.end());
    const double median = nearest[nearest.size() / 2];
    return static_cast<float>((random_pairs + median) / 2);
}

}  // namespace

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
    const float floor = options.similarity_floor && options.floor_samples > 0
                            ? SimilarityFloor(rows, indexed, index, options)
                            : -2.0F;  // below any cosine similarity
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
                // hnswlib's inner-product distance is 1 - similarity; nearest first.
                if (group.size() == size || 1.0F - distance < floor) {
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
