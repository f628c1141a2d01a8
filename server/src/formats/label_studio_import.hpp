#pragma once
// Label Studio (HumanSignal) exports, docs/formats/import.md "label-studio": the JSON export (a
// list of tasks with "data", "annotations" and "predictions"), a single task object, and JSON-MIN
// (one flat record per annotation), detected per element. Geometry is in percent of the image
// (original_width x original_height); brush masks are Label Studio's own RLE of an RGBA image.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/task_type.hpp"
#include "formats/import_record_import.hpp"
#include "formats/import_upload.hpp"

namespace tessera {

struct LabelStudioOptions {
    // mode=prelabel: a task's predictions, with their scores, when it has any, else its
    // annotation. mode=final: annotations only.
    bool predictions = false;
    // Decides what is read: choices in classification projects, regions in the others; a
    // rotated rectangle is a polygon, or its axis-aligned bounding box in a bbox project.
    TaskType task_type = TaskType::kBbox;
    // JSON-MIN writes a single choice as a plain string, which only the project's labels tell
    // apart from the task's own text fields.
    std::function<bool(std::string_view)> is_label;
};

// Every *.json among `files`; rows count tasks (JSON-MIN: task ids) across the files.
Result<ParsedImport> ParseLabelStudio(const std::vector<ImportFile>& files,
                                      const LabelStudioOptions& options);
// The same over an upload, each file streamed one task at a time.
Result<ParsedImport> ParseLabelStudioUpload(const ImportUpload& upload,
                                            const LabelStudioOptions& options);

// Label Studio's brush RLE (the @thi.ng/rle-pack bit stream that label-studio-converter's
// brush.py decode_rle reads) of a width x height RGBA image -> the pixels whose alpha is > 0.
Result<MaskRle> DecodeLabelStudioBrush(const std::vector<std::uint8_t>& rle, int width, int height);

// The name an image URL of a task's data is matched by: "/data/upload/3/1a2b3c4d-x.jpg" ->
// "x.jpg" (Label Studio prefixes uploads with 8 hex digits), "/data/local-files/?d=a%20b/x.jpg"
// -> "a b/x.jpg", "s3://bucket/a/x.jpg" -> "a/x.jpg", "https://host/a/x.jpg?sig" -> "a/x.jpg";
// anything else as it is.
std::string LabelStudioImageName(std::string_view url);

}  // namespace tessera
