#pragma once
// Datumaro's own JSON format ("Datumaro 1.0" in CVAT 2.x, `datum export -f datumaro`):
// annotations/<subset>.json with "categories" (label names by index) and "items", each an image
// with its annotations (docs/formats/import.md "datumaro").
#include <vector>

#include "formats/import_record_import.hpp"
#include "formats/import_upload.hpp"

namespace tessera {

// Every *.json among `files` whose top level is an object with an "items" list; the file's stem
// is the items' subset. Boxes, polygons, ellipses (as polygons) and COCO RLE masks are shapes in
// pixels; "label" annotations are image-level tags; points, polylines, captions, cuboids and
// skeletons are counted as dropped by type. Each file is streamed (formats/json_stream):
// "categories" whole, then one item at a time, so memory holds the records, not the file.
Result<ParsedImport> ParseDatumaro(const std::vector<ImportFile>& files);
// The same over an upload, read from disk one file or zip entry at a time.
Result<ParsedImport> ParseDatumaroUpload(const ImportUpload& upload);

}  // namespace tessera
