#pragma once
// Classification CSV (format=csv, docs/formats/import.md "CSV"): Azure ML data labeling's
// export (`Url`, `Label`, ...) and Tessera's own (`image_url,label,labeler,labeled_at`,
// docs/formats/csv.md). One row per image; a multi-label row joins its labels with ',' in one
// cell.
#include <string>
#include <string_view>
#include <vector>

#include "domain/label_tree.hpp"
#include "domain/task_type.hpp"
#include "formats/import_record_import.hpp"

namespace tessera {

// Every *.csv among `files` (or the single file when none is named .csv). The header names the
// image column (url or image_url) and the label column (label), case-insensitive; other columns
// are ignored. A label cell is split at ',' in a multi-label project; in a multi-class one a cell
// with a comma is a row error unless the whole cell is a label of `tree`. A row with an empty
// label cell is skipped (ParsedImport::skipped). Box, polygon and semantic projects are refused:
// Azure's CSV layout for shapes is not documented.
Result<ParsedImport> ParseCsv(const std::vector<ImportFile>& files, TaskType task_type,
                              const LabelTree& tree);

// The image path named by a CSV image cell: "AmlDatastore://<datastore>/a/b.jpg" -> "a/b.jpg",
// "azureml://.../paths/a/b.jpg" -> "a/b.jpg"; absolute and relative paths as they are.
std::string CsvImagePath(std::string_view url);

}  // namespace tessera
