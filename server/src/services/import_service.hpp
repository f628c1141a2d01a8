#pragma once
// Importing other tools' annotation files into a project (docs/formats/import.md): parse the
// upload (formats/*_import), match each image record to an item by path or unique file name,
// convert coordinates to pixels, validate against the project's task type and labels, and apply
// everything in one transaction, or nothing when any row has an error.
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "formats/import_record_import.hpp"
#include "formats/import_upload.hpp"
#include "formats/kaggle_table_import.hpp"
#include "formats/voc_import.hpp"
#include "storage/repository.hpp"

namespace tessera {

enum class ImportFormat {
    kCoco,
    kCocoAzure,
    kJsonl,
    kVoc,
    kYolo,
    kLabelMe,
    kCvat,
    kMasks,
    kCocoPanoptic,
    kKaggleCsv,
    kKaggleTxt,
    kCreateMl,
    kSegmentAnything,
    kCsv,
    kLabelStudio,
    kDatumaro
};
std::optional<ImportFormat> ParseImportFormat(std::string_view name);

enum class ImportMode { kPrelabel, kFinal };
// Inline: the JSON codecs call it, and the fuzz build links them without the services library.
inline std::optional<ImportMode> ParseImportMode(std::string_view name) {
    if (name == "prelabel") {
        return ImportMode::kPrelabel;
    }
    if (name == "final") {
        return ImportMode::kFinal;
    }
    return std::nullopt;
}

// How COCO coordinates are read: format=coco detects (Azure's normalised flavour when every
// image size is 0 and no coordinate exceeds 1.5), format=coco-azure forces normalised, and
// kPixel forces pixels.
enum class CocoCoordinates { kDetect, kPixel, kNormalized };

struct ImportOptions {
    ImportFormat format = ImportFormat::kCoco;
    ImportMode mode = ImportMode::kPrelabel;
    CocoCoordinates coco = CocoCoordinates::kDetect;
    VocConvention voc = VocConvention::kCorners;  // how VOC box numbers are read
    std::string upload_name = "upload";           // names a non-zip body (its extension matters)
    // kaggle-csv / kaggle-txt: columns and box convention; `table.label` is also the one label
    // of Segment Anything's class-less masks.
    TableImportOptions table;
    // Recorded in the project's import history only: the format as the caller named it
    // ("mltable" reads as jsonl) and the uploaded file's name (may be empty).
    std::string format_name;
    std::string file_name;
};

struct ImportUnmatched {
    int row = 0;
    std::string name;
    std::string reason;
};

// What one image record held that was not imported: shapes Tessera cannot draw or regions the
// tool marks as no class (by kind), and void mask pixels.
struct ImportDropped {
    int row = 0;
    std::string name;
    std::string file;  // the upload's file the record came from
    std::map<std::string, int> shapes;
    std::int64_t void_pixels = 0;
};

struct ImportReport {
    std::int64_t matched = 0;
    std::vector<ImportUnmatched> unmatched;  // reported, but do not stop the import
    std::vector<ImportRowError> errors;      // any error: nothing is applied
    // Records with dropped shapes or void pixels; a record whose every shape was dropped is
    // also in `unmatched` and is not applied (its image is not marked labeled).
    std::vector<ImportDropped> dropped;
    bool applied = false;
};

nlohmann::json ImportReportToJson(const ImportReport& report);

// The history entry's payload: {"format", "mode", "file", "user", "matched", "unmatched",
// "errors", "applied"} (counts, not the rows).
nlohmann::json ImportJobPayload(const std::string& username, const ImportOptions& options,
                                const ImportReport& report);

class ImportService {
public:
    ImportService(Repository& repo, const Clock& clock) : repo_(repo), clock_(clock) {}

    // Owners only. Whole-upload problems (unknown project, corrupt zip, no file of the format)
    // are errors; row problems are in the report and then nothing is applied.
    Result<ImportReport> Import(const User& actor, Id project_id, const ImportOptions& options,
                                std::string body);
    // The same over an upload the HTTP server stored on disk. COCO is streamed from it (a zip
    // entry by entry), so memory grows with the shapes imported, not with the file.
    // Every import of an existing project, applied or not, is recorded as a finished job of
    // kind "import" (kImportJobKind) whose payload is the summary (ImportJobPayload), so the
    // project's job list is also its import history.
    Result<ImportReport> Import(const User& actor, Id project_id, const ImportOptions& options,
                                const ImportUpload& upload);

    static constexpr const char* kImportJobKind = "import";

private:
    Result<ImportReport> Run(const User& actor, const Project& project,
                             const ImportOptions& options, const ImportUpload& upload);
    void Record(const User& actor, Id project_id, const ImportOptions& options,
                const Result<ImportReport>& outcome);

    Repository& repo_;
    const Clock& clock_;
};

}  // namespace tessera
