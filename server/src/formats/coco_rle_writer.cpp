#include "formats/coco_rle_writer.hpp"

namespace tessera {

Status ForEachColumnMajorCount(const std::vector<RowSpan>& spans, int width, int height,
                               const std::function<Status(std::int64_t)>& emit) {
    std::vector<std::size_t> cursor(static_cast<std::size_t>(height) + 1, spans.size());
    // cursor[y] starts at row y's first span; rows without spans point past their range.
    std::vector<std::size_t> row_end(static_cast<std::size_t>(height), 0);
    for (std::size_t i = spans.size(); i-- > 0;) {
        cursor[spans[i].y] = i;
    }
    for (std::size_t i = 0; i < spans.size(); ++i) {
        row_end[spans[i].y] = i + 1;
    }
    Bounds b = ShapeBounds(spans);
    int first_column = static_cast<int>(b.x0);
    int end_column = static_cast<int>(b.x1);
    bool value = false;
    std::int64_t run = 0;
    for (int x = 0; x < width; ++x) {
        if (spans.empty() || x < first_column || x >= end_column) {
            if (value) {
                TESSERA_TRY(emit(run));
                value = false;
                run = 0;
            }
            run += height;
            continue;
        }
        for (int y = 0; y < height; ++y) {
            std::size_t& c = cursor[y];
            while (c < row_end[y] && spans[c].x1 <= x) {
                ++c;
            }
            bool on = c < row_end[y] && spans[c].x0 <= x;
            if (on == value) {
                ++run;
            } else {
                TESSERA_TRY(emit(run));
                value = on;
                run = 1;
            }
        }
    }
    return emit(run);
}

}  // namespace tessera
