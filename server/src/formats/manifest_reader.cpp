#include "formats/manifest_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "formats/csv_table.hpp"
#include "formats/import_limits.hpp"

namespace tessera {
namespace {

using nlohmann::json;

// One line of the stream without its line break, at most `max` bytes. False at the end of the
// stream; `too_long` when the line went on past `max` (the rest of it is skipped).
bool ReadBoundedLine(std::istream& in, std::string& line, std::size_t max, bool& too_long) {
    line.clear();
    too_long = false;
    std::streambuf* buf = in.rdbuf();
    bool any = false;
    for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
        any = true;
        if (c == '\n') {
            break;
        }
        if (line.size() < max) {
            line.push_back(static_cast<char>(c));
        } else {
            too_long = true;
        }
    }
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    return any;
}

void StripBom(std::string& line) {
    if (line.starts_with("\xEF\xBB\xBF")) {
        line.erase(0, 3);
    }
}

// Quotes left open at the end of `text` (a CSV cell that runs onto the next line).
bool OpensQuote(std::string_view text, bool open) {
    for (char c : text) {
        if (c == '"') {
            open = !open;  // a doubled quote toggles twice
        }
    }
    return open;
}

// The header's most frequent separator outside quotes: ',' ';' or tab.
char DetectDelimiter(std::string_view header) {
    int commas = 0;
    int semicolons = 0;
    int tabs = 0;
    bool quoted = false;
    for (char c : header) {
        quoted = c == '"' ? !quoted : quoted;
        if (!quoted) {
            commas += c == ',' ? 1 : 0;
            semicolons += c == ';' ? 1 : 0;
            tabs += c == '\t' ? 1 : 0;
        }
    }
    if (tabs > commas && tabs >= semicolons) {
        return '\t';
    }
    return semicolons > commas ? ';' : ',';
}

std::string JoinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) {
        out += (out.empty() ? "" : ", ") + ("\"" + name + "\"");
    }
    return out.empty() ? "none" : out;
}

Error MissingColumn(const char* role, const std::string& name,
                    const std::vector<std::string>& columns) {
    return Error::InvalidArgument(std::string("the manifest has no column \"") + name +
                                      "\" for the " + role + "; its columns are " +
                                      JoinNames(columns),
                                  std::string("mapping.") + role);
}

std::vector<std::string> SplitLabels(std::string_view cell) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= cell.size()) {
        std::size_t comma = cell.find(',', start);
        if (comma == std::string_view::npos) {
            comma = cell.size();
        }
        std::string label = Trim(cell.substr(start, comma - start), " \t'\"");
        if (!label.empty()) {
            out.push_back(std::move(label));
        }
        start = comma + 1;
    }
    return out;
}

Status CheckConfidence(double value) {
    if (!std::isfinite(value) || value < 0 || value > 1) {
        return Error::InvalidArgument("confidence must be a number from 0 to 1");
    }
    return Status::Ok();
}

// A JSON value as the row's confidence: a number, a numeric string, or Azure's
// label_confidence list (one score a label; their mean).
Result<std::optional<double>> ConfidenceOf(const json& value) {
    if (value.is_null()) {
        return std::optional<double>();
    }
    if (value.is_number()) {
        const double v = value.get<double>();
        TESSERA_TRY(CheckConfidence(v));
        return std::optional<double>(v);
    }
    if (value.is_array()) {
        if (value.empty()) {
            return std::optional<double>();
        }
        double sum = 0;
        for (const json& v : value) {
            if (!v.is_number()) {
                return Error::InvalidArgument("confidence list must hold numbers");
            }
            TESSERA_TRY(CheckConfidence(v.get<double>()));
            sum += v.get<double>();
        }
        return std::optional<double>(sum / static_cast<double>(value.size()));
    }
    if (value.is_string()) {
        const std::string text = Trim(value.get<std::string>());
        if (text.empty()) {
            return std::optional<double>();
        }
        if (text.front() == '[') {
            json list = json::parse(text, nullptr, false);
            if (list.is_discarded()) {
                return Error::InvalidArgument("confidence \"" + text + "\" is not a number");
            }
            return ConfidenceOf(list);
        }
        double v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size()) {
            return Error::InvalidArgument("confidence \"" + text + "\" is not a number");
        }
        TESSERA_TRY(CheckConfidence(v));
        return std::optional<double>(v);
    }
    return Error::InvalidArgument("confidence must be a number from 0 to 1");
}

