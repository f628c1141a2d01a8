#include "services/export_service.hpp"

#include "services/buffered_sink.hpp"
#include "services/csv_writer.hpp"
#include "services/export_record.hpp"
#include "services/jsonl_writer.hpp"
#include "services/permissions.hpp"
#include "services/zip_writer.hpp"

namespace tessera {
namespace {

// Azure ML reads annotations.jsonl through this; image_url becomes a stream column.
constexpr std::string_view kMltable =
    "paths:\n"
    "  - file: ./annotations.jsonl\n"
    "transformations:\n"
    "  - read_json_lines:\n"
    "      encoding: utf8\n"
    "      invalid_lines: error\n"
    "      include_path_column: false\n"
    "  - convert_column_types:\n"
    "      - columns: image_url\n"
    "        column_type: stream_info\n";

std::string_view FormatName(ExportFormat format) {
    switch (format) {
        case ExportFormat::kCsv: return "csv";
        case ExportFormat::kJsonl: return "jsonl";
        case ExportFormat::kMltable: return "mltable";
    }
    return "csv";
}

// Keeps names readable in a download dialog and safe inside a quoted Content-Disposition.
std::string SafeFileStem(const std::string& name) {
    std::string out;
    for (unsigned char c : name) {
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
        out += keep ? static_cast<char>(c) : '_';
    }
    while (!out.empty() && out.front() == '.') {
        out.erase(out.begin());
    }
    return out.empty() ? "project" : out;
}

// Feeds every labeled item of the project to `emit` as an ExportRecord; stops at the first
// error from the repository, a malformed row or the sink.
template <typename Emit>
Status ForEachRecord(Repository& repo, const Project& project, Emit emit) {
    Status failed;
    Status walked = repo.ForEachExportRow(project.id, [&](const ExportRow& row) {
        auto record = MakeExportRecord(project, row);
        if (!record.ok()) {
            failed = record.error();
            return false;
        }
        Status written = emit(*record);
        if (!written.ok()) {
            failed = written;
            return false;
        }
        return true;
    });
    TESSERA_TRY(failed);
    return walked;
}

}  // namespace

std::optional<ExportFormat> ParseExportFormat(std::string_view name) {
    for (ExportFormat f : {ExportFormat::kCsv, ExportFormat::kJsonl, ExportFormat::kMltable}) {
        if (FormatName(f) == name) {
            return f;
        }
    }
    return std::nullopt;
}

ExportService::ExportService(Repository& repo, const Clock& clock) : repo_(repo), clock_(clock) {}

Result<ExportInfo> ExportService::Prepare(const User& actor, Id project_id, ExportFormat format) {
    TESSERA_TRY(RequireOwner(actor, "export labels"));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    if (!IsClassification(project.task_type)) {
        return Error::FailedPrecondition(std::string("export of ") +
                                         std::string(TaskTypeName(project.task_type)) +
                                         " projects is not available yet");
    }
    ExportInfo info;
    std::string stem = SafeFileStem(project.name) + "-" + std::string(FormatName(format));
    switch (format) {
        case ExportFormat::kCsv:
            info.content_type = "text/csv; charset=utf-8";
            info.filename = stem + ".csv";
            break;
        case ExportFormat::kJsonl:
            info.content_type = "application/jsonl";
            info.filename = stem + ".jsonl";
            break;
        case ExportFormat::kMltable:
            info.content_type = "application/zip";
            info.filename = stem + ".zip";
            break;
    }
    return info;
}

Status ExportService::Write(const User& actor, Id project_id, ExportFormat format, ByteSink& sink) {
    TESSERA_TRY(Prepare(actor, project_id, format));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    switch (format) {
        case ExportFormat::kCsv: {
            BufferedSink out(sink);
            CsvWriter csv(out);
            TESSERA_TRY(csv.WriteHeader());
            TESSERA_TRY(ForEachRecord(repo_, project,
                                      [&](const ExportRecord& r) { return csv.WriteRecord(r); }));
            return out.Flush();
        }
        case ExportFormat::kJsonl: {
            BufferedSink out(sink);
            JsonlWriter jsonl(out);
            TESSERA_TRY(ForEachRecord(repo_, project,
                                      [&](const ExportRecord& r) { return jsonl.WriteRecord(r); }));
            return out.Flush();
        }
        case ExportFormat::kMltable: {
            ZipWriter zip(sink, clock_.NowMs());
            TESSERA_TRY(zip.BeginEntry("MLTable"));
            TESSERA_TRY(zip.entry().Write(kMltable));
            TESSERA_TRY(zip.BeginEntry("annotations.jsonl"));
            // Deflate output is chunked by the zip writer; buffer lines before deflating.
            BufferedSink lines(zip.entry());
            JsonlWriter jsonl(lines);
            TESSERA_TRY(ForEachRecord(repo_, project,
                                      [&](const ExportRecord& r) { return jsonl.WriteRecord(r); }));
            TESSERA_TRY(lines.Flush());
            return zip.Finish();
        }
    }
    return Error::InvalidArgument("unknown export format", "format");
}

}  // namespace tessera
