#pragma once
// Segment Anything (SA-1B) JSON: one file per image, {"image": {"file_name", "width", "height"},
// "annotations": [{"segmentation": {"size": [h, w], "counts": "<COCO compressed RLE>"},
// "predicted_iou", ...}]}. The masks carry no class, so the caller names the one label they
// all get (docs/formats/import.md "segment-anything").
#include <string>
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

// Every *.json among `files` with an "image" object and an "annotations" list. `label` must not
// be empty. Each annotation is one mask (an instance in polygon and box projects); its
// predicted_iou is the shape's confidence.
Result<ParsedImport> ParseSegmentAnything(const std::vector<ImportFile>& files,
                                          const std::string& label);

}  // namespace tessera