// A JSON value as the row's labels: a string (one cell, also split at commas), a list of
// strings, or nothing. Lists of objects are AutoML's boxes and polygons, which a manifest's
// category column cannot carry.
Status CategoriesOf(const json& value, ManifestRow& row) {
    if (value.is_null()) {
        return Status::Ok();
    }
    if (value.is_string()) {
        const std::string text = Trim(value.get<std::string>());
        if (text.starts_with('[') && text.ends_with(']')) {
            json list = json::parse(text, nullptr, false);
            if (!list.is_discarded() && list.is_array()) {
                return CategoriesOf(list, row);
            }
            row.categories = SplitLabels(std::string_view(text).substr(1, text.size() - 2));
            return Status::Ok();
        }
        row.category_cell = text;
        row.categories = SplitLabels(text);
        return Status::Ok();
    }
    if (value.is_array()) {
        for (const json& v : value) {
            if (v.is_object()) {
                return Error::InvalidArgument(
                    "the category holds boxes or polygons; a manifest imports image labels "
                    "only (import shapes with the project's Import button)");
            }
            if (!v.is_string()) {
                return Error::InvalidArgument("the category list must hold strings");
            }
            std::string label = Trim(v.get<std::string>());
            if (!label.empty()) {
                row.categories.push_back(std::move(label));
            }
        }
        return Status::Ok();
    }
    if (value.is_number()) {
        row.category_cell = value.dump();
        row.categories = {row.category_cell};
        return Status::Ok();
    }
    return Error::InvalidArgument("the category must be a string or a list of strings");
}

Status ImageOf(const json& value, ManifestRow& row) {
    if (!value.is_string() || Trim(value.get<std::string>()).empty()) {
        return Error::InvalidArgument("the image reference is empty");
    }
    row.image = Trim(value.get<std::string>());
    if (HasControlCharacter(row.image)) {
        return Error::InvalidArgument("the image reference has a control character");
    }
    return Status::Ok();
}

// A key of a JSONL object: the key itself, else a dotted path into nested objects.
const json* Lookup(const json& object, const std::string& key) {
    if (auto it = object.find(key); it != object.end()) {
        return &*it;
    }
    const json* at = &object;
    std::size_t start = 0;
    while (start <= key.size()) {
        std::size_t dot = key.find('.', start);
        if (dot == std::string::npos) {
            dot = key.size();
        }
        if (!at->is_object()) {
            return nullptr;
        }
        auto it = at->find(key.substr(start, dot - start));
        if (it == at->end()) {
            return nullptr;
        }
        at = &*it;
        start = dot + 1;
    }
    return at;
}

class RowSink {
public:
    explicit RowSink(const std::function<bool(ManifestRow&&)>& on_row) : on_row_(on_row) {}

    void Fail(int line, std::string message) {
        ++stats_.error_count;
        if (stats_.errors.size() < kMaxManifestRowErrors) {
            stats_.errors.push_back({line, std::move(message)});
        }
    }
    bool Take(ManifestRow&& row) {
        ++stats_.rows;
        return on_row_(std::move(row));
    }
    ManifestReadStats Done() { return std::move(stats_); }

private:
    const std::function<bool(ManifestRow&&)>& on_row_;
    ManifestReadStats stats_;
};

// The CSV side: the header, then one record at a time (a record may span lines).
class CsvManifest {
public:
    explicit CsvManifest(std::istream& in) : in_(in) {}

