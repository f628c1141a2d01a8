#pragma once
// One exported classification row in format-neutral form (services/export_record builds it from
// the database); the CSV and JSONL writers only lay it out.
#include <string>
#include <vector>

namespace tessera {

struct ExportRecord {
    std::string image_url;  // absolute source path: datasource.path + "/" + item.path
    std::vector<std::string> labels;
    bool multi_label = false;  // a list in JSONL, one joined field in CSV
    std::string image_format;  // AutoML spelling: "jpg", "png", "bmp", "tiff"
    int width = 0;
    int height = 0;
    std::string labeler;
    std::string labeled_at;  // ISO-8601 UTC with milliseconds
};

}  // namespace tessera
