#pragma once
// Pixel sets as runs over the row-major pixel index (i = y * width + x): what semantic masks are
// stored as, and the set operations that merge shapes into one class per pixel. Work is
// proportional to the number of runs and polygon edges, never to the image's pixel count, so a
// 40,000 x 40,000 image costs no more than a small one with the same shapes.
#include <cstdint>
#include <vector>

#include "base/result.hpp"
#include "domain/shapes.hpp"

namespace tessera {

// Sorted, non-overlapping, non-adjacent [start, start + length) runs stored as flat
// start, length pairs (the MaskRle::runs form).
using Runs = std::vector<std::int64_t>;

// Validates raw runs (even count, start >= 0, length > 0, inside [0, pixel_count)) and returns
// them sorted and merged. Overlapping or touching input runs are merged, not rejected.
Result<Runs> NormalizeRuns(const std::vector<std::int64_t>& raw, std::int64_t pixel_count);

Runs UnionRuns(const Runs& a, const Runs& b);
Runs SubtractRuns(const Runs& a, const Runs& b);  // pixels of a not in b
bool RunsIntersect(const Runs& a, const Runs& b);
std::int64_t RunsArea(const Runs& runs);

// Even-odd scanline fill sampled at pixel centres: pixel (x, y) is inside when the point
// (x + 0.5, y + 0.5) is inside the polygon under the even-odd rule across all its rings (so a
// ring inside another is a hole). Edges are half-open in y, so pixels on a shared edge between
// two polygons belong to exactly one of them. Points may lie outside the image; the result is
// clipped to it.
Runs RasterizePolygon(const Polygon& polygon, ImageSize size);

}  // namespace tessera
