#pragma once
// Kaggle's table layouts (Datumaro's "kaggle" image_csv and image_txt): one row per image or
// per object, naming the image, then a label, labels or a box (docs/formats/import.md
// "kaggle-csv, kaggle-txt"). Rows of one image become one record: image-level labels for
// classification projects, pixel boxes for the others.
#include <string>
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

// What four box numbers mean. A header with x2/y2 or w/h columns says it; a single "bbox"
// column or a headerless .txt row does not, and Datumaro's own samples use both, so those
// need it said.
enum class TableBoxes { kDetect, kCorners, kSize };

struct TableImportOptions {
    std::string image_column;  // CSV header name; empty: detected (image_name, filename, ...)
    std::string label_column;  // CSV header name; empty: detected (label_name, label, class, ...)
    TableBoxes boxes = TableBoxes::kDetect;
    std::string label;  // the label of box rows that name none (single-class detection)
};

// Every *.csv among `files` (or the single file): a header row, then RFC 4180 rows. Either an
// image and a label column (classification), one-hot label columns (multi-label: the header
// names the labels, cells are 0 or 1; Roboflow's _classes.csv too), or box columns (x1, y1,
// x2, y2 / x, y, w, h / a "bbox" cell of four numbers) with an optional label column.
Result<ParsedImport> ParseKaggleCsv(const std::vector<ImportFile>& files,
                                    const TableImportOptions& options);
// Every *.txt among `files` (or the single file): no header; fields separated by commas when
// the line has one, else by blanks. "image label [label ...]" (classification), "image label
// n n n n" or "image n n n n" (boxes; the label then comes from options.label).
Result<ParsedImport> ParseKaggleTxt(const std::vector<ImportFile>& files,
                                    const TableImportOptions& options);

}  // namespace tessera
