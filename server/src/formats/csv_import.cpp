#include "formats/csv_import.hpp"

#include "base/text.hpp"
#include "formats/csv_table.hpp"
#include "formats/jsonl_import.hpp"

namespace tessera {

namespace {

// Which formats carry the shapes of a project that CSV cannot.
std::string ShapeFormatsFor(TaskType task_type) {
    switch (task_type) {
        case TaskType::kBbox:
            return "jsonl (Azure's AutoML export), coco-azure, coco, voc, yolo, cvat or labelme";
        case TaskType::kPolygon:
            return "jsonl (Azure's AutoML export), coco-azure, coco, yolo, cvat or labelme";
        default: return "masks, coco, coco-panoptic or cvat";
    }
}

struct Columns {
    int image = -1;
    int label = -1;
};

Result<Columns> ColumnsOf(const std::vector<std::string>& header, const std::string& path) {
    Columns columns;
    columns.image = FirstColumnOf(header, {"url", "image_url"});
    columns.label = FirstColumnOf(header, {"label"});
    if (columns.image < 0) {
        return Error::InvalidArgument(
            path + " has no image column (Url or image_url) in its header: " + JoinedNames(header));
    }
    if (columns.label < 0) {
        return Error::InvalidArgument(
            path + " has no label column (Label) in its header: " + JoinedNames(header));
    }
    return columns;
}

// The labels of one cell. A whole cell that is a label stays one (label names may hold commas);
// otherwise a multi-label cell is split at ',' and a multi-class one must not hold a comma.
Result<std::vector<std::string>> LabelsOfCell(const std::string& cell, TaskType task_type,
                                              const LabelTree& tree) {
    if (tree.Contains(cell) || cell.find(',') == std::string::npos) {
        return std::vector<std::string>{cell};
    }
    if (task_type == TaskType::kMulticlass) {
        return Error::InvalidArgument("the label cell \"" + cell +
                                      "\" holds several labels, but the project is multi-class "
                                      "(one label an image), and it is not itself a label");
    }
    std::vector<std::string> labels;
    std::size_t begin = 0;
    while (begin <= cell.size()) {
        std::size_t comma = cell.find(',', begin);
        if (comma == std::string::npos) {
            comma = cell.size();
        }
        // Blanks after the commas are Azure's "cat, dog"; an empty piece is a trailing comma.
        if (std::string label = Trim(std::string_view(cell).substr(begin, comma - begin), kBlanks);
            !label.empty()) {
            labels.push_back(std::move(label));
        }
        begin = comma + 1;
    }
    return labels;
}

std::vector<const ImportFile*> CsvFiles(const std::vector<ImportFile>& files) {
    std::vector<const ImportFile*> out;
    for (const ImportFile& file : files) {
        if (ImportEndsWith(file.path, ".csv")) {
            out.push_back(&file);
        }
    }
    if (out.empty() && files.size() == 1) {
        out.push_back(&files[0]);  // a single body, whatever it is called
    }
    return out;
}

}  // namespace

std::string CsvImagePath(std::string_view url) {
    static constexpr std::string_view kAmlDatastore = "amldatastore://";
    if (Lower(url.substr(0, kAmlDatastore.size())) == kAmlDatastore) {
        // AmlDatastore://<datastore>/<path>: the datastore's name is not a folder of the images.
        const std::string_view rest = url.substr(kAmlDatastore.size());
        const std::size_t slash = rest.find('/');
        return std::string(slash == std::string_view::npos ? rest : rest.substr(slash + 1));
    }
    if (url.find("://") != std::string_view::npos) {
        return JsonlImagePath(std::string(url));  // azureml://.../paths/<path>, file://<path>
    }
    return std::string(url);
}

Result<ParsedImport> ParseCsv(const std::vector<ImportFile>& files, TaskType task_type,
                              const LabelTree& tree) {
    if (!IsClassification(task_type)) {
        return Error::InvalidArgument(
            "CSV import is for classification projects (multi-class, multi-label); a " +
            std::string(TaskTypeName(task_type)) + " project's shapes are imported with " +
            ShapeFormatsFor(task_type));
    }
    std::vector<const ImportFile*> tables = CsvFiles(files);
    if (tables.empty()) {
        return Error::InvalidArgument("no .csv file in the upload");
    }
    ParsedImport out;
    int offset = 0;  // rows are numbered by line, continuing across the upload's files
    for (const ImportFile* file : tables) {
        const std::vector<CsvRecord> rows = ReadCsvRecords(file->bytes);
        if (rows.empty()) {
            continue;
        }
        const std::vector<std::string>& header = rows[0].cells;
        TESSERA_ASSIGN_OR_RETURN(Columns columns, ColumnsOf(header, file->path));
        for (std::size_t i = 1; i < rows.size(); ++i) {
            const CsvRecord& row = rows[i];
            const int row_number = offset + row.line;
            const std::string where = file->path + " line " + std::to_string(row.line) + ": ";
            auto cell = [&](int column) {
                return column < static_cast<int>(row.cells.size()) ? row.cells[column]
                                                                   : std::string();
            };
            const std::string image = CsvImagePath(cell(columns.image));
            if (image.empty()) {
                out.errors.push_back(
                    {row_number, where + "no image in column \"" + header[columns.image] + "\""});
                continue;
            }
            const std::string label_cell = cell(columns.label);
            if (label_cell.empty()) {
                out.skipped.push_back(
                    {row_number, image, where + "the label cell is empty: nothing to import"});
                continue;
            }
            auto labels = LabelsOfCell(label_cell, task_type, tree);
            if (!labels.ok()) {
                out.errors.push_back({row_number, where + image + ": " + labels.error().message});
                continue;
            }
            ImportRecord record;
            record.row = row_number;
            record.name = image;
            record.labels = std::move(labels).value();
            out.records.push_back(std::move(record));
        }
        offset += rows.back().line;
    }
    return out;
}

}  // namespace tessera
