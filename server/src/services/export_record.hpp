#pragma once
// Builds the format-neutral ExportRecord (formats/export_record.hpp) from a Repository
// ExportRow; the writers (formats/csv_writer, formats/jsonl_writer) only lay it out.
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "formats/export_record.hpp"
#include "storage/repository.hpp"

namespace tessera {

// kInternal when the stored payload is malformed (the export stops rather than silently
// dropping a row).
Result<ExportRecord> MakeExportRecord(const Project& project, const ExportRow& row);

// "2023-11-14T22:13:20.000Z"
std::string FormatIsoUtc(TimeMs ms);

}  // namespace tessera
