#pragma once
// Shapes drawn on an image, in image pixel coordinates (floats; x right, y down, origin at the
// top-left corner of the top-left pixel). The API form (docs/api.md "Shapes"):
//   {"label": "Cat", "type": "box", "x": 10, "y": 20, "w": 30, "h": 40}
//   {"label": "Cat", "type": "polygon", "points": [[x, y], ...]}
//   {"label": "Cat", "type": "polygon", "rings": [[[x, y], ...], [[x, y], ...]]}  (several parts)
//   {"label": "Road", "type": "mask", "rle": [start, length, start, length, ...]}
// A mask is one label's pixels as runs over the row-major pixel index (i = y * width + x),
// sorted and non-overlapping; a semantic annotation holds at most one mask per label and masks
// of different labels never overlap (one class per pixel). Optional on every shape:
// "confidence" (0-1, prelabels), "id" (client-chosen string, kept for drafts/undo).
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "domain/label_tree.hpp"
#include "domain/task_type.hpp"

namespace tessera {

struct ImagePoint {
    double x = 0;
    double y = 0;
    bool operator==(const ImagePoint&) const = default;
};

struct Box {
    double x = 0;
    double y = 0;
    double w = 0;
    double h = 0;
    bool operator==(const Box&) const = default;
};

using Ring = std::vector<ImagePoint>;

// The area a ring encloses (shoelace formula), whichever way it turns.
double RingArea(const Ring& ring);

struct Polygon {
    std::vector<Ring> rings;  // each ring >= 3 points, implicitly closed
    bool operator==(const Polygon&) const = default;
};

struct MaskRle {
    std::vector<std::int64_t> runs;  // start, length pairs over y * width + x
    bool operator==(const MaskRle&) const = default;
};

struct Shape {
    std::string label;  // a label path in the project's tree
    std::variant<Box, Polygon, MaskRle> geometry;
    std::optional<double> confidence;
    std::string id;
    bool operator==(const Shape&) const = default;
};

struct ImageSize {
    int width = 0;
    int height = 0;
};

// Parses the API/storage JSON array of shapes. kInvalidArgument names the shape by index
// ("shapes[3]: ...").
Result<std::vector<Shape>> ShapesFromJson(const nlohmann::json& shapes);
nlohmann::json ShapesToJson(const std::vector<Shape>& shapes);

// Validates shapes for a project: only the shape kinds its task type draws (bbox: boxes;
// polygon: polygons; semantic: masks and polygons, polygons are rasterised into the masks),
// labels in the tree, finite numbers, geometry clamped to the image, non-zero area, polygons of
// at least three distinct points, masks inside the image and not overlapping. Returns the
// cleaned shapes (clamped, semantic polygons merged into masks).
Result<std::vector<Shape>> ValidateShapes(TaskType type, const LabelTree& tree, ImageSize size,
                                          std::vector<Shape> shapes);

}  // namespace tessera
