#pragma once
// Pascal VOC XML: one <annotation> per image, <object><name> and <bndbox> with 1-based
// inclusive pixel bounds (xmin=1 is the first pixel): x = xmin - 1, w = xmax - xmin + 1.
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

// Every *.xml among `files` is one image (one row, in file order).
Result<ParsedImport> ParseVoc(const std::vector<ImportFile>& files);

}  // namespace tessera
