#pragma once
// The drawing page's "outline in box" helper (issue 10, point 7; docs/design/ml.md, "Boxes and
// polygons"): the labeler drags a box around an object and gets a polygon around the object
// inside, to edit. OpenCV's GrabCut separates the object from the background it learns from a
// margin around the box; the largest region it keeps is traced and simplified.
#include <array>
#include <optional>
#include <vector>

#include "ml/backbone.hpp"

namespace tessera::ml {

// A box in the image's pixels.
struct PixelBox {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
};

struct OutlineOptions {
    int iterations = 4;                // GrabCut's; more refine little and cost linearly
    double simplify_fraction = 0.005;  // of the outline's length: the polygon's tolerance
    int max_vertices = 80;             // simplified further until it has at most this many
};

// One ring of points (image pixels, clockwise or not) around the object inside `box`, or
// nullopt when GrabCut keeps nothing sizeable there (under 2 % of the box) or the box is under
// 4 pixels a side. The box is clamped to the image. Deterministic: GrabCut's random start is
// seeded on each call.
std::optional<std::vector<std::array<double, 2>>> OutlineObject(const RgbImage& image, PixelBox box,
                                                                const OutlineOptions& options = {});

}  // namespace tessera::ml
