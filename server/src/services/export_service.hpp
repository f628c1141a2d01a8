#pragma once
// Streams a project's labels in CSV, Azure AutoML JSONL or an MLTable folder (.zip), in
// constant memory: rows come from Repository::ForEachExportRow and go straight to a ByteSink.
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

// Where export bytes go (an HTTP chunked response, a file). Write blocks until accepted; an
// error (client went away) stops the export.
class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual Status Write(std::string_view bytes) = 0;
};

enum class ExportFormat { kCsv, kJsonl, kMltable };
std::optional<ExportFormat> ParseExportFormat(std::string_view name);

struct ExportInfo {
    std::string content_type;  // "text/csv; charset=utf-8", "application/jsonl", "application/zip"
    std::string filename;      // "<project-name>-<format>.<ext>", safe for Content-Disposition
};

class ExportService {
public:
    ExportService(Repository& repo, const Clock& clock);
    // Checks permission (owners) and that the format fits the project; call before sending
    // headers so errors still become a JSON 4xx.
    Result<ExportInfo> Prepare(const User& actor, Id project_id, ExportFormat format);
    // Streams the whole file into `sink`.
    Status Write(const User& actor, Id project_id, ExportFormat format, ByteSink& sink);

private:
    Repository& repo_;
    const Clock& clock_;
};

}  // namespace tessera
