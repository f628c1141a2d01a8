#pragma once
// Pascal VOC XML: one <annotation> per image, <object><name> and <bndbox>. See
// docs/formats/import.md "Pascal VOC box corners" for which tools write which convention.
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

enum class VocConvention {
    // The box's corners in continuous pixel coordinates, x = xmin, w = xmax - xmin: what CVAT,
    // Datumaro, labelme2voc, labelImg and Roboflow write (and our VOC export).
    kCorners,
    // The original devkit's 1-based inclusive pixel indices: x = xmin - 1, w = xmax - xmin + 1.
    kDevkit,
};

// Every *.xml among `files` is one image (one row, in file order). Objects without a <bndbox>
// (segmentation-only VOC) are counted in the record's `dropped`.
Result<ParsedImport> ParseVoc(const std::vector<ImportFile>& files,
                              VocConvention convention = VocConvention::kCorners);

}  // namespace tessera
