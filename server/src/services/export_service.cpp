#include "services/export_service.hpp"

#include <nlohmann/json.hpp>

#include "domain/label_tree.hpp"
#include "domain/shapes.hpp"
#include "formats/automl_writer.hpp"
#include "formats/buffered_sink.hpp"
#include "formats/coco_writer.hpp"
#include "formats/csv_writer.hpp"
#include "formats/export_image.hpp"
#include "formats/jsonl_writer.hpp"
#include "formats/mask_writer.hpp"
#include "formats/voc_writer.hpp"
#include "formats/yolo_writer.hpp"
#include "formats/zip_writer.hpp"
#include "services/export_record.hpp"
#include "services/permissions.hpp"

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
        case ExportFormat::kCoco: return "coco";
        case ExportFormat::kCocoAzure: return "coco-azure";
        case ExportFormat::kVoc: return "voc";
        case ExportFormat::kYolo: return "yolo";
        case ExportFormat::kMasks: return "masks";
    }
    return "csv";
}

constexpr ExportFormat kAllFormats[] = {
    ExportFormat::kCsv,       ExportFormat::kJsonl, ExportFormat::kMltable, ExportFormat::kCoco,
    ExportFormat::kCocoAzure, ExportFormat::kVoc,   ExportFormat::kYolo,    ExportFormat::kMasks};

// Which formats can hold which answers: VOC has boxes only, YOLO and AutoML no masks, and a
// mask PNG no instances (polygon projects would need rasterising: not offered).
bool FormatFits(TaskType type, ExportFormat format) {
    if (IsClassification(type)) {
        return format == ExportFormat::kCsv || format == ExportFormat::kJsonl ||
               format == ExportFormat::kMltable;
    }
    switch (format) {
        case ExportFormat::kCsv: return false;
        case ExportFormat::kCoco:
        case ExportFormat::kCocoAzure: return true;
        case ExportFormat::kJsonl:
        case ExportFormat::kMltable:
        case ExportFormat::kYolo: return type != TaskType::kSemantic;
        case ExportFormat::kVoc: return type == TaskType::kBbox;
        case ExportFormat::kMasks: return type == TaskType::kSemantic;
    }
    return false;
}

std::string AutoMlImageFormat(const std::string& format) {
    return format == "jpeg" ? "jpg" : format;
}

std::string JoinRootPath(const std::string& root, const std::string& relative) {
    if (!root.empty() && root.back() == '/') {
        return root + relative;
    }
    return root + "/" + relative;
}

// A drawing project's stored answer as the writers' input. `with_shapes` false skips parsing
// for passes that only list images. kInternal on a malformed payload: the export stops rather
// than silently dropping a row.
Result<ExportImage> MakeExportImage(const Project& project, const ExportRow& row,
                                    bool with_shapes) {
    ExportImage image;
    image.id = row.item.id;
    image.file_name = row.item.path;
    image.image_url = JoinRootPath(project.datasource.path, row.item.path);
    image.format = AutoMlImageFormat(row.item.format);
    image.width = row.item.width;
    image.height = row.item.height;
    image.labeler = row.author;
    image.labeled_at = FormatIsoUtc(row.annotation.updated_at);
    if (!with_shapes) {
        return image;
    }
    auto malformed = [&] {
        return Error::Internal("item " + std::to_string(row.item.id) +
                               " has a malformed stored answer");
    };
    nlohmann::json payload = nlohmann::json::parse(row.annotation.payload_json, nullptr, false);
    if (payload.is_discarded() || !payload.is_object() || !payload.contains("shapes")) {
        return malformed();
    }
    auto shapes = ShapesFromJson(payload["shapes"]);
    if (!shapes.ok()) {
        return malformed();
    }
    image.shapes = std::move(shapes).value();
    return image;
}

// Feeds every labeled item of the project through `convert` (row -> Result<T>) to `emit`;
// stops at the first error from the repository, a malformed row or the sink.
template <typename Convert, typename Emit>
Status ForEachConverted(Repository& repo, const Project& project, Convert convert, Emit emit) {
    Status failed;
    Status walked = repo.ForEachExportRow(project.id, [&](const ExportRow& row) {
        auto converted = convert(row);
        if (!converted.ok()) {
            failed = converted.error();
            return false;
        }
        Status written = emit(*converted);
        if (!written.ok()) {
            failed = written;
            return false;
        }
        return true;
    });
    TESSERA_TRY(failed);
    return walked;
}

template <typename Emit>
Status ForEachImage(Repository& repo, const Project& project, bool with_shapes, Emit emit) {
    return ForEachConverted(
        repo, project,
        [&](const ExportRow& row) { return MakeExportImage(project, row, with_shapes); }, emit);
}

Result<ExportCategories> ProjectCategories(const Project& project) {
    TESSERA_ASSIGN_OR_RETURN(LabelTree tree, LabelTreeOf(project));
    return ExportCategories::FromTree(tree);
}

// Two passes over the rows: all images, then all annotations, so neither is held in memory.
// An item labeled between the passes may be missing from images[] or carry another answer;
// COCO readers accept annotations of any listed image, and exports are snapshots at best.
Status WriteCoco(Repository& repo, const Project& project, CocoExportFlavor flavor,
                 ByteSink& sink) {
    TESSERA_ASSIGN_OR_RETURN(ExportCategories categories, ProjectCategories(project));
    BufferedSink out(sink);
    CocoWriter coco(out, flavor, std::move(categories));
    TESSERA_TRY(coco.Begin());
    TESSERA_TRY(ForEachImage(repo, project, false,
                             [&](const ExportImage& image) { return coco.WriteImage(image); }));
    TESSERA_TRY(coco.BeginAnnotations());
    TESSERA_TRY(ForEachImage(repo, project, true, [&](const ExportImage& image) {
        return coco.WriteAnnotations(image);
    }));
    TESSERA_TRY(coco.Finish());
    return out.Flush();
}

