#pragma once
// Roboflow's CreateML JSON (Apple Create ML object detection): a list of {"image", "annotations":
// [{"label", "coordinates": {"x", "y", "width", "height"}}]} where x, y are the box's CENTRE in
// pixels (docs/formats/import.md "createml").
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

// Every *.json among `files` whose top level is a list. Images are named from the JSON's
// folder (Roboflow writes train/_annotations.createml.json beside train/*.jpg).
Result<ParsedImport> ParseCreateMl(const std::vector<ImportFile>& files);

}  // namespace tessera