    // False when the file has no header (empty).
    bool ReadHeader() {
        std::string text;
        int line = 0;
        if (!NextRecordText(text, line)) {
            return false;
        }
        StripBom(text);
        delimiter_ = DetectDelimiter(text);
        auto records = ReadCsvRecords(text, delimiter_);
        if (records.empty()) {
            return false;
        }
        columns_ = std::move(records.front().cells);
        return true;
    }
    // The next non-blank record's cells and first line; false at the end. `too_long` when it
    // was over the limit (then the cells are empty).
    bool Next(std::vector<std::string>& cells, int& line, bool& too_long) {
        std::string text;
        while (true) {
            too_long_ = false;
            if (!NextRecordText(text, line)) {
                return false;
            }
            too_long = too_long_;
            if (too_long) {
                cells.clear();
                return true;
            }
            auto records = ReadCsvRecords(text, delimiter_);
            if (!records.empty()) {
                cells = std::move(records.front().cells);
                return true;
            }
        }
    }
    const std::vector<std::string>& columns() const { return columns_; }
    char delimiter() const { return delimiter_; }

private:
    bool NextRecordText(std::string& text, int& first_line) {
        text.clear();
        std::string line;
        bool open = false;
        bool any = false;
        while (true) {
            bool too_long = false;
            if (!ReadBoundedLine(in_, line, kMaxJsonlLineBytes, too_long)) {
                return any;
            }
            ++line_;
            if (!any) {
                first_line = line_;
            }
            any = true;
            too_long_ = too_long_ || too_long || text.size() + line.size() > kMaxJsonlLineBytes;
            if (!too_long_) {
                text += (open ? "\n" : "") + line;
            }
            open = OpensQuote(line, open);
            if (!open) {
                return true;
            }
        }
    }

    std::istream& in_;
    std::vector<std::string> columns_;
    char delimiter_ = ',';
    int line_ = 0;
    bool too_long_ = false;
};

std::optional<std::size_t> ColumnIndex(const std::vector<std::string>& columns,
                                       const std::string& name) {
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) {
        // Spreadsheets change case ("Url" vs "url"): an exact match first, then any case.
        it = std::find_if(columns.begin(), columns.end(),
                          [&](const std::string& c) { return Lower(c) == Lower(name); });
    }
    if (it == columns.end()) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(it - columns.begin());
}

Result<ManifestReadStats> ReadCsvManifest(std::istream& in, const ManifestMapping& mapping,
                                          RowSink& sink) {
    CsvManifest csv(in);
    if (!csv.ReadHeader()) {
        return sink.Done();
    }
    const auto& columns = csv.columns();
    auto image = ColumnIndex(columns, mapping.image);
    if (!image) {
        return MissingColumn("image", mapping.image, columns);
    }
    std::optional<std::size_t> category;
    std::optional<std::size_t> confidence;
    if (!mapping.category.empty() && !(category = ColumnIndex(columns, mapping.category))) {
        return MissingColumn("category", mapping.category, columns);
    }
    if (!mapping.confidence.empty() && !(confidence = ColumnIndex(columns, mapping.confidence))) {
        return MissingColumn("confidence", mapping.confidence, columns);
    }
    std::vector<std::string> cells;
    int line = 0;
    bool too_long = false;
    while (csv.Next(cells, line, too_long)) {
        if (too_long) {
            sink.Fail(line, "the row is longer than 64 MiB");
            continue;
        }
        auto cell = [&](std::optional<std::size_t> at) {
            return at && *at < cells.size() ? json(cells[*at]) : json(nullptr);
        };
        ManifestRow row;
        row.line = line;
        Status read = ImageOf(cell(image), row);
        if (read.ok()) {
            read = CategoriesOf(cell(category), row);
        }
        if (read.ok()) {
            auto score = ConfidenceOf(cell(confidence));
            read = score.ok() ? Status::Ok() : Status(score.error());
            if (score.ok()) {
                row.confidence = *score;
            }
        }
        if (!read.ok()) {
            sink.Fail(line, read.error().message);
            continue;
        }
        if (!sink.Take(std::move(row))) {
            break;
        }
    }
    return sink.Done();
}

