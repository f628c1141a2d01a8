#pragma once
// Similar images on the same page (issue 10, point 6; docs/design/ml.md, "Clustering"): groups
// of nearest neighbours in feature space, found with an HNSW index (hnswlib, Debian's
// libhnswlib-dev), so a grid of 4, 6 or 9 shows images that one keystroke can tag together.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::ml {

struct GroupingOptions {
    std::size_t group_size = 9;   // the largest grid
    std::size_t neighbours = 40;  // asked of the index per group; the taken ones are skipped
    std::uint64_t seed = 20261207;
};

// Partitions the rows (feature vectors of one width; each is scaled to unit length, so
// nearness is cosine similarity) into groups of at most `group_size`, greedily in row order:
// the first row not yet grouped starts a group and takes its nearest rows not yet grouped.
// Every row is in exactly one group; the groups come in the order of their first row, and
// within a group the first row leads, then its neighbours nearest first. Deterministic.
std::vector<std::vector<std::size_t>> GroupSimilar(std::vector<std::vector<float>> rows,
                                                   const GroupingOptions& options = {});

}  // namespace tessera::ml
