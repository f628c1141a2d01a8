#pragma once
// LabelMe in both of its forms, by file extension:
//  *.json (wkentaro/labelme): {"imagePath", "imageWidth", "imageHeight", "shapes": [{"label",
//    "shape_type": "rectangle"|"polygon", "points": [[x, y], ...]}]}, pixels.
//  *.xml (MIT LabelMe): <annotation><filename>, <imagesize><nrows><ncols>, <object><name>
//    <deleted> <polygon><pt><x><y> (a <type>bounding_box</type> object is a box), pixels.
// Other shape types (line, point, circle, linestrip) are skipped.
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

Result<ParsedImport> ParseLabelMe(const std::vector<ImportFile>& files);

}  // namespace tessera
