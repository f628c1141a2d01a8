#include "formats/createml_import.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "formats/import_limits.hpp"
#include "formats/json_fields.hpp"

namespace tessera {

namespace {

using nlohmann::json;

Result<Shape> ReadBox(const json& annotation) {
    if (!annotation.is_object() || !annotation.contains("label") ||
        !annotation["label"].is_string()) {
        return Error::InvalidArgument("an annotation needs a \"label\" string");
    }
    if (!annotation.contains("coordinates") || !annotation["coordinates"].is_object()) {
        return Error::InvalidArgument("an annotation needs \"coordinates\" {x, y, width, height}");
    }
    const json& c = annotation["coordinates"];
    const double cx = JsonNumberOrNan(c, "x");
    const double cy = JsonNumberOrNan(c, "y");
    const double w = JsonNumberOrNan(c, "width");
    const double h = JsonNumberOrNan(c, "height");
    if (!std::isfinite(cx) || !std::isfinite(cy) || !std::isfinite(w) || !std::isfinite(h)) {
        return Error::InvalidArgument("\"coordinates\" needs numbers x, y, width, height");
    }
    Shape shape;
    shape.label = annotation["label"].get<std::string>();
    shape.geometry = Box{cx - w / 2, cy - h / 2, w, h};  // Create ML's x, y are the centre
    if (annotation.contains("confidence") && annotation["confidence"].is_number()) {
        shape.confidence = annotation["confidence"].get<double>();
    }
    return shape;
}

}  // namespace

Result<ParsedImport> ParseCreateMl(const std::vector<ImportFile>& files) {
    ParsedImport out;
    bool any = false;
    int row = 0;
    for (const ImportFile& file : files) {
        if (!ImportEndsWith(file.path, ".json")) {
            continue;
        }
        TESSERA_TRY(CheckJsonNesting(file.bytes, file.path));
        json doc = json::parse(file.bytes, nullptr, false);
        if (doc.is_discarded()) {
            return Error::InvalidArgument(file.path + ": invalid JSON");
        }
        if (!doc.is_array()) {
            continue;  // not a Create ML file (a COCO file zipped alongside, say)
        }
        any = true;
        for (const json& entry : doc) {
            ++row;
            if (!entry.is_object() || !entry.contains("image") || !entry["image"].is_string()) {
                out.errors.push_back({row, file.path + ": entry " + std::to_string(row) +
                                               " needs an \"image\" string"});
                continue;
            }
            ImportRecord record;
            record.row = row;
            record.name = FolderOf(file.path) + entry["image"].get<std::string>();
            const json empty = json::array();
            const json& annotations = entry.contains("annotations") ? entry["annotations"] : empty;
            if (!annotations.is_array()) {
                out.errors.push_back({row, record.name + ": \"annotations\" must be a list"});
                continue;
            }
            bool ok = true;
            for (const json& annotation : annotations) {
                auto shape = ReadBox(annotation);
                if (!shape.ok()) {
                    out.errors.push_back({row, record.name + ": " + shape.error().message});
                    ok = false;
                    break;
                }
                record.shapes.push_back(std::move(shape).value());
            }
            if (ok) {
                out.records.push_back(std::move(record));
            }
        }
    }
    if (!any) {
        return Error::InvalidArgument(
            "no Create ML file in the upload (a .json holding a list of {\"image\", "
            "\"annotations\"})");
    }
    return out;
}

}  // namespace tessera
