#include "formats/mask_outline.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

namespace tessera {

namespace {

struct RowSpan {
    std::int64_t y = 0;
    std::int64_t x0 = 0;  // first pixel
    std::int64_t x1 = 0;  // one past the last pixel
};

using Spans = std::vector<std::pair<std::int64_t, std::int64_t>>;  // [x0, x1) in one row

// The mask's pixels row by row: runs may wrap past a row's end, and overlapping or touching
// runs are merged, so each row holds sorted, disjoint, non-touching spans.
std::map<std::int64_t, Spans> RowsOf(const MaskRle& mask, int width) {
    std::vector<RowSpan> pieces;
    if (width <= 0) {
        return {};
    }
    for (std::size_t i = 0; i + 1 < mask.runs.size(); i += 2) {
        std::int64_t at = std::max<std::int64_t>(mask.runs[i], 0);
        const std::int64_t end = mask.runs[i] + std::max<std::int64_t>(mask.runs[i + 1], 0);
        while (at < end) {
            const std::int64_t y = at / width;
            const std::int64_t x0 = at % width;
            const std::int64_t x1 = std::min<std::int64_t>(width, x0 + (end - at));
            pieces.push_back({y, x0, x1});
            at += x1 - x0;
        }
    }
    std::sort(pieces.begin(), pieces.end(), [](const RowSpan& a, const RowSpan& b) {
        return a.y < b.y || (a.y == b.y && a.x0 < b.x0);
    });
    std::map<std::int64_t, Spans> rows;
    for (const RowSpan& p : pieces) {
        Spans& row = rows[p.y];
        if (!row.empty() && p.x0 <= row.back().second) {
            row.back().second = std::max(row.back().second, p.x1);
        } else {
            row.emplace_back(p.x0, p.x1);
        }
    }
    return rows;
}

// Parts of `a` not covered by `b` (both sorted and disjoint).
Spans Minus(const Spans& a, const Spans& b) {
    Spans out;
    std::size_t j = 0;
    for (auto [x0, x1] : a) {
        while (j < b.size() && b[j].second <= x0) {
            ++j;
        }
        for (std::size_t k = j; k < b.size() && b[k].first < x1; ++k) {
            if (b[k].first > x0) {
                out.emplace_back(x0, b[k].first);
            }
            x0 = std::max(x0, b[k].second);
        }
        if (x0 < x1) {
            out.emplace_back(x0, x1);
        }
    }
    return out;
}

// Directions, numbered so that (d + 1) % 4 is a right turn on screen (y points down).
enum Dir : int { kRight = 0, kDown = 1, kLeft = 2, kUp = 3 };

struct Edge {
    std::int64_t x = 0, y = 0;  // start corner
    std::int64_t length = 0;
    Dir dir = kRight;
    bool used = false;

    std::pair<std::int64_t, std::int64_t> End() const {
        switch (dir) {
            case kRight: return {x + length, y};
            case kDown: return {x, y + length};
            case kLeft: return {x - length, y};
            case kUp: return {x, y - length};
        }
        return {x, y};
    }
};

std::uint64_t Key(std::int64_t x, std::int64_t y) {
    return (static_cast<std::uint64_t>(x) << 32) ^ static_cast<std::uint64_t>(y);
}

// Every boundary edge between a mask pixel and a non-mask pixel, directed so that the mask is
// on the walker's right.
std::vector<Edge> BoundaryEdges(const std::map<std::int64_t, Spans>& rows) {
    std::vector<Edge> edges;
    const Spans none;
    auto row_at = [&](std::int64_t y) -> const Spans& {
        auto it = rows.find(y);
        return it == rows.end() ? none : it->second;
    };
    std::vector<std::int64_t> lines;  // horizontal grid lines with an edge on them
    for (const auto& [y, spans] : rows) {
        lines.push_back(y);
        lines.push_back(y + 1);
        for (const auto& [x0, x1] : spans) {
            edges.push_back({x0, y + 1, 1, kUp});
            edges.push_back({x1, y, 1, kDown});
        }
    }
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
    for (const std::int64_t y : lines) {
        const Spans& above = row_at(y - 1);
        const Spans& below = row_at(y);
        for (const auto& [x0, x1] : Minus(below, above)) {
            edges.push_back({x0, y, x1 - x0, kRight});
        }
        for (const auto& [x0, x1] : Minus(above, below)) {
            edges.push_back({x1, y, x1 - x0, kLeft});
        }
    }
    return edges;
}

}  // namespace

Box MaskBounds(const MaskRle& mask, int width) {
    const auto rows = RowsOf(mask, width);
    if (rows.empty()) {
        return {};
    }
    std::int64_t x0 = width, x1 = 0;
    for (const auto& [y, spans] : rows) {
        x0 = std::min(x0, spans.front().first);
        x1 = std::max(x1, spans.back().second);
    }
    const std::int64_t y0 = rows.begin()->first;
    const std::int64_t y1 = rows.rbegin()->first + 1;
    return Box{static_cast<double>(x0), static_cast<double>(y0), static_cast<double>(x1 - x0),
               static_cast<double>(y1 - y0)};
}

Polygon MaskOutline(const MaskRle& mask, int width) {
    std::vector<Edge> edges = BoundaryEdges(RowsOf(mask, width));
    // At most two edges leave a corner (two mask pixels touching diagonally there).
    std::unordered_map<std::uint64_t, std::array<int, 2>> leaving;
    for (std::size_t i = 0; i < edges.size(); ++i) {
        auto [it, fresh] = leaving.try_emplace(Key(edges[i].x, edges[i].y), std::array{-1, -1});
        it->second[it->second[0] < 0 ? 0 : 1] = static_cast<int>(i);
    }
    Polygon out;
    for (std::size_t first = 0; first < edges.size(); ++first) {
        if (edges[first].used) {
            continue;
        }
        std::vector<const Edge*> loop;
        std::size_t at = first;
        while (true) {
            Edge& edge = edges[at];
            edge.used = true;
            loop.push_back(&edge);
            const auto [ex, ey] = edge.End();
            const std::array<int, 2>& next = leaving.at(Key(ex, ey));
            // Turning right at a shared corner keeps diagonal neighbours in separate rings.
            int chosen = -1;
            for (const int turn : {1, 0, 3}) {
                const Dir want = static_cast<Dir>((edge.dir + turn) % 4);
                for (const int candidate : next) {
                    if (candidate >= 0 && edges[static_cast<std::size_t>(candidate)].dir == want) {
                        chosen = candidate;
                        break;
                    }
                }
                if (chosen >= 0) {
                    break;
                }
            }
            // Cannot happen: every corner a boundary edge ends at has one leaving it.
            if (chosen < 0 || static_cast<std::size_t>(chosen) == first ||
                edges[static_cast<std::size_t>(chosen)].used) {
                break;
            }
            at = static_cast<std::size_t>(chosen);
        }
        Ring ring;
        for (std::size_t k = 0; k < loop.size(); ++k) {
            const Edge* previous = loop[(k + loop.size() - 1) % loop.size()];
            if (previous->dir != loop[k]->dir) {
                ring.push_back({static_cast<double>(loop[k]->x), static_cast<double>(loop[k]->y)});
            }
        }
        // Start at the top-left corner, so equal masks give equal rings.
        std::rotate(ring.begin(),
                    std::min_element(ring.begin(), ring.end(),
                                     [](const ImagePoint& a, const ImagePoint& b) {
                                         return a.y < b.y || (a.y == b.y && a.x < b.x);
                                     }),
                    ring.end());
        out.rings.push_back(std::move(ring));
    }
    return out;
}

}  // namespace tessera
