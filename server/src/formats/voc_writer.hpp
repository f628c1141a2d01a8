#pragma once
// Pascal VOC detection XML, one file per image (docs/formats/voc.md). The box's corners as
// whole pixels, as CVAT, Datumaro and labelme2voc write them (not the devkit's 1-based indices):
//   xmin = floor(x + 0.5) clamped to [0, width - 1], xmax = floor(x + w + 0.5) clamped to
//   [xmin + 1, width]
// so an integer pixel box reads back exactly (x = xmin, w = xmax - xmin). VOC holds boxes only;
// other shapes are kInternal (the export service offers VOC for box projects).
#include <string>

#include "base/byte_sink.hpp"
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