// One JSONL line parsed, or the reason it cannot be.
Result<json> ParseJsonLine(const std::string& line) {
    TESSERA_TRY(CheckJsonNesting(line, "the line"));
    json object = json::parse(line, nullptr, false);
    if (object.is_discarded()) {
        return Error::InvalidArgument("the line is not valid JSON");
    }
    if (!object.is_object()) {
        return Error::InvalidArgument("the line is not a JSON object");
    }
    return object;
}

Result<ManifestReadStats> ReadJsonlManifest(std::istream& in, const ManifestMapping& mapping,
                                            RowSink& sink) {
    std::string line;
    bool too_long = false;
    int number = 0;
    bool checked_columns = false;
    while (ReadBoundedLine(in, line, kMaxJsonlLineBytes, too_long)) {
        ++number;
        if (number == 1) {
            StripBom(line);
        }
        if (too_long) {
            sink.Fail(number, "the line is longer than 64 MiB");
            continue;
        }
        if (Trim(line).empty()) {
            continue;
        }
        auto object = ParseJsonLine(line);
        if (!object.ok()) {
            sink.Fail(number, object.error().message);
            continue;
        }
        const json* image = Lookup(*object, mapping.image);
        if (image == nullptr && !checked_columns) {
            // The first object decides whether the mapping fits the file at all.
            std::vector<std::string> keys;
            for (const auto& item : object->items()) {
                keys.push_back(item.key());
            }
            return MissingColumn("image", mapping.image, keys);
        }
        checked_columns = true;
        ManifestRow row;
        row.line = number;
        Status read = image == nullptr
                          ? Error::InvalidArgument("the line has no \"" + mapping.image + "\"")
                          : ImageOf(*image, row);
        if (read.ok() && !mapping.category.empty()) {
            const json* value = Lookup(*object, mapping.category);
            read = value == nullptr ? Status::Ok() : CategoriesOf(*value, row);
        }
        if (read.ok() && !mapping.confidence.empty()) {
            const json* value = Lookup(*object, mapping.confidence);
            if (value != nullptr) {
                auto score = ConfidenceOf(*value);
                read = score.ok() ? Status::Ok() : Status(score.error());
                if (score.ok()) {
                    row.confidence = *score;
                }
            }
        }
        if (!read.ok()) {
            sink.Fail(number, read.error().message);
            continue;
        }
        if (!sink.Take(std::move(row))) {
            break;
        }
    }
    return sink.Done();
}

std::string CellText(const json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

Result<ManifestPreview> PreviewJsonl(std::istream& in, std::size_t max_rows) {
    ManifestPreview preview;
    std::vector<json> objects;
    std::string line;
    bool too_long = false;
    int number = 0;
    while (objects.size() < max_rows && ReadBoundedLine(in, line, kMaxJsonlLineBytes, too_long)) {
        ++number;
        if (number == 1) {
            StripBom(line);
        }
        if (too_long || Trim(line).empty()) {
            continue;
        }
        auto object = ParseJsonLine(line);
        if (!object.ok()) {
            return Error::InvalidArgument("line " + std::to_string(number) + ": " +
                                          object.error().message);
        }
        for (const auto& item : object->items()) {
            if (std::find(preview.columns.begin(), preview.columns.end(), item.key()) ==
                preview.columns.end()) {
                preview.columns.push_back(item.key());
            }
        }
        objects.push_back(std::move(object).value());
    }
    for (const json& object : objects) {
        std::vector<std::string> cells;
        for (const std::string& column : preview.columns) {
            auto it = object.find(column);
            cells.push_back(it == object.end() ? "" : CellText(*it));
        }
        preview.rows.push_back(std::move(cells));
    }
    return preview;
}

// "key: value" split; the value without quotes or a trailing comment.
std::string YamlValue(std::string_view text) {
    std::string value = Trim(text);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
        const char quote = value.front();
        const std::size_t close = value.find(quote, 1);
        if (close != std::string::npos) {
            std::string inner = value.substr(1, close - 1);
            if (quote == '"' && inner == "\\t") {
                return "\t";
            }
            return inner;
        }
    }
    if (auto hash = value.find(" #"); hash != std::string::npos) {
        value = Trim(std::string_view(value).substr(0, hash));
    }
    return value;
}

