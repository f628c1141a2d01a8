#include "formats/export_image.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace tessera {

ExportCategories ExportCategories::FromTree(const LabelTree& tree) {
    ExportCategories out;
    for (const LabelNode& node : tree.nodes()) {
        out.names.push_back(node.path);
    }
    return out;
}

int ExportCategories::IndexOf(std::string_view label) const {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == label) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

Result<std::vector<RowSpan>> MaskRowSpans(const MaskRle& mask, int width, int height) {
    if (mask.runs.size() % 2 != 0) {
        return Error::Internal("mask runs are not start/length pairs");
    }
    std::vector<RowSpan> spans;
    const std::int64_t w = width;
    const std::int64_t total = w * static_cast<std::int64_t>(height);
    std::int64_t previous_end = 0;
    for (std::size_t i = 0; i < mask.runs.size(); i += 2) {
        std::int64_t start = mask.runs[i];
        std::int64_t length = mask.runs[i + 1];
        if (start < previous_end || length < 0) {
            return Error::Internal("mask runs are unsorted, overlapping or negative");
        }
        std::int64_t end = std::min(start + length, total);
        previous_end = std::max(previous_end, end);
        // A run over the row-major index may wrap onto following rows.
        while (start < end) {
            std::int64_t y = start / w;
            std::int64_t row_end = std::min(end, (y + 1) * w);
            spans.push_back({static_cast<int>(y), static_cast<int>(start - y * w),
                             static_cast<int>(row_end - y * w)});
            start = row_end;
        }
    }
    return spans;
}

Bounds ShapeBounds(const Box& box) {
    return {box.x, box.y, box.x + box.w, box.y + box.h};
}

Bounds ShapeBounds(const Polygon& polygon) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    Bounds b{kInf, kInf, -kInf, -kInf};
    for (const Ring& ring : polygon.rings) {
        for (const ImagePoint& p : ring) {
            b.x0 = std::min(b.x0, p.x);
            b.y0 = std::min(b.y0, p.y);
            b.x1 = std::max(b.x1, p.x);
            b.y1 = std::max(b.y1, p.y);
        }
    }
    if (b.x0 > b.x1) {
        return {};
    }
    return b;
}

Bounds ShapeBounds(const std::vector<RowSpan>& spans) {
    if (spans.empty()) {
        return {};
    }
    Bounds b{static_cast<double>(spans.front().x0), static_cast<double>(spans.front().y),
             static_cast<double>(spans.front().x1), static_cast<double>(spans.front().y + 1)};
    for (const RowSpan& s : spans) {
        b.x0 = std::min(b.x0, static_cast<double>(s.x0));
        b.x1 = std::max(b.x1, static_cast<double>(s.x1));
        b.y1 = std::max(b.y1, static_cast<double>(s.y + 1));
    }
    return b;
}

double PolygonArea(const Polygon& polygon) {
    double total = 0;
    for (const Ring& ring : polygon.rings) {
        double twice = 0;
        for (std::size_t i = 0; i < ring.size(); ++i) {
            const ImagePoint& a = ring[i];
            const ImagePoint& b = ring[(i + 1) % ring.size()];
            twice += a.x * b.y - b.x * a.y;
        }
        total += std::abs(twice) / 2;
    }
    return total;
}

std::string FormatNumber(double value) {
    if (!std::isfinite(value)) {
        return "0";  // validated shapes never hold these; keep the output parseable regardless
    }
    if (value == 0) {
        return "0";  // also folds -0
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    if (ec != std::errc()) {
        return "0";
    }
    return std::string(buf, end);
}

std::string PathStem(std::string_view path) {
    std::size_t slash = path.rfind('/');
    std::size_t dot = path.rfind('.');
    std::size_t name_start = slash == std::string_view::npos ? 0 : slash + 1;
    // A leading dot names a hidden file; it is not an extension.
    bool dot_in_name = dot != std::string_view::npos && dot > name_start;
    return std::string(dot_in_name ? path.substr(0, dot) : path);
}

std::string BaseName(std::string_view path) {
    std::size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace tessera
