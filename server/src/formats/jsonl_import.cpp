#include "formats/jsonl_import.hpp"

#include <functional>
#include <nlohmann/json.hpp>

#include "formats/import_limits.hpp"
#include "formats/json_fields.hpp"
#include "formats/json_stream.hpp"

namespace tessera {

namespace {

using nlohmann::json;

// Azure writes sizes as "640px" strings or numbers.
std::optional<double> SizeValue(const json& details, const char* key) {
    auto it = details.find(key);
    if (it == details.end()) {
        return std::nullopt;
    }
    if (it->is_number()) {
        return it->get<double>();
    }
    if (it->is_string()) {
        try {
            return std::stod(it->get<std::string>());  // stops at "px"
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

Result<Shape> ReadShape(const json& entry) {
    if (!entry.is_object() || !entry.contains("label") || !entry["label"].is_string()) {
        return Error::InvalidArgument("label entry needs a \"label\" string");
    }
    Shape shape;
    shape.label = entry["label"].get<std::string>();
    if (entry.contains("confidence") && entry["confidence"].is_number()) {
        shape.confidence = entry["confidence"].get<double>();
    }
    if (entry.contains("polygon")) {
        if (!entry["polygon"].is_array()) {
            return Error::InvalidArgument("\"polygon\" must be a list of [x1, y1, ...] lists");
        }
        Polygon polygon;
        for (const json& flat : entry["polygon"]) {
            if (!flat.is_array() || flat.size() % 2 != 0) {
                return Error::InvalidArgument("\"polygon\" rings must be [x1, y1, x2, y2, ...]");
            }
            Ring ring;
            for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
                ring.push_back({flat[i].is_number() ? flat[i].get<double>() : NAN,
                                flat[i + 1].is_number() ? flat[i + 1].get<double>() : NAN});
            }
            polygon.rings.push_back(std::move(ring));
        }
        shape.geometry = std::move(polygon);
        return shape;
    }
    const double x0 = JsonNumberOrNan(entry, "topX");
    const double y0 = JsonNumberOrNan(entry, "topY");
    const double x1 = JsonNumberOrNan(entry, "bottomX");
    const double y1 = JsonNumberOrNan(entry, "bottomY");
    shape.geometry = Box{x0, y0, x1 - x0, y1 - y0};
    return shape;
}

// One box (or instance polygon) of AutoML's detection output: {"box": {"topX", "topY",
// "bottomX", "bottomY"}, "label", "score"} plus "polygon" for instance segmentation.
Result<Shape> ReadPredictedShape(const json& entry) {
    if (!entry.is_object() || !entry.contains("box") || !entry["box"].is_object()) {
        return Error::InvalidArgument("a box needs a \"box\" object");
    }
    json flat = entry["box"];
    flat["label"] = entry.contains("label") ? entry["label"] : json();
    if (entry.contains("polygon")) {
        flat["polygon"] = entry["polygon"];
    }
    if (entry.contains("score")) {
        flat["confidence"] = entry["score"];
    }
    return ReadShape(flat);
}

// AutoML's classification output: "probs" and "labels", lists of the same length.
Status ReadScores(const json& doc, ImportRecord& record) {
    const json& probs = doc["probs"];
    const json& labels = doc.contains("labels") ? doc["labels"] : json();
    if (!probs.is_array() || !labels.is_array() || probs.size() != labels.size()) {
        return Error::InvalidArgument("\"probs\" and \"labels\" must be lists of the same length");
    }
    for (std::size_t i = 0; i < probs.size(); ++i) {
        if (!labels[i].is_string() || !probs[i].is_number()) {
            return Error::InvalidArgument("labels[" + std::to_string(i) +
                                          "] must be a string and probs[" + std::to_string(i) +
                                          "] a number");
        }
        const double p = probs[i].get<double>();
        if (!(p >= 0 && p <= 1)) {
            return Error::InvalidArgument("probs[" + std::to_string(i) + "] is not in 0-1");
        }
        record.label_scores.emplace_back(labels[i].get<std::string>(), p);
    }
    return Status::Ok();
}

// A line of AutoML's model output (batch scoring, or the validation predictions a training run
// writes): "filename" names the image, with "probs"/"labels" or "boxes".
void ParsePredictionLine(const json& doc, const std::string& where, int row, ImportRecord record,
                         ParsedImport& out) {
    if (doc.contains("probs")) {
        if (Status read = ReadScores(doc, record); !read.ok()) {
            out.errors.push_back({row, where + ": " + read.error().message});
            return;
        }
    }
    if (doc.contains("boxes")) {
        const json& boxes = doc["boxes"];
        if (!boxes.is_array()) {
            out.errors.push_back({row, where + ": \"boxes\" must be a list"});
            return;
        }
        for (std::size_t i = 0; i < boxes.size(); ++i) {
            auto shape = ReadPredictedShape(boxes[i]);
            if (!shape.ok()) {
                out.errors.push_back(
                    {row, where + ": boxes[" + std::to_string(i) + "]: " + shape.error().message});
                return;
            }
            record.shapes.push_back(std::move(shape).value());
        }
    }
    out.records.push_back(std::move(record));
}

// The line's object, built under the limits of a streamed element (formats/json_stream): a
// 64 MiB line of "[{}, {}, ...]" would otherwise be 20 million nodes, some 1.7 GB.
Result<json> LineObject(const std::string& line, const std::string& where) {
    TESSERA_TRY(CheckJsonNesting(line, where));
    const Error not_an_object = Error::InvalidArgument(where + ": not a JSON object");
    // A list's elements would be delivered one by one: only an object is a row. A byte order
    // mark, which nlohmann skips, may come first.
    std::string_view text = line;
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.remove_prefix(3);
    }
    const std::size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || text[first] != '{') {
        return not_an_object;
    }
    json doc;
    Status read = StreamJsonElements(line, [&doc](std::size_t, json&& element) {
        doc = std::move(element);
        return Status::Ok();
    });
    if (!read.ok()) {
        if (read.error().code == ErrorCode::kPayloadTooLarge) {
            return Error{read.error().code, where + ": " + read.error().message, {}};
        }
        return not_an_object;
    }
    return doc;
}

void ParseLine(const std::string& line, const std::string& where, int row, ParsedImport& out) {
    auto object = LineObject(line, where);
    if (!object.ok()) {
        out.errors.push_back({row, object.error().message});
        return;
    }
    const json& doc = *object;
    const char* name_field = doc.contains("image_url") ? "image_url" : "filename";
    if (!doc.contains(name_field) || !doc[name_field].is_string()) {
        out.errors.push_back({row, where + ": no \"image_url\" (or \"filename\")"});
        return;
    }
    ImportRecord record;
    record.row = row;
    record.name = JsonlImagePath(doc[name_field].get<std::string>());
    record.space = CoordSpace::kNormalized;
    if (doc.contains("probs") || doc.contains("boxes")) {
        ParsePredictionLine(doc, where, row, std::move(record), out);
        return;
    }
    if (doc.contains("image_details") && doc["image_details"].is_object()) {
        const json& details = doc["image_details"];
        record.size = ImportImageSize(SizeValue(details, "width"), SizeValue(details, "height"));
    }
    const json label = doc.contains("label") ? doc["label"] : json();
    if (label.is_string()) {
        record.labels.push_back(label.get<std::string>());
    } else if (label.is_array()) {
        for (std::size_t i = 0; i < label.size(); ++i) {
            if (label[i].is_string()) {
                record.labels.push_back(label[i].get<std::string>());
                continue;
            }
            auto shape = ReadShape(label[i]);
            if (!shape.ok()) {
                out.errors.push_back(
                    {row, where + ": label[" + std::to_string(i) + "]: " + shape.error().message});
                return;
            }
            record.shapes.push_back(std::move(shape).value());
        }
    } else if (!label.is_null()) {
        out.errors.push_back({row, where + ": \"label\" must be a string or a list"});
        return;
    }
    out.records.push_back(std::move(record));
}

// The next line of `in` without its '\n'; false at the end. std::getline would hold a line of
// any length: a streamed file of one endless line must stop at the limit instead.
Result<bool> NextLine(std::istream& in, std::string& line, const std::string& where) {
    line.clear();
    std::streambuf* buf = in.rdbuf();
    bool any = false;
    for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
        any = true;
        if (c == '\n') {
            return true;
        }
        if (line.size() >= kMaxJsonlLineBytes) {
            return Error{ErrorCode::kPayloadTooLarge,
                         where + ": line is longer than " +
                             std::to_string(kMaxJsonlLineBytes >> 20) +
                             " MiB, the limit for one JSONL line",
                         {}};
        }
        line.push_back(static_cast<char>(c));
    }
    return any;
}

// One file, a line at a time; rows continue the count of the files before it.
Status ReadJsonlLines(std::istream& in, const std::string& path, int& row, ParsedImport& out) {
    std::string line;
    int line_no = 0;
    for (;;) {
        TESSERA_ASSIGN_OR_RETURN(bool more,
                                 NextLine(in, line, path + ":" + std::to_string(line_no + 1)));
        if (!more) {
            break;
        }
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            continue;
        }
        ParseLine(line, path + ":" + std::to_string(line_no), ++row, out);
    }
    if (in.bad()) {
        return Error::Internal(path + ": cannot read the file");
    }
    return Status::Ok();
}

