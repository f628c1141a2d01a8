#include "formats/labelme_import.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "formats/import_limits.hpp"
#include "formats/xml_import.hpp"

namespace tessera {

namespace {

using nlohmann::json;

Shape BoundsOf(std::string label, const Ring& ring) {
    double x0 = ring[0].x, x1 = ring[0].x, y0 = ring[0].y, y1 = ring[0].y;
    for (const ImagePoint& p : ring) {
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, p.y);
        y1 = std::max(y1, p.y);
    }
    return MakeBoxShape(std::move(label), x0, y0, x1, y1);
}

Shape PolygonOf(std::string label, Ring ring) {
    Shape shape;
    shape.label = std::move(label);
    shape.geometry = Polygon{{std::move(ring)}};
    return shape;
}

void ParseJson(const ImportFile& file, int row, ParsedImport& out) {
    if (Status nesting = CheckJsonNesting(file.bytes, file.path); !nesting.ok()) {
        out.errors.push_back({row, nesting.error().message});
        return;
    }
    json doc = json::parse(file.bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("shapes") ||
        !doc["shapes"].is_array()) {
        out.errors.push_back({row, file.path + ": not a LabelMe JSON file"});
        return;
    }
    ImportRecord record;
    record.row = row;
    record.name = doc.value("imagePath", std::string());
    if (record.name.empty()) {
        record.name = ImportStem(file.path);
        record.match_stem = true;
    }
    const int width = doc.value("imageWidth", 0);
    const int height = doc.value("imageHeight", 0);
    if (width > 0 && height > 0) {
        record.size = ImageSize{width, height};
    }
    for (std::size_t i = 0; i < doc["shapes"].size(); ++i) {
        const json& s = doc["shapes"][i];
        const std::string where = file.path + ": shapes[" + std::to_string(i) + "]";
        if (!s.is_object() || !s.contains("label") || !s["label"].is_string() ||
            !s.contains("points") || !s["points"].is_array()) {
            out.errors.push_back({row, where + ": needs a label and points"});
            return;
        }
        Ring ring;
        for (const json& p : s["points"]) {
            if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
                out.errors.push_back({row, where + ": points must be [x, y] pairs"});
                return;
            }
            ring.push_back({p[0].get<double>(), p[1].get<double>()});
        }
        const std::string type = s.value("shape_type", std::string("polygon"));
        std::string label = s["label"].get<std::string>();
        if (type == "rectangle" && ring.size() == 2) {
            record.shapes.push_back(BoundsOf(std::move(label), ring));
        } else if (type == "polygon") {
            record.shapes.push_back(PolygonOf(std::move(label), std::move(ring)));
        }
    }
    out.records.push_back(std::move(record));
}

void ParseXml(const ImportFile& file, int row, ParsedImport& out) {
    auto tree = ParseImportXml(file.bytes, file.path);
    if (!tree.ok()) {
        out.errors.push_back({row, tree.error().message});
        return;
    }
    auto root = tree->get_child_optional("annotation");
    if (!root) {
        out.errors.push_back({row, file.path + ": no <annotation> element"});
        return;
    }
    ImportRecord record;
    record.row = row;
    const std::string folder = XmlText(*root, "folder");
    record.name = XmlText(*root, "filename");
    if (!folder.empty() && !record.name.empty()) {
        record.name = folder + "/" + record.name;  // matching falls back to the file name
    }
    auto rows = XmlNumber(*root, "imagesize.nrows");
    auto cols = XmlNumber(*root, "imagesize.ncols");
    if (rows && cols && *rows > 0 && *cols > 0) {
        record.size = ImageSize{static_cast<int>(*cols), static_cast<int>(*rows)};
    }
    for (const auto& [tag, object] : *root) {
        if (tag != "object" || XmlText(object, "deleted") == "1") {
            continue;
        }
        auto polygon = object.get_child_optional("polygon");
        if (!polygon) {
            continue;  // masks and scribbles live in separate PNGs
        }
        Ring ring;
        for (const auto& [pt_tag, pt] : *polygon) {
            if (pt_tag != "pt") {
                continue;
            }
            auto x = XmlNumber(pt, "x");
            auto y = XmlNumber(pt, "y");
            if (!x || !y) {
                out.errors.push_back({row, file.path + ": object \"" + XmlText(object, "name") +
                                               "\" has a point without numeric x, y"});
                return;
            }
            ring.push_back({*x, *y});
        }
        if (ring.empty()) {
            continue;
        }
        std::string label = XmlText(object, "name");
        if (XmlText(object, "type") == "bounding_box") {
            record.shapes.push_back(BoundsOf(std::move(label), ring));
        } else {
            record.shapes.push_back(PolygonOf(std::move(label), std::move(ring)));
        }
    }
    out.records.push_back(std::move(record));
}

}  // namespace

Result<ParsedImport> ParseLabelMe(const std::vector<ImportFile>& files) {
    ParsedImport out;
    int row = 0;
    for (const ImportFile& file : files) {
        if (ImportEndsWith(file.path, ".json")) {
            ParseJson(file, ++row, out);
        } else if (ImportEndsWith(file.path, ".xml")) {
            ParseXml(file, ++row, out);
        }
    }
    if (row == 0) {
        return Error::InvalidArgument("no LabelMe .json or .xml file in the upload");
    }
    return out;
}

}  // namespace tessera
