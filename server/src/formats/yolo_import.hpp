#pragma once
// YOLO: one .txt per image ("class cx cy w h" boxes, or "class x1 y1 x2 y2 ..." polygons for
// segmentation), all normalised 0-1, class names from obj.names (one a line) or data.yaml
// ("names: [a, b]", "names:\n  - a" or "names:\n  0: a"). A .txt whose lines are not all numbers
// (train.txt image lists, READMEs) is not a label file and is skipped. Without a names list the
// upload is refused: class ids are not mapped to the project's labels by position.
#include <string>
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

Result<ParsedImport> ParseYolo(const std::vector<ImportFile>& files);

// The class names of a data.yaml; empty when it has no "names".
std::vector<std::string> ParseYoloYamlNames(const std::string& yaml);

}  // namespace tessera
