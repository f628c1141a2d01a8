// Import of other tools' annotation files (docs/api.md "Import", docs/formats/import.md).
#include <algorithm>

#include "http/api_routes.hpp"
#include "http/json_io.hpp"
#include "services/import_service.hpp"

namespace tessera::http {
namespace {

Result<ImportOptions> OptionsOf(const Request& request) {
    ImportOptions options;
    const std::string format = request.Query("format").value_or("");
    auto parsed_format = ParseImportFormat(format);
    if (!parsed_format) {
        return Error::InvalidArgument(
            "format must be one of coco, coco-azure, jsonl, mltable, voc, yolo, labelme, cvat, "
            "masks, coco-panoptic, kaggle-csv, kaggle-txt, createml, segment-anything, csv, "
            "label-studio, datumaro",
            "format");
    }
    options.format = *parsed_format;
    options.format_name = format;
    // For the import history; LabelMe also reads it to tell JSON from XML (below).
    options.file_name = request.Query("filename").value_or("");
    if (options.file_name.size() > 255 ||
        std::any_of(options.file_name.begin(), options.file_name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
        return Error::InvalidArgument(
            "filename must be at most 255 characters, without control "
            "characters",
            "filename");
    }
    auto mode = ParseImportMode(request.Query("mode").value_or("prelabel"));
    if (!mode) {
        return Error::InvalidArgument("mode must be prelabel or final", "mode");
    }
    options.mode = *mode;
    const std::string coordinates = request.Query("coordinates").value_or("auto");
    if (coordinates == "pixel") {
        options.coco = CocoCoordinates::kPixel;
    } else if (coordinates == "normalized") {
        options.coco = CocoCoordinates::kNormalized;
    } else if (coordinates != "auto") {
        return Error::InvalidArgument("coordinates must be auto, pixel or normalized",
                                      "coordinates");
    }
    const std::string voc_convention = request.Query("voc_convention").value_or("corners");
    if (voc_convention == "devkit") {
        options.voc = VocConvention::kDevkit;
    } else if (voc_convention != "corners") {
        return Error::InvalidArgument("voc_convention must be corners or devkit", "voc_convention");
    }
    // kaggle-csv/-txt columns and box convention; label= also names segment-anything's class.
    options.table.image_column = request.Query("image_column").value_or("");
    options.table.label_column = request.Query("label_column").value_or("");
    options.table.label = request.Query("label").value_or("");
    const std::string boxes = request.Query("boxes").value_or("auto");
    if (boxes == "corners") {
        options.table.boxes = TableBoxes::kCorners;
    } else if (boxes == "size") {
        options.table.boxes = TableBoxes::kSize;
    } else if (boxes != "auto") {
        return Error::InvalidArgument("boxes must be auto, corners or size", "boxes");
    }
    // A single (non-zip) body is named after its format so the readers pick it up.
    switch (options.format) {
        case ImportFormat::kJsonl: options.upload_name = "upload.jsonl"; break;
        case ImportFormat::kVoc:
        case ImportFormat::kCvat: options.upload_name = "upload.xml"; break;
        case ImportFormat::kKaggleCsv:
        case ImportFormat::kCsv: options.upload_name = "upload.csv"; break;
        case ImportFormat::kKaggleTxt: options.upload_name = "upload.txt"; break;
        case ImportFormat::kLabelMe:
            options.upload_name = options.file_name.empty() ? "upload.json" : options.file_name;
            break;
        case ImportFormat::kDatumaro:
            // Datumaro names a file after its subset (train.json); without a name, the default.
            options.upload_name =
                options.file_name.ends_with(".json") ? options.file_name : "default.json";
            break;
        default: options.upload_name = "upload.json"; break;
    }
    return options;
}

Result<Response> Import(ApiContext& context, Request& request) {
    TESSERA_ASSIGN_OR_RETURN(Id project_id, request.IdParam("id"));
    if (context.imports == nullptr) {
        return Error::Unavailable("import is not enabled on this server");
    }
    TESSERA_ASSIGN_OR_RETURN(ImportOptions options, OptionsOf(request));
    // The server streamed the body to a file (removed after the response) when it has an
    // upload dir; small test servers keep it in memory.
    const ImportUpload upload =
        request.upload.empty() ? ImportUpload::FromBytes(request.raw.body(), options.upload_name)
                               : ImportUpload::FromFile(request.upload, options.upload_name);
    TESSERA_ASSIGN_OR_RETURN(ImportReport report,
                             context.imports->Import(request.user(), project_id, options, upload));
    // A report with errors is still an answer about the upload, not a failed request; the
    // status tells scripts whether anything was applied.
    return JsonResponse(report.applied ? 200 : 422, ImportReportToJson(report));
}

}  // namespace

void RegisterImportRoutes(Router& router, ApiContext& context) {
    AddRoute(router, "POST", "/api/v1/projects/{id}/import", Access::kAuthenticated,
             Bind(context, Import));
}

}  // namespace tessera::http
