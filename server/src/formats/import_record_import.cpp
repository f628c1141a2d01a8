#include "formats/import_record_import.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <utility>

#include "base/text.hpp"

namespace tessera {

std::string ImportBaseName(std::string_view path) {
    const std::size_t slash = path.find_last_of("/\\");
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string ImportStem(std::string_view path) {
    std::string base = ImportBaseName(path);
    const std::size_t dot = base.find_last_of('.');
    if (dot != std::string::npos && dot > 0) {
        base.resize(dot);
    }
    return base;
}

bool ImportEndsWith(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           Lower(text.substr(text.size() - suffix.size())) == Lower(suffix);
}

Shape MakeBoxShape(std::string label, double x0, double y0, double x1, double y1) {
    Shape shape;
    shape.label = std::move(label);
    shape.geometry = Box{std::min(x0, x1), std::min(y0, y1), std::abs(x1 - x0), std::abs(y1 - y0)};
    return shape;
}

void SubsetNames::Note(const std::string& name, std::string_view subset) {
    auto [seen, fresh] = seen_.try_emplace(name, Seen{std::string(subset), false});
    if (!fresh && seen->second.first != subset) {
        seen->second.several = true;
    }
}

void SubsetNames::MarkRepeated(std::vector<ImportRecord>& records,
                               const std::vector<std::string>& names) const {
    for (std::size_t i = 0; i < records.size() && i < names.size(); ++i) {
        auto it = seen_.find(names[i]);
        if (it != seen_.end() && it->second.several) {
            records[i].path_only_reason = "\"" + names[i] +
                                          "\" is in several subsets of the upload; no item "
                                          "path ends with \"" +
                                          records[i].name + "\"";
        }
    }
}

std::optional<ImageSize> ImportImageSize(std::optional<double> width,
                                         std::optional<double> height) {
    const auto side = [](std::optional<double> v) {
        return v && std::isfinite(*v) && *v >= 0.5 && *v <= kMaxImportImageSide;
    };
    if (!side(width) || !side(height)) {
        return std::nullopt;
    }
    return ImageSize{static_cast<int>(std::lround(*width)), static_cast<int>(std::lround(*height))};
}

Ring EllipseRing(double cx, double cy, double rx, double ry, double rotation_degrees) {
    const double r = std::max(std::abs(rx), std::abs(ry));
    int n = 12;
    if (r > 1) {
        // For an absurd r, 1 - 1/r rounds to 1 and the quotient is infinite: clamp it as a
        // double before it becomes an int (validation then refuses the shape's coordinates).
        const double wanted = std::numbers::pi / std::acos(1 - 1 / r);
        n = std::max(n, static_cast<int>(std::min(wanted, 4096.0)));
    }
    n = (n + 3) / 4 * 4;  // the four extreme points are vertices: the bounding box is exact
    n = std::min(n, 4096);
    const double angle = rotation_degrees * std::numbers::pi / 180;
    const double cos_a = std::cos(angle);
    const double sin_a = std::sin(angle);
    Ring ring;
    ring.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const double t = 2 * std::numbers::pi * i / n;
        const double x = rx * std::cos(t);
        const double y = ry * std::sin(t);
        ring.push_back({cx + x * cos_a - y * sin_a, cy + x * sin_a + y * cos_a});
    }
    return ring;
}

Ring RotatedBox(double xtl, double ytl, double xbr, double ybr, double degrees) {
    const double cx = (xtl + xbr) / 2;
    const double cy = (ytl + ybr) / 2;
    const double angle = degrees * std::numbers::pi / 180;
    const double cos_a = std::cos(angle);
    const double sin_a = std::sin(angle);
    const std::pair<double, double> corners[] = {{xtl, ytl}, {xbr, ytl}, {xbr, ybr}, {xtl, ybr}};
    Ring ring;
    for (const auto& [x, y] : corners) {
        const double dx = x - cx;
        const double dy = y - cy;
        ring.push_back({cx + dx * cos_a - dy * sin_a, cy + dx * sin_a + dy * cos_a});
    }
    return ring;
}

}  // namespace tessera
