#pragma once
// Streams a project's labels in constant memory: rows come from Repository::ForEachExportRow
// and go straight to a ByteSink. Classification: CSV, Azure AutoML JSONL, an MLTable folder
// (.zip). Drawing projects: COCO (pixel or Azure-normalised), AutoML JSONL / MLTable with box
// and polygon labels, Pascal VOC, YOLO and indexed-PNG masks (the writers live in formats/).
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_sink.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

// ByteSink (base/byte_sink.hpp) is where export bytes go: an HTTP chunked response, a file.

enum class ExportFormat { kCsv, kJsonl, kMltable, kCoco, kCocoAzure, kVoc, kYolo, kMasks };
// The API names: csv, jsonl, mltable, coco, coco-azure, voc, yolo, masks.
std::optional<ExportFormat> ParseExportFormat(std::string_view name);

struct ExportInfo {
    // "text/csv; charset=utf-8", "application/jsonl", "application/json", "application/zip"
    std::string content_type;
    std::string filename;  // "<project-name>-<format>.<ext>", safe for Content-Disposition
};

class ExportService {
public:
    ExportService(Repository& repo, const Clock& clock);
    // Checks permission (owners) and that the format fits the project's task type
    // (kFailedPrecondition otherwise); call before sending headers so errors still become a
    // JSON 4xx.
    Result<ExportInfo> Prepare(const User& actor, Id project_id, ExportFormat format);
    // Streams the whole file into `sink`.
    Status Write(const User& actor, Id project_id, ExportFormat format, ByteSink& sink);

private:
    Status WriteDrawing(const Project& project, ExportFormat format, ByteSink& sink);

    Repository& repo_;
    const Clock& clock_;
};

}  // namespace tessera
