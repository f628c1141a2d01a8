#pragma once
// COCO's uncompressed RLE: run lengths over the column-major pixel index (i = x * height + y),
// alternating background and foreground, starting with background (possibly 0).
#include <cstdint>
#include <functional>
#include <vector>

#include "formats/export_image.hpp"

namespace tessera {

// Calls `emit` with each count in order. `spans` as MaskRowSpans returns them (sorted by row,
// then x). Memory: two integers per image row; time: width * height within the mask's bounds.
Status ForEachColumnMajorCount(const std::vector<RowSpan>& spans, int width, int height,
                               const std::function<Status(std::int64_t)>& emit);

}  // namespace tessera
