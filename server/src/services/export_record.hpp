#pragma once
// One exported row in format-neutral form, built from a Repository ExportRow. The writers
// (csv_writer, jsonl_writer) only lay it out.
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

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

// kInternal when the stored payload is malformed (the export stops rather than silently
// dropping a row).
Result<ExportRecord> MakeExportRecord(const Project& project, const ExportRow& row);

// "2023-11-14T22:13:20.000Z"
std::string FormatIsoUtc(TimeMs ms);

}  // namespace tessera
