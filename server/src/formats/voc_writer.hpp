#pragma once
// Pascal VOC detection XML, one file per image (docs/formats/voc.md). VOC counts pixels from 1
// and its xmax/ymax name the last pixel inside the box, as integers:
//   xmin = floor(x + 0.5) + 1, xmax = max(xmin, floor(x + w + 0.5)), clamped to [1, width]
// so an integer pixel box reads back exactly (x = xmin - 1, w = xmax - xmin + 1). VOC holds
// boxes only; other shapes are kInternal (the export service offers VOC for box projects).
#include <string>

#include "formats/byte_sink.hpp"
#include "formats/export_image.hpp"

namespace tessera {

struct VocBox {
    int xmin = 0;
    int ymin = 0;
    int xmax = 0;
    int ymax = 0;
};
VocBox ToVocBox(const Box& box, int width, int height);

// "Annotations/<path without extension>.xml": the image's folders are kept so equal file names
// in different folders do not collide.
std::string VocEntryName(const ExportImage& image);
Result<std::string> VocXml(const ExportImage& image);

}  // namespace tessera
