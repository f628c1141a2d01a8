#pragma once
// YOLO (Ultralytics) labels (docs/formats/yolo.md): one text file per image, one line per
// object, class ids from 0 in label-tree order, coordinates normalised to 0-1:
//   box:     "<class> <cx> <cy> <w> <h>"
//   polygon: "<class> <x1> <y1> <x2> <y2> ..." (segmentation; one line per ring, since a YOLO
//            line holds a single outline)
// plus data.yaml with the class names. Masks are kInternal (export semantic projects as masks).
#include <string>

#include "formats/export_image.hpp"

namespace tessera {

// "labels/<path without extension>.txt"
std::string YoloEntryName(const ExportImage& image);
Result<std::string> YoloLabels(const ExportImage& image, const ExportCategories& categories);
std::string YoloDataYaml(const ExportCategories& categories);

}  // namespace tessera
