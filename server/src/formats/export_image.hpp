#pragma once
// The format-neutral input of every export writer: one labeled image with its shapes, and the
// project's categories. Writers only lay these out; they never touch storage.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/label_tree.hpp"
#include "domain/shapes.hpp"

namespace tessera {

struct ExportImage {
    std::int64_t id = 0;    // stable per project (the item id); COCO image id
    std::string file_name;  // path relative to the datasource root, '/'-separated
    std::string image_url;  // absolute source path, as in the classification exports
    std::string format;     // AutoML spelling: "jpg", "png", ...
    int width = 0;
    int height = 0;
    std::string labeler;
    std::string labeled_at;  // ISO-8601 UTC
    std::vector<Shape> shapes;
};

// Label paths in the tree's display order. Category ids are position + 1 (COCO, masks: 0 is
// background); YOLO class ids are the position.
struct ExportCategories {
    std::vector<std::string> names;
    static ExportCategories FromTree(const LabelTree& tree);
    // -1 when the label is not in the project (the export stops with kInternal: stored shapes
    // were validated against the tree, so this is a damaged row).
    int IndexOf(std::string_view label) const;
};

// One horizontal run of mask pixels inside a single row.
struct RowSpan {
    int y = 0;
    int x0 = 0;  // first pixel
    int x1 = 0;  // one past the last pixel
};

// Splits a mask's runs over the row-major index into per-row spans, clipped to the image.
// kInternal for runs that are negative, unsorted or overlapping.
Result<std::vector<RowSpan>> MaskRowSpans(const MaskRle& mask, int width, int height);

struct Bounds {
    double x0 = 0;
    double y0 = 0;
    double x1 = 0;
    double y1 = 0;
};
// Bounding box of a box, a polygon (all rings) or a mask's spans (pixel edges).
Bounds ShapeBounds(const Box& box);
Bounds ShapeBounds(const Polygon& polygon);
Bounds ShapeBounds(const std::vector<RowSpan>& spans);

// Sum of the rings' absolute areas (rings are separate parts, not holes).
double PolygonArea(const Polygon& polygon);

// Shortest text that reads back as the same double ("0.1", "12", "0.020833333333333332").
std::string FormatNumber(double value);

// Path without its extension: "a/b/c.jpg" -> "a/b/c"; dots in folder names are kept.
std::string PathStem(std::string_view path);
std::string BaseName(std::string_view path);

}  // namespace tessera