Result<MlTablePath> PathEntry(std::string_view entry) {
    const std::size_t colon = entry.find(':');
    const std::string key = Trim(entry.substr(0, colon));
    const std::string value =
        colon == std::string_view::npos ? "" : YamlValue(entry.substr(colon + 1));
    MlTablePath path;
    if (key == "file") {
        path.kind = MlTablePath::Kind::kFile;
    } else if (key == "pattern") {
        path.kind = MlTablePath::Kind::kPattern;
    } else if (key == "folder") {
        path.kind = MlTablePath::Kind::kFolder;
    } else {
        return Error::InvalidArgument("MLTable paths entry \"" + key +
                                      "\" is not file, pattern or folder");
    }
    if (value.empty()) {
        return Error::InvalidArgument("MLTable paths entry \"" + key + "\" has no value");
    }
    if (value.find("://") != std::string::npos || value.starts_with("azureml:")) {
        return Error::InvalidArgument("MLTable path \"" + value +
                                      "\" is remote; only files next to the MLTable file can "
                                      "be read (download them beside it)");
    }
    if (value.starts_with('/')) {
        return Error::InvalidArgument("MLTable path \"" + value +
                                      "\" is absolute; give it relative to the MLTable file");
    }
    path.value = value;
    while (path.value.starts_with("./")) {
        path.value.erase(0, 2);
    }
    return path;
}

bool EndsWithNoCase(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           Lower(text.substr(text.size() - suffix.size())) == suffix;
}

}  // namespace

std::optional<ManifestFormat> ParseManifestFormat(std::string_view name) {
    if (name == "csv") {
        return ManifestFormat::kCsv;
    }
    if (name == "jsonl") {
        return ManifestFormat::kJsonl;
    }
    if (name == "mltable") {
        return ManifestFormat::kMlTable;
    }
    return std::nullopt;
}

std::string_view ManifestFormatName(ManifestFormat format) {
    switch (format) {
        case ManifestFormat::kCsv: return "csv";
        case ManifestFormat::kJsonl: return "jsonl";
        case ManifestFormat::kMlTable: return "mltable";
    }
    return "csv";
}

Result<ManifestReadStats> ReadManifest(std::istream& in, ManifestFormat format,
                                       const ManifestMapping& mapping,
                                       const std::function<bool(ManifestRow&&)>& on_row) {
    if (Trim(mapping.image).empty()) {
        return Error::InvalidArgument("mapping.image is required: the column holding the image",
                                      "mapping.image");
    }
    RowSink sink(on_row);
    if (format == ManifestFormat::kCsv) {
        return ReadCsvManifest(in, mapping, sink);
    }
    if (format == ManifestFormat::kJsonl) {
        return ReadJsonlManifest(in, mapping, sink);
    }
    return Error::InvalidArgument("an MLTable is read through the files it names");
}

Result<ManifestPreview> PreviewManifest(std::istream& in, ManifestFormat format,
                                        std::size_t max_rows) {
    ManifestPreview preview;
    if (format == ManifestFormat::kJsonl) {
        TESSERA_ASSIGN_OR_RETURN(preview, PreviewJsonl(in, max_rows));
    } else if (format == ManifestFormat::kCsv) {
        CsvManifest csv(in);
        if (csv.ReadHeader()) {
            preview.columns = csv.columns();
            preview.delimiter = csv.delimiter();
            std::vector<std::string> cells;
            int line = 0;
            bool too_long = false;
            while (preview.rows.size() < max_rows && csv.Next(cells, line, too_long)) {
                cells.resize(preview.columns.size());
                preview.rows.push_back(cells);
            }
        }
    } else {
        return Error::InvalidArgument("an MLTable is previewed through the files it names");
    }
    preview.guess = GuessManifestMapping(preview.columns);
    return preview;
}