// One zip entry per image, named by `entry_name`, holding what `write` puts there.
template <typename Name, typename WriteEntry>
Status WriteEntries(Repository& repo, const Project& project, ZipWriter& zip, Name entry_name,
                    WriteEntry write) {
    return ForEachImage(repo, project, true, [&](const ExportImage& image) -> Status {
        TESSERA_TRY(zip.BeginEntry(entry_name(image)));
        BufferedSink out(zip.entry());
        TESSERA_TRY(write(image, out));
        return out.Flush();
    });
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

// Feeds every labeled item of the project to `emit` as an ExportRecord.
template <typename Emit>
Status ForEachRecord(Repository& repo, const Project& project, Emit emit) {
    return ForEachConverted(
        repo, project, [&](const ExportRow& row) { return MakeExportRecord(project, row); }, emit);
}

}  // namespace

std::optional<ExportFormat> ParseExportFormat(std::string_view name) {
    for (ExportFormat f : kAllFormats) {
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
    if (!FormatFits(project.task_type, format)) {
        return Error::FailedPrecondition(std::string(FormatName(format)) + " export of " +
                                         std::string(TaskTypeName(project.task_type)) +
                                         " projects is not available");
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
        case ExportFormat::kCoco:
        case ExportFormat::kCocoAzure:
            info.content_type = "application/json";
            info.filename = stem + ".json";
            break;
        case ExportFormat::kMltable:
        case ExportFormat::kVoc:
        case ExportFormat::kYolo:
        case ExportFormat::kMasks:
            info.content_type = "application/zip";
            info.filename = stem + ".zip";
            break;
    }
    return info;
}

Status ExportService::Write(const User& actor, Id project_id, ExportFormat format, ByteSink& sink) {
    TESSERA_TRY(Prepare(actor, project_id, format));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    if (!IsClassification(project.task_type)) {
        return WriteDrawing(project, format, sink);
    }
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
        default: break;  // Prepare refused the drawing formats
    }
    return Error::InvalidArgument("unknown export format", "format");
}

Status ExportService::WriteDrawing(const Project& project, ExportFormat format, ByteSink& sink) {
    switch (format) {
        case ExportFormat::kCoco: return WriteCoco(repo_, project, CocoExportFlavor::kPixel, sink);
        case ExportFormat::kCocoAzure:
            return WriteCoco(repo_, project, CocoExportFlavor::kAzure, sink);
        case ExportFormat::kJsonl: {
            BufferedSink out(sink);
            AutoMlWriter jsonl(out);
            TESSERA_TRY(ForEachImage(repo_, project, true, [&](const ExportImage& image) {
                return jsonl.WriteImage(image);
            }));
            return out.Flush();
        }
        case ExportFormat::kMltable: {
            ZipWriter zip(sink, clock_.NowMs());
            TESSERA_TRY(zip.BeginEntry("MLTable"));
            TESSERA_TRY(zip.entry().Write(kMltable));
            TESSERA_TRY(zip.BeginEntry("annotations.jsonl"));
            BufferedSink lines(zip.entry());
            AutoMlWriter jsonl(lines);
            TESSERA_TRY(ForEachImage(repo_, project, true, [&](const ExportImage& image) {
                return jsonl.WriteImage(image);
            }));
            TESSERA_TRY(lines.Flush());
            return zip.Finish();
        }
        case ExportFormat::kVoc: {
            ZipWriter zip(sink, clock_.NowMs());
            TESSERA_TRY(WriteEntries(repo_, project, zip, VocEntryName,
                                     [](const ExportImage& image, ByteSink& out) -> Status {
                                         TESSERA_ASSIGN_OR_RETURN(std::string xml, VocXml(image));
                                         return out.Write(xml);
                                     }));
            return zip.Finish();
        }
        case ExportFormat::kYolo: {
            TESSERA_ASSIGN_OR_RETURN(ExportCategories categories, ProjectCategories(project));
            ZipWriter zip(sink, clock_.NowMs());
            TESSERA_TRY(zip.BeginEntry("data.yaml"));
            TESSERA_TRY(zip.entry().Write(YoloDataYaml(categories)));
            TESSERA_TRY(WriteEntries(repo_, project, zip, YoloEntryName,
                                     [&](const ExportImage& image, ByteSink& out) -> Status {
                                         TESSERA_ASSIGN_OR_RETURN(std::string text,
                                                                  YoloLabels(image, categories));
                                         return out.Write(text);
                                     }));
            return zip.Finish();
        }
        case ExportFormat::kMasks: {
            TESSERA_ASSIGN_OR_RETURN(ExportCategories categories, ProjectCategories(project));
            if (categories.names.size() > kMaxMaskClasses) {
                return Error::FailedPrecondition("mask export holds at most 255 labels");
            }
            ZipWriter zip(sink, clock_.NowMs());
            TESSERA_TRY(zip.BeginEntry("labelmap.txt"));
            TESSERA_TRY(zip.entry().Write(LabelMapText(categories)));
            TESSERA_TRY(WriteEntries(repo_, project, zip, MaskEntryName,
                                     [&](const ExportImage& image, ByteSink& out) {
                                         return WriteMaskPng(image, categories, out);
                                     }));
            return zip.Finish();
        }
        case ExportFormat::kCsv: break;
    }
    return Error::FailedPrecondition("csv export of drawing projects is not available");
}

}  // namespace tessera