// `for_each` streams the upload's files. Every *.jsonl is read; an upload of one file with
// another name (a body posted as it is) is read as JSONL too, unless it is an MLTable.
Result<ParsedImport> ParseJsonlFiles(
    const std::function<Status(const ZipEntryVisitor&)>& for_each) {
    ParsedImport out;
    int row = 0;
    bool any = false;
    int files = 0;
    std::string only;  // the last file's name: the only one when files == 1
    TESSERA_TRY(for_each([&](const std::string& path, std::istream& bytes) {
        ++files;
        only = path;
        if (!ImportEndsWith(path, ".jsonl")) {
            return Status::Ok();
        }
        any = true;
        return ReadJsonlLines(bytes, path, row, out);
    }));
    if (!any && files == 1 && !ImportEndsWith(only, "MLTable")) {
        // Skipped above without reading it: a second pass costs nothing.
        any = true;
        TESSERA_TRY(for_each([&](const std::string& path, std::istream& bytes) {
            return ReadJsonlLines(bytes, path, row, out);
        }));
    }
    if (!any) {
        return Error::InvalidArgument("no .jsonl file in the upload");
    }
    return out;
}

}  // namespace

std::string JsonlImagePath(const std::string& url) {
    const std::size_t paths = url.find("/paths/");
    if (paths != std::string::npos) {
        return url.substr(paths + 7);
    }
    const std::size_t scheme = url.find("://");
    return scheme == std::string::npos ? url : url.substr(scheme + 3);
}

Result<ParsedImport> ParseJsonl(const std::vector<ImportFile>& files) {
    return ParseJsonlFiles(
        [&](const ZipEntryVisitor& visit) { return ForEachImportFile(files, visit); });
}

Result<ParsedImport> ParseJsonlUpload(const ImportUpload& upload) {
    return ParseJsonlFiles([&](const ZipEntryVisitor& visit) { return upload.ForEach(visit); });
}

}  // namespace tessera
