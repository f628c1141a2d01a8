#include "domain/raster.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace tessera {
namespace {

using Span = std::pair<std::int64_t, std::int64_t>;  // [begin, end)

std::vector<Span> ToSpans(const Runs& runs) {
    std::vector<Span> out;
    out.reserve(runs.size() / 2);
    for (std::size_t i = 0; i + 1 < runs.size(); i += 2) {
        out.emplace_back(runs[i], runs[i] + runs[i + 1]);
    }
    return out;
}

// Appends [begin, end) to normalised runs, merging with the last run when they touch.
void Append(Runs& out, std::int64_t begin, std::int64_t end) {
    if (end <= begin) {
        return;
    }
    if (!out.empty()) {
        std::int64_t& last_len = out.back();
        const std::int64_t last_end = out[out.size() - 2] + last_len;
        if (begin <= last_end) {
            last_len = std::max(last_end, end) - out[out.size() - 2];
            return;
        }
    }
    out.push_back(begin);
    out.push_back(end - begin);
}

}  // namespace

Result<Runs> NormalizeRuns(const std::vector<std::int64_t>& raw, std::int64_t pixel_count) {
    if (raw.size() % 2 != 0) {
        return Error::InvalidArgument("mask runs must be start, length pairs");
    }
    std::vector<Span> spans;
    spans.reserve(raw.size() / 2);
    for (std::size_t i = 0; i < raw.size(); i += 2) {
        const std::int64_t start = raw[i];
        const std::int64_t length = raw[i + 1];
        if (start < 0 || length <= 0) {
            return Error::InvalidArgument("mask run " + std::to_string(i / 2) +
                                          " needs start >= 0 and length > 0");
        }
        if (start >= pixel_count || length > pixel_count - start) {
            return Error::InvalidArgument("mask run " + std::to_string(i / 2) +
                                          " reaches outside the image");
        }
        spans.emplace_back(start, start + length);
    }
    std::sort(spans.begin(), spans.end());
    Runs out;
    out.reserve(spans.size() * 2);
    for (const auto& [begin, end] : spans) {
        Append(out, begin, end);
    }
    return out;
}

Runs UnionRuns(const Runs& a, const Runs& b) {
    std::vector<Span> sa = ToSpans(a);
    std::vector<Span> sb = ToSpans(b);
    Runs out;
    out.reserve(a.size() + b.size());
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < sa.size() || j < sb.size()) {
        const bool take_a = j >= sb.size() || (i < sa.size() && sa[i].first <= sb[j].first);
        const Span& s = take_a ? sa[i++] : sb[j++];
        Append(out, s.first, s.second);
    }
    return out;
}

Runs SubtractRuns(const Runs& a, const Runs& b) {
    std::vector<Span> sb = ToSpans(b);
    Runs out;
    out.reserve(a.size());
    std::size_t j = 0;
    for (const auto& [begin, end] : ToSpans(a)) {
        std::int64_t cursor = begin;
        while (j < sb.size() && sb[j].second <= cursor) {
            ++j;
        }
        std::size_t k = j;
        while (k < sb.size() && sb[k].first < end) {
            Append(out, cursor, std::min(end, sb[k].first));
            cursor = std::max(cursor, sb[k].second);
            if (sb[k].second > end) {
                break;
            }
            ++k;
        }
        Append(out, cursor, end);
    }
    return out;
}

bool RunsIntersect(const Runs& a, const Runs& b) {
    std::vector<Span> sa = ToSpans(a);
    std::vector<Span> sb = ToSpans(b);
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < sa.size() && j < sb.size()) {
        if (sa[i].second <= sb[j].first) {
            ++i;
        } else if (sb[j].second <= sa[i].first) {
            ++j;
        } else {
            return true;
        }
    }
    return false;
}

std::int64_t RunsArea(const Runs& runs) {
    std::int64_t area = 0;
    for (std::size_t i = 1; i < runs.size(); i += 2) {
        area += runs[i];
    }
    return area;
}

Runs RasterizePolygon(const Polygon& polygon, ImageSize size) {
    Runs out;
    if (size.width <= 0 || size.height <= 0) {
        return out;
    }
    double min_y = HUGE_VAL;
    double max_y = -HUGE_VAL;
    for (const Ring& ring : polygon.rings) {
        for (const ImagePoint& p : ring) {
            min_y = std::min(min_y, p.y);
            max_y = std::max(max_y, p.y);
        }
    }
    if (!(min_y <= max_y)) {
        return out;
    }
    // Rows whose centre y + 0.5 lies in [min_y, max_y].
    const auto first_row = static_cast<std::int64_t>(std::max(
        0.0, std::ceil(std::clamp(min_y, -1.0, static_cast<double>(size.height) + 1) - 0.5)));
    // Clamped below as well: a ring far above the image must not reach the cast as -1e300.
    const auto last_row = static_cast<std::int64_t>(
        std::clamp(std::floor(max_y - 0.5), -1.0, static_cast<double>(size.height - 1)));
    std::vector<double> xs;
    for (std::int64_t row = first_row; row <= last_row; ++row) {
        const double yc = static_cast<double>(row) + 0.5;
        xs.clear();
        for (const Ring& ring : polygon.rings) {
            const std::size_t n = ring.size();
            for (std::size_t k = 0; k < n; ++k) {
                const ImagePoint& p = ring[k];
                const ImagePoint& q = ring[(k + 1) % n];
                // Half-open in y: an edge counts for rows with yc in [low.y, high.y).
                if ((p.y <= yc && yc < q.y) || (q.y <= yc && yc < p.y)) {
                    xs.push_back(p.x + (yc - p.y) * (q.x - p.x) / (q.y - p.y));
                }
            }
        }
        std::sort(xs.begin(), xs.end());
        const std::int64_t row_base = row * size.width;
        for (std::size_t k = 0; k + 1 < xs.size(); k += 2) {
            // Pixels whose centre x + 0.5 lies in [xs[k], xs[k + 1]).
            const double lo = std::max(0.0, std::ceil(xs[k] - 0.5));
            const double hi = std::min(static_cast<double>(size.width), std::ceil(xs[k + 1] - 0.5));
            if (lo < hi) {
                Append(out, row_base + static_cast<std::int64_t>(lo),
                       row_base + static_cast<std::int64_t>(hi));
            }
        }
    }
    return out;
}

}  // namespace tessera
