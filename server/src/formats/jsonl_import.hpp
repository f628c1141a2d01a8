#pragma once
// Azure ML AutoML JSONL (and MLTable folders zipped, which hold such a .jsonl): one line per
// image, {"image_url", "image_details": {"width", "height"}, "label": ...} where label is a
// string (multi-class), a list of strings (multi-label), or a list of objects
// {label, topX, topY, bottomX, bottomY, isCrowd} (boxes) / {label, isCrowd, polygon:
// [[x1, y1, ...], ...]} (polygons), all normalised 0-1.
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

// Every *.jsonl among `files` (or the single file when there is no .jsonl name); rows are lines.
Result<ParsedImport> ParseJsonl(const std::vector<ImportFile>& files);

// The datastore-relative path of an image_url ("azureml://.../paths/a/b.jpg" -> "a/b.jpg").
std::string JsonlImagePath(const std::string& url);

}  // namespace tessera