Result<MlTable> ParseMlTable(std::string_view yaml) {
    MlTable table;
    std::string section;
    std::optional<ManifestFormat> format;
    std::size_t start = 0;
    while (start < yaml.size()) {
        std::size_t end = yaml.find('\n', start);
        if (end == std::string_view::npos) {
            end = yaml.size();
        }
        std::string_view line = yaml.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        const std::string trimmed = Trim(line);
        if (trimmed.empty() || trimmed.front() == '#') {
            continue;
        }
        const bool top = line.front() != ' ' && line.front() != '\t' && line.front() != '-';
        if (top) {
            section = Trim(std::string_view(trimmed).substr(0, trimmed.find(':')));
            continue;
        }
        const bool item = trimmed.starts_with("- ") || trimmed == "-";
        const std::string body = item ? Trim(std::string_view(trimmed).substr(1)) : trimmed;
        if (section == "paths" && item) {
            TESSERA_ASSIGN_OR_RETURN(MlTablePath path, PathEntry(body));
            table.paths.push_back(std::move(path));
        } else if (section == "transformations" && item) {
            const std::string name = Trim(std::string_view(body).substr(0, body.find(':')));
            if (name == "read_json_lines") {
                format = ManifestFormat::kJsonl;
            } else if (name == "read_delimited") {
                // Its delimiter is detected from the header, as for a plain CSV.
                format = ManifestFormat::kCsv;
            } else if (name == "read_parquet" || name == "read_delta_lake") {
                return Error::InvalidArgument("MLTable " + name +
                                              " is not supported; export the table as JSON "
                                              "lines or CSV");
            }
        }
    }
    if (table.paths.empty()) {
        return Error::InvalidArgument(
            "the MLTable file names no paths (a \"paths:\" list with "
            "\"- file: ./x.jsonl\")");
    }
    if (!format) {
        // No read transformation: the file's extension says how to read it.
        const std::string& first = table.paths.front().value;
        if (EndsWithNoCase(first, ".jsonl") || EndsWithNoCase(first, ".json")) {
            format = ManifestFormat::kJsonl;
        } else if (EndsWithNoCase(first, ".csv") || EndsWithNoCase(first, ".tsv")) {
            format = ManifestFormat::kCsv;
        } else {
            return Error::InvalidArgument(
                "the MLTable file has no read_json_lines or read_delimited transformation");
        }
    }
    table.format = *format;
    return table;
}

ManifestMapping GuessManifestMapping(const std::vector<std::string>& columns) {
    auto pick = [&](std::initializer_list<const char*> exact,
                    std::initializer_list<const char*> contains,
                    const std::string& not_this) -> std::string {
        for (const char* name : exact) {
            for (const std::string& c : columns) {
                if (Lower(c) == name && c != not_this) {
                    return c;
                }
            }
        }
        for (const char* part : contains) {
            for (const std::string& c : columns) {
                if (Lower(c).find(part) != std::string::npos && c != not_this &&
                    Lower(c).find("confidence") == std::string::npos) {
                    return c;
                }
            }
        }
        return "";
    };
    ManifestMapping guess;
    guess.image = pick(
        {"image_url", "url", "image", "image_path", "file_name", "filename", "file", "path", "img"},
        {"image", "url", "path", "file"}, "");
    guess.category =
        pick({"label", "labels", "category", "categories", "class", "class_name", "tag", "tags"},
             {"label", "class", "categor"}, guess.image);
    for (const char* name : {"label_confidence", "confidence", "score", "probability"}) {
        for (const std::string& c : columns) {
            if (guess.confidence.empty() && Lower(c) == name) {
                guess.confidence = c;
            }
        }
    }
    for (const std::string& c : columns) {
        if (guess.confidence.empty() && (Lower(c).find("confidence") != std::string::npos ||
                                         Lower(c).find("score") != std::string::npos)) {
            guess.confidence = c;
        }
    }
    return guess;
}

}  // namespace tessera
