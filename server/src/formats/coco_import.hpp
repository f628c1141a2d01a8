#pragma once
// COCO instances JSON (pixel coordinates) and Azure ML's normalised flavour (0-1 coordinates,
// image width/height written as 0). See docs/formats/import.md.
#include <nlohmann/json_fwd.hpp>

#include <vector>

#include "formats/import_record_import.hpp"
#include "formats/import_upload.hpp"

namespace tessera {

enum class CocoFlavor { kDetect, kPixel, kAzure };

// Parses every *.json file among `files` as COCO. Row numbers count images in file order.
// Boxes come from "bbox", polygons from list "segmentation", masks from RLE "segmentation"
// (counts list or compressed string; COCO RLE is column-major, converted to row-major runs).
// Each file is streamed (formats/json_stream): only one element of "images", "categories" or
// "annotations" is JSON at a time, so memory grows with the shapes read, not the file.
Result<ParsedImport> ParseCoco(const std::vector<ImportFile>& files, CocoFlavor flavor);
// The same over an upload, read from disk one file or zip entry at a time.
Result<ParsedImport> ParseCocoUpload(const ImportUpload& upload, CocoFlavor flavor);

// Decodes a compressed COCO RLE "counts" string into run lengths.
Result<std::vector<std::int64_t>> DecodeCocoRleString(const std::string& counts);
// COCO RLE "counts" as COCO, Segment Anything and Datumaro write them (a compressed string or a
// list of non-negative run lengths; column-major, 0s first) of a width x height image, checked
// to cover it exactly, as row-major runs. kInvalidArgument names what is wrong.
Result<MaskRle> CocoRleCountsToMask(const nlohmann::json& counts, int width, int height);
// Converts column-major alternating run lengths (0s first) of a width x height image into the
// row-major start/length runs of MaskRle.
MaskRle ColumnRunsToMask(const std::vector<std::int64_t>& counts, int width, int height);

}  // namespace tessera
