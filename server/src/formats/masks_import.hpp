#pragma once
// Semantic masks: a zip of PNGs (one per image, named after it) and a labelmap.txt in the
// Datumaro/CVAT form ("name:r,g,b:parts:actions", '#' comments). An indexed or gray PNG's pixel
// value is the line index in the label map; an RGB PNG's colour is looked up in it. Pixels of
// "background" (or "_background_") are left unlabeled.
#include <string>
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

struct LabelMapEntry {
    std::string name;
    int r = -1, g = -1, b = -1;  // -1 when the map gives no colour
};

std::vector<LabelMapEntry> ParseLabelMap(const std::string& text);

Result<ParsedImport> ParseMasks(const std::vector<ImportFile>& files);

}  // namespace tessera
