#include "formats/kaggle_table_import.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>

#include "base/text.hpp"
#include "formats/csv_table.hpp"

namespace tessera {

namespace {

std::optional<double> Number(const std::string& text) {
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        if (used != text.size() || !std::isfinite(v)) {
            return std::nullopt;
        }
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Headerless .txt rows share the CSV record shape.
using TableRow = CsvRecord;

// Headerless rows: comma-separated when the line has a comma (Datumaro's image_txt_det), else
// blank-separated (image_txt). '#' lines are comments.
std::vector<TableRow> TxtRows(const std::string& text) {
    std::vector<TableRow> rows;
    std::stringstream in(text);
    std::string raw;
    for (int line = 1; std::getline(in, raw); ++line) {
        const std::string trimmed = Trim(raw);
        if (trimmed.empty() || trimmed.starts_with("#")) {
            continue;
        }
        TableRow row{line, {}};
        if (trimmed.find(',') != std::string::npos) {
            std::stringstream fields(trimmed);
            for (std::string field; std::getline(fields, field, ',');) {
                row.cells.push_back(Trim(field));
            }
        } else {
            std::stringstream fields(trimmed);
            for (std::string field; fields >> field;) {
                row.cells.push_back(field);
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

bool HasImageExtension(const std::string& name) {
    static const std::array<std::string_view, 9> kExtensions = {
        ".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".jfif"};
    for (std::string_view ext : kExtensions) {
        if (ImportEndsWith(name, ext)) {
            return true;
        }
    }
    return false;
}

// The rows of one image make one record, in the order images first appear.
class RecordsByImage {
public:
    explicit RecordsByImage(ParsedImport& out) : out_(out) {}

    ImportRecord& For(const std::string& image, int row) {
        auto [it, fresh] = index_.emplace(image, out_.records.size());
        if (fresh) {
            ImportRecord record;
            record.row = row;
            record.name = image;
            // Kaggle's "_wo_ext" files name images without their extension.
            record.match_stem = !HasImageExtension(image);
            out_.records.push_back(std::move(record));
        }
        return out_.records[it->second];
    }

private:
    ParsedImport& out_;
    std::map<std::string, std::size_t> index_;
};

Shape BoxOf(std::string label, const std::array<double, 4>& v, TableBoxes boxes) {
    if (boxes == TableBoxes::kSize) {
        Shape shape;
        shape.label = std::move(label);
        shape.geometry = Box{v[0], v[1], v[2], v[3]};
        return shape;
    }
    return MakeBoxShape(std::move(label), v[0], v[1], v[2], v[3]);
}

const char* const kAmbiguousBoxes =
    "four box numbers without column names may be x1 y1 x2 y2 (Datumaro's Kaggle samples) or "
    "x y w h (COCO, Kaggle's wheat set): say which with boxes=corners or boxes=size";

std::vector<const ImportFile*> FilesEnding(const std::vector<ImportFile>& files,
                                           std::string_view extension) {
    std::vector<const ImportFile*> out;
    for (const ImportFile& file : files) {
        if (ImportEndsWith(file.path, extension)) {
            out.push_back(&file);
        }
    }
    return out;
}

// --- CSV columns

int ColumnNamed(const std::vector<std::string>& lower, std::string_view name) {
    for (std::size_t i = 0; i < lower.size(); ++i) {
        if (lower[i] == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

struct CsvLayout {
    int image = 0;
    int label = -1;
    std::array<int, 4> box = {-1, -1, -1, -1};  // four named columns
    int bbox = -1;                              // one cell of four numbers
    TableBoxes boxes = TableBoxes::kDetect;
    std::vector<int> one_hot;  // label columns of 0/1 cells, when there is no label column

    bool has_box() const { return box[0] >= 0 || bbox >= 0; }
};

Result<int> GivenColumn(const std::vector<std::string>& header, const std::string& given,
                        const char* option, const std::string& path) {
    const int i = ColumnNamed(header, Lower(given));
    if (i < 0) {
        return Error::InvalidArgument(std::string(option) + " \"" + given + "\" is not in " + path +
                                      "'s header (" + JoinedNames(header) + ")");
    }
    return i;
}

Result<CsvLayout> DetectCsvLayout(const std::vector<std::string>& header, const std::string& path,
                                  const TableImportOptions& options) {
    std::vector<std::string> lower;
    lower.reserve(header.size());
    for (const std::string& name : header) {
        lower.push_back(Lower(name));
    }
    CsvLayout layout;
    if (!options.image_column.empty()) {
        TESSERA_ASSIGN_OR_RETURN(layout.image,
                                 GivenColumn(lower, options.image_column, "image_column", path));
    } else {
        layout.image = std::max(
            0, FirstColumnOf(lower, {"image_name", "image", "filename", "file_name", "image_id",
                                     "image_path", "img", "file", "path", "id"}));
    }
    if (!options.label_column.empty()) {
        TESSERA_ASSIGN_OR_RETURN(layout.label,
                                 GivenColumn(lower, options.label_column, "label_column", path));
    } else {
        layout.label =
            FirstColumnOf(lower, {"label_name", "label", "class_name", "class", "classname",
                                  "category_name", "category", "labels", "tags"});
    }
    using Names = std::array<std::string_view, 4>;
    static const std::pair<Names, TableBoxes> kBoxNames[] = {
        {{"x1", "y1", "x2", "y2"}, TableBoxes::kCorners},
        {{"xmin", "ymin", "xmax", "ymax"}, TableBoxes::kCorners},
        {{"x_min", "y_min", "x_max", "y_max"}, TableBoxes::kCorners},
        {{"left", "top", "right", "bottom"}, TableBoxes::kCorners},
        {{"x1", "y1", "w", "h"}, TableBoxes::kSize},
        {{"x1", "y1", "width", "height"}, TableBoxes::kSize},
        {{"x", "y", "w", "h"}, TableBoxes::kSize},
        {{"x", "y", "width", "height"}, TableBoxes::kSize},
        {{"xmin", "ymin", "w", "h"}, TableBoxes::kSize},
        {{"xmin", "ymin", "width", "height"}, TableBoxes::kSize},
        {{"left", "top", "width", "height"}, TableBoxes::kSize},
    };
    for (const auto& [names, kind] : kBoxNames) {
        std::array<int, 4> found{};
        bool all = true;
        for (int k = 0; k < 4; ++k) {
            found[k] = ColumnNamed(lower, names[k]);
            all = all && found[k] >= 0;
        }
        if (all) {
            layout.box = found;
            layout.boxes = kind;  // the names say it; boxes= is for unnamed numbers
            break;
        }
    }
    if (layout.box[0] < 0) {
        layout.bbox = FirstColumnOf(lower, {"bbox", "box", "bounding_box"});
        if (layout.bbox >= 0) {
            layout.boxes = options.boxes;
            if (layout.boxes == TableBoxes::kDetect) {
                return Error::InvalidArgument(path + ": column \"" + header[layout.bbox] +
                                              "\": " + kAmbiguousBoxes);
            }
        }
    }
    if (layout.has_box() && layout.label < 0 && options.label.empty()) {
        return Error::InvalidArgument(
            path +
            " has box columns but no label column (label_name, label, class, ...): name it "
            "with label_column=, or give the one label of every box with label=");
    }
    if (!layout.has_box() && layout.label < 0) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (static_cast<int>(i) != layout.image) {
                layout.one_hot.push_back(static_cast<int>(i));
            }
        }
        if (layout.one_hot.empty()) {
            return Error::InvalidArgument(path +
                                          " has no label column (label_name, label, class, "
                                          "...) and no box columns; header: " +
                                          JoinedNames(header));
        }
    }
    return layout;
}

// "[1, 2, 3, 4]", "1,2,3,4", "1 2 3 4".
std::optional<std::array<double, 4>> BboxCell(std::string cell) {
    for (char& c : cell) {
        if (c == '[' || c == ']' || c == '(' || c == ')' || c == ',') {
            c = ' ';
        }
    }
    std::stringstream in(cell);
    std::vector<double> values;
    for (std::string token; in >> token;) {
        auto v = Number(token);
        if (!v) {
            return std::nullopt;
        }
        values.push_back(*v);
    }
    if (values.size() != 4) {
        return std::nullopt;
    }
    return std::array<double, 4>{values[0], values[1], values[2], values[3]};
}

std::optional<bool> OneHot(const std::string& cell) {
    const std::string lower = Lower(cell);
    if (lower == "1" || lower == "1.0" || lower == "true") {
        return true;
    }
    if (lower.empty() || lower == "0" || lower == "0.0" || lower == "false") {
        return false;
    }
    return std::nullopt;
}

// One data row into its image's record; the message says what is wrong with the row.
Status ReadCsvRow(const TableRow& row, const std::vector<std::string>& header,
                  const CsvLayout& layout, const TableImportOptions& options, int row_number,
                  RecordsByImage& records) {
    auto cell = [&](int i) -> std::string {
        return i >= 0 && i < static_cast<int>(row.cells.size()) ? row.cells[i] : std::string();
    };
    const std::string image = cell(layout.image);
    if (image.empty()) {
        return Error::InvalidArgument("no image name in column \"" + header[layout.image] + "\"");
    }
    if (!layout.has_box() && layout.label >= 0) {
        const std::string label = cell(layout.label);
        if (label.empty()) {
            return Error::InvalidArgument("no label in column \"" + header[layout.label] + "\"");
        }
        records.For(image, row_number).labels.push_back(label);
        return Status::Ok();
    }
    if (!layout.has_box()) {
        std::vector<std::string> labels;
        for (int i : layout.one_hot) {
            auto set = OneHot(cell(i));
            if (!set) {
                return Error::InvalidArgument(
                    "column \"" + header[i] + "\" holds \"" + cell(i) +
                    "\": without a label column the other columns are one-hot labels (0 or 1); "
                    "name the label column with label_column=");
            }
            if (*set) {
                labels.push_back(header[i]);
            }
        }
        // A row of zeros is an image without any of the labels: nothing to import for it.
        if (!labels.empty()) {
            auto& record = records.For(image, row_number);
            record.labels.insert(record.labels.end(), labels.begin(), labels.end());
        }
        return Status::Ok();
    }
    std::array<double, 4> values{};
    if (layout.bbox >= 0) {
        auto parsed = BboxCell(cell(layout.bbox));
        if (!parsed) {
            return Error::InvalidArgument("column \"" + header[layout.bbox] + "\" holds \"" +
                                          cell(layout.bbox) + "\", not four numbers");
        }
        values = *parsed;
    } else {
        for (int k = 0; k < 4; ++k) {
            auto v = Number(cell(layout.box[k]));
            if (!v) {
                return Error::InvalidArgument("column \"" + header[layout.box[k]] + "\" holds \"" +
                                              cell(layout.box[k]) + "\", not a number");
            }
            values[k] = *v;
        }
    }
    std::string label = layout.label >= 0 ? cell(layout.label) : options.label;
    if (label.empty()) {
        return Error::InvalidArgument("no label in column \"" + header[layout.label] + "\"");
    }
    records.For(image, row_number).shapes.push_back(BoxOf(std::move(label), values, layout.boxes));
    return Status::Ok();
}

// The box of a headerless row: its last four fields when they are numbers and the row is
// "image n n n n" or "image label n n n n".
std::optional<std::array<double, 4>> TxtBox(const std::vector<std::string>& f) {
    if (f.size() != 5 && f.size() != 6) {
        return std::nullopt;
    }
    std::array<double, 4> values{};
    for (int k = 0; k < 4; ++k) {
        auto v = Number(f[f.size() - 4 + k]);
        if (!v) {
            return std::nullopt;
        }
        values[k] = *v;
    }
    return values;
}

// What every box row needs said, once for the upload: which numbers a box is and, when rows
// name no label, the label.
Status CheckTxtBoxOptions(const std::vector<std::string>& f, const TableImportOptions& options) {
    if (!TxtBox(f)) {
        return Status::Ok();
    }
    if (options.boxes == TableBoxes::kDetect) {
        return Error::InvalidArgument(kAmbiguousBoxes);
    }
    if (f.size() == 5 && options.label.empty()) {
        return Error::InvalidArgument(
            "rows \"image x y x y\" name no label: give the one label of every box with label=");
    }
    return Status::Ok();
}

// One headerless row: "image label...", "image label n n n n" or "image n n n n".
Status ReadTxtRow(const TableRow& row, const TableImportOptions& options, int row_number,
                  RecordsByImage& records) {
    const std::vector<std::string>& f = row.cells;
    if (f.size() < 2) {
        return Error::InvalidArgument("a row needs an image and a label or a box");
    }
    auto box = TxtBox(f);
    if (!box) {
        auto& record = records.For(f[0], row_number);
        record.labels.insert(record.labels.end(), f.begin() + 1, f.end());
        return Status::Ok();
    }
    std::string label = f.size() == 6 ? f[1] : options.label;
    records.For(f[0], row_number).shapes.push_back(BoxOf(std::move(label), *box, options.boxes));
    return Status::Ok();
}

}  // namespace

Result<ParsedImport> ParseKaggleCsv(const std::vector<ImportFile>& files,
                                    const TableImportOptions& options) {
    std::vector<const ImportFile*> tables = FilesEnding(files, ".csv");
    if (tables.empty()) {
        return Error::InvalidArgument("no .csv file in the upload");
    }
    ParsedImport out;
    RecordsByImage records(out);
    int offset = 0;  // rows are numbered across the upload's files
    for (const ImportFile* file : tables) {
        std::vector<TableRow> rows = ReadCsvRecords(file->bytes);
        if (rows.empty()) {
            continue;
        }
        const std::vector<std::string>& header = rows[0].cells;
        TESSERA_ASSIGN_OR_RETURN(CsvLayout layout, DetectCsvLayout(header, file->path, options));
        for (std::size_t i = 1; i < rows.size(); ++i) {
            const int row_number = offset + rows[i].line;
            Status read = ReadCsvRow(rows[i], header, layout, options, row_number, records);
            if (!read.ok()) {
                // The one-hot layout is a guess about the whole file: a cell that is not 0/1
                // means the guess was wrong, which is the upload's problem, not this row's.
                if (!layout.one_hot.empty()) {
                    return Error::InvalidArgument(file->path + " line " +
                                                  std::to_string(rows[i].line) + ": " +
                                                  read.error().message);
                }
                out.errors.push_back({row_number, file->path + " line " +
                                                      std::to_string(rows[i].line) + ": " +
                                                      read.error().message});
            }
        }
        offset += rows.back().line;
    }
    return out;
}

Result<ParsedImport> ParseKaggleTxt(const std::vector<ImportFile>& files,
                                    const TableImportOptions& options) {
    std::vector<const ImportFile*> tables = FilesEnding(files, ".txt");
    if (tables.empty()) {
        return Error::InvalidArgument("no .txt file in the upload");
    }
    ParsedImport out;
    RecordsByImage records(out);
    int offset = 0;
    for (const ImportFile* file : tables) {
        std::vector<TableRow> rows = TxtRows(file->bytes);
        for (const TableRow& row : rows) {
            const int row_number = offset + row.line;
            if (Status upload = CheckTxtBoxOptions(row.cells, options); !upload.ok()) {
                return Error::InvalidArgument(file->path + " line " + std::to_string(row.line) +
                                              ": " + upload.error().message);
            }
            Status read = ReadTxtRow(row, options, row_number, records);
            if (!read.ok()) {
                out.errors.push_back({row_number, file->path + " line " + std::to_string(row.line) +
                                                      ": " + read.error().message});
            }
        }
        offset += rows.empty() ? 0 : rows.back().line;
    }
    return out;
}

}  // namespace tessera
