#pragma once
// COCO panoptic segmentation: panoptic_<name>.json ("images" with id, file_name, width, height;
// "categories" with id, name; "annotations" with image_id, file_name of a PNG and segments_info
// [{id, category_id, iscrowd, optional score}]) and the PNGs, by convention in a folder named
// after the JSON (panoptic_<name>/<file_name>). A PNG pixel's segment id is R + 256 G + 256^2 B;
// 0 is unlabeled. Each segment becomes one mask of its category over the whole image.
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

// True when a .json of the upload has "segments_info" (format=coco then reads it as panoptic).
bool LooksLikeCocoPanoptic(const std::vector<ImportFile>& files);

Result<ParsedImport> ParseCocoPanoptic(const std::vector<ImportFile>& files);

}  // namespace tessera
