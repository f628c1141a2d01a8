#pragma once
// Semantic masks (format=masks): one PNG per image, named after it, and a label map saying which
// class each pixel value or colour is. The layout is detected from the upload's files
// (docs/formats/import.md "masks"):
// - Datumaro/CVAT "Segmentation mask" and Pascal VOC: labelmap.txt + SegmentationClass/*.png;
// - Datumaro's common semantic segmentation: dataset_meta.json + masks/*.png (images/ beside);
// - Kaggle image_mask: masks/*.png with labelmap.csv, or binary masks of one class "object";
// - CamVid: *annot/*.png (or *_L.png) with label_colors.txt or CamVid's standard colours;
// - Cityscapes: gtFine/**/*_gtFine_{labelIds,instanceIds,labelTrainIds,color}.png with
//   label_colors.txt or the standard Cityscapes ids (one file per image, in that order).
// Gray and palette pixels are values looked up in the map; RGB pixels are colours. Background
// classes (IsBackgroundName, the maps' void classes) stay unlabeled.
// Records hold one mask per class, except Cityscapes instanceIds: one per instance (id >= 1000),
// so polygon and box projects get each object; services/import_service merges them for semantic.
#include <string>
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

Result<ParsedImport> ParseMasks(const std::vector<ImportFile>& files);

}  // namespace tessera
