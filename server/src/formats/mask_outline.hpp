#pragma once
// Masks for projects that draw boxes or polygons: other tools' masks (CVAT <mask>, COCO panoptic
// segments, class PNGs) become the mask's bounding box in box projects and its outline in
// polygon projects. The outline follows pixel edges, so filling it at pixel centres with the
// even-odd rule (domain/raster) gives back exactly the mask's pixels: no pixel is lost or added.
#include "domain/shapes.hpp"

namespace tessera {

// The smallest box holding every pixel of `mask` (pixel edges: a single pixel (3, 4) is
// {3, 4, 1, 1}); all zeros when the mask is empty. `width` is the image width the runs index.
Box MaskBounds(const MaskRle& mask, int width);

// The mask's boundary as rings along pixel edges: outer boundaries and holes alike, each ring
// closed implicitly, without collinear points. Diagonally touching pixels are kept in separate
// rings (4-connectivity). Empty when the mask is empty.
Polygon MaskOutline(const MaskRle& mask, int width);

}  // namespace tessera
