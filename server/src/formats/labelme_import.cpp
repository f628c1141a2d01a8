#include "formats/labelme_import.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <variant>

#include "domain/raster.hpp"
#include "formats/import_limits.hpp"
#include "formats/json_fields.hpp"
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

// labelme's converters (labelme2voc, labelme2coco): "__ignore__" regions are void (255 in
// labelme2voc's PNGs) and skipped, "_background_" is class 0, background.
constexpr std::string_view kIgnore = "__ignore__";
constexpr std::string_view kBackground = "_background_";

Ring RingOf(const Shape& shape) {
    const Box& b = std::get<Box>(shape.geometry);
    return {{b.x, b.y}, {b.x + b.w, b.y}, {b.x + b.w, b.y + b.h}, {b.x, b.y + b.h}};
}

// One labelme shape as ours, or the kind it is when we cannot draw it (points, lines, masks):
// a rectangle is a box (2 corners), a circle (centre, a point on it) a polygon within 1 px.
std::variant<Shape, std::string> ShapeOf(const std::string& type, const std::string& label,
                                         Ring ring) {
    if (type == "rectangle" && ring.size() == 2) {
        return BoundsOf(label, ring);
    }
    if (type == "polygon") {
        return PolygonOf(label, std::move(ring));
    }
    if (type == "circle" && ring.size() == 2) {
        const double r = std::hypot(ring[1].x - ring[0].x, ring[1].y - ring[0].y);
        return PolygonOf(label, EllipseRing(ring[0].x, ring[0].y, r, r));
    }
    return type;
}

// Adds `part` to the instance `into` as further rings (boxes become 4-point rings).
void AddToInstance(Shape& into, const Shape& part) {
    if (std::holds_alternative<Box>(into.geometry)) {
        into.geometry = Polygon{{RingOf(into)}};
    }
    auto& rings = std::get<Polygon>(into.geometry).rings;
    if (std::holds_alternative<Box>(part.geometry)) {
        rings.push_back(RingOf(part));
    } else {
        const auto& more = std::get<Polygon>(part.geometry).rings;
        rings.insert(rings.end(), more.begin(), more.end());
    }
}

// The parts of a group as drawn, before AddToInstance joined their rings.
Polygon PartOf(const Shape& part) {
    if (std::holds_alternative<Box>(part.geometry)) {
        return Polygon{{RingOf(part)}};
    }
    return std::get<Polygon>(part.geometry);
}

// labelme2coco ORs a group's part masks: overlapping parts are one area. Our polygon rings fill
// even-odd, where an overlap would be a hole, so a group whose parts overlap becomes the mask of
// their union instead (an outline in polygon projects, its box in box projects, as for any
// mask). Parts that do not overlap keep their exact vertices. Needs the image size; above the
// mask pixel limit the rings are kept.
void UnionOverlappingParts(Shape& instance, const std::vector<Polygon>& parts,
                           const std::optional<ImageSize>& size) {
    if (parts.size() < 2 || !size || std::int64_t{size->width} * size->height > kMaxMaskPixels) {
        return;
    }
    Runs joined = RasterizePolygon(parts[0], *size);
    bool overlap = false;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        Runs runs = RasterizePolygon(parts[i], *size);
        overlap = overlap || RunsIntersect(joined, runs);
        joined = UnionRuns(joined, runs);
    }
    if (overlap) {
        instance.geometry = MaskRle{std::move(joined)};
    }
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
    record.file = file.path;
    record.name = JsonStringOr(doc, "imagePath");
    if (record.name.empty()) {
        record.name = ImportStem(file.path);
        record.match_stem = true;
    }
    record.size = ImportImageSize(JsonNumber(doc, "imageWidth"), JsonNumber(doc, "imageHeight"));
    // Shapes of one (label, group_id) are one instance, as labelme2coco makes them.
    std::map<std::pair<std::string, std::int64_t>, std::size_t> groups;
    std::map<std::size_t, std::vector<Polygon>> group_parts;  // instance index -> its parts
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
        std::string label = s["label"].get<std::string>();
        if (label == kIgnore || label == kBackground) {
            ++record.dropped[label];  // labelme's converters skip them (void, background)
            continue;
        }
        auto shape = ShapeOf(JsonStringOr(s, "shape_type", "polygon"), label, ring);
        if (auto* kind = std::get_if<std::string>(&shape)) {
            ++record.dropped[*kind];
            continue;
        }
        const json none;
        const json& group = s.contains("group_id") ? s["group_id"] : none;
        if (!group.is_number_integer()) {
            record.shapes.push_back(std::move(std::get<Shape>(shape)));
            continue;
        }
        auto [it, fresh] =
            groups.try_emplace({label, group.get<std::int64_t>()}, record.shapes.size());
        group_parts[it->second].push_back(PartOf(std::get<Shape>(shape)));
        if (fresh) {
            record.shapes.push_back(std::move(std::get<Shape>(shape)));
        } else {
            AddToInstance(record.shapes[it->second], std::get<Shape>(shape));
        }
    }
    for (const auto& [index, parts] : group_parts) {
        UnionOverlappingParts(record.shapes[index], parts, record.size);
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
    record.file = file.path;
    const std::string folder = XmlText(*root, "folder");
    record.name = XmlText(*root, "filename");
    if (!folder.empty() && !record.name.empty()) {
        record.name = folder + "/" + record.name;  // matching falls back to the file name
    }
    record.size =
        ImportImageSize(XmlNumber(*root, "imagesize.ncols"), XmlNumber(*root, "imagesize.nrows"));
    for (const auto& [tag, object] : *root) {
        if (tag != "object" || XmlText(object, "deleted") == "1") {
            continue;
        }
        auto polygon = object.get_child_optional("polygon");
        if (!polygon) {
            // A <segm> object's mask and scribbles live in separate PNGs.
            ++record.dropped[object.get_child_optional("segm") ? "mask (segm)" : "no polygon"];
            continue;
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
            ++record.dropped["no polygon"];
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
