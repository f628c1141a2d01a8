#pragma once
// Azure ML AutoML JSONL (and MLTable folders zipped, which hold such a .jsonl): one line per
// image, {"image_url", "image_details": {"width", "height"}, "label": ...} where label is a
// string (multi-class), a list of strings (multi-label), or a list of objects
// {label, topX, topY, bottomX, bottomY, isCrowd} (boxes) / {label, isCrowd, polygon:
// [[x1, y1, ...], ...]} (polygons), all normalised 0-1.
//
// It also reads AutoML's model output, one image a line named by "filename" (or "image_url"):
// classification {"probs": [...], "labels": [...]} (every class's probability: the import picks
// by task type), detection {"boxes": [{"box": {"topX", "topY", "bottomX", "bottomY"}, "label",
// "score"}]}, instance segmentation the same with "polygon" per box. Imported as prelabels,
// their scores become the prelabels' confidence.
//
// Each file is read a line at a time from the upload (a zip entry inflated as it is read), so
// memory holds the records, never the file.
#include <vector>

#include "formats/import_record_import.hpp"
#include "formats/import_upload.hpp"

namespace tessera {

// Every *.jsonl among `files` (or the single file when there is no .jsonl name); rows are lines.
// A line that is not a JSON object is a row error (row numbers count non-blank lines across the
// files; the message names file:line). CRLF line ends and blank lines are fine.
Result<ParsedImport> ParseJsonl(const std::vector<ImportFile>& files);
// The same over an upload, streamed from disk.
Result<ParsedImport> ParseJsonlUpload(const ImportUpload& upload);

// The datastore-relative path of an image_url ("azureml://.../paths/a/b.jpg" -> "a/b.jpg").
std::string JsonlImagePath(const std::string& url);

}  // namespace tessera
