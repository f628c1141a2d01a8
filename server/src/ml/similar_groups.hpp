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
    // Whether a row joins a group only when its cosine similarity to the group's first row is
    // at least halfway between that of two rows drawn at random (the mean of `floor_samples`
    // seeded pairs) and that of a row and its nearest neighbour (the median over
    // `floor_samples` rows). Without it the last rows of a window, whose near neighbours are
    // taken, are grouped with whatever is left. Halfway adapts to the features: CNN features
    // are all positive, so even unlike images have a similarity well above zero.
    bool similarity_floor = true;
    std::size_t floor_samples = 256;
};

// Partitions the rows (feature vectors of one width; each is scaled to unit length, so
// nearness is cosine similarity) into groups of at most `group_size`, greedily in row order:
// the first row not yet grouped starts a group and takes its nearest rows not yet grouped that
// reach the similarity floor (see GroupingOptions).
// Every row is in exactly one group; the groups come in the order of their first row, and
// within a group the first row leads, then its neighbours nearest first. Deterministic.
std::vector<std::vector<std::size_t>> GroupSimilar(std::vector<std::vector<float>> rows,
                                                   const GroupingOptions& options = {});

}  // namespace tessera::ml
