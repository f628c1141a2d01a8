#include "domain/shapes.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "domain/raster.hpp"
#include "domain/shape_checks.hpp"

namespace tessera {

double RingArea(const Ring& ring) {
    double twice = 0;
    for (std::size_t k = 0; k < ring.size(); ++k) {
        const ImagePoint& p = ring[k];
        const ImagePoint& q = ring[(k + 1) % ring.size()];
        twice += p.x * q.y - q.x * p.y;
    }
    return std::abs(twice) / 2;
}

namespace {

using nlohmann::json;

// Bounds what one request can make us hold; far above any real image's shape count.
constexpr std::size_t kMaxShapes = 200'000;

std::string Where(std::size_t index) {
    return "shapes[" + std::to_string(index) + "]";
}

Error ShapeError(std::size_t index, const std::string& message) {
    return Error::InvalidArgument(Where(index) + ": " + message, Where(index));
}

Result<double> FiniteNumber(const json& object, const char* key, std::size_t index) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_number()) {
        return ShapeError(index, std::string("\"") + key + "\" must be a number");
    }
    const double v = it->get<double>();
    if (!std::isfinite(v)) {
        return ShapeError(index, std::string("\"") + key + "\" must be finite");
    }
    return v;
}

Result<Ring> RingFromJson(const json& points, std::size_t index) {
    if (!points.is_array()) {
        return ShapeError(index, "a ring must be an array of [x, y] points");
    }
    Ring ring;
    ring.reserve(points.size());
    for (const json& p : points) {
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
            return ShapeError(index, "a point must be [x, y] with two numbers");
        }
        ImagePoint point{p[0].get<double>(), p[1].get<double>()};
        if (!std::isfinite(point.x) || !std::isfinite(point.y)) {
            return ShapeError(index, "point coordinates must be finite");
        }
        ring.push_back(point);
    }
    return ring;
}

Result<Polygon> PolygonFromJson(const json& shape, std::size_t index) {
    const bool has_points = shape.contains("points");
    const bool has_rings = shape.contains("rings");
    if (has_points == has_rings) {
        return ShapeError(index, "a polygon takes either \"points\" or \"rings\"");
    }
    Polygon polygon;
    if (has_points) {
        TESSERA_ASSIGN_OR_RETURN(Ring ring, RingFromJson(shape["points"], index));
        polygon.rings.push_back(std::move(ring));
        return polygon;
    }
    const json& rings = shape["rings"];
    if (!rings.is_array() || rings.empty()) {
        return ShapeError(index, "\"rings\" must be a non-empty array of rings");
    }
    for (const json& r : rings) {
        TESSERA_ASSIGN_OR_RETURN(Ring ring, RingFromJson(r, index));
        polygon.rings.push_back(std::move(ring));
    }
    return polygon;
}

Result<MaskRle> MaskFromJson(const json& shape, std::size_t index) {
    auto it = shape.find("rle");
    if (it == shape.end() || !it->is_array()) {
        return ShapeError(index, "a mask needs \"rle\": [start, length, ...]");
    }
    MaskRle mask;
    mask.runs.reserve(it->size());
    for (const json& v : *it) {
        if (!v.is_number_integer()) {
            return ShapeError(index, "mask runs must be integers");
        }
        mask.runs.push_back(v.get<std::int64_t>());
    }
    return mask;
}

Result<Shape> ShapeFromJson(const json& j, std::size_t index) {
    if (!j.is_object()) {
        return ShapeError(index, "a shape must be an object");
    }
    Shape shape;
    auto label = j.find("label");
    if (label == j.end() || !label->is_string()) {
        return ShapeError(index, "\"label\" must be a string");
    }
    shape.label = label->get<std::string>();
    if (auto id = j.find("id"); id != j.end()) {
        if (!id->is_string() || id->get_ref<const std::string&>().size() > 100) {
            return ShapeError(index, "\"id\" must be a string of at most 100 bytes");
        }
        shape.id = id->get<std::string>();
    }
    if (j.contains("confidence")) {
        TESSERA_ASSIGN_OR_RETURN(double c, FiniteNumber(j, "confidence", index));
        if (c < 0 || c > 1) {
            return ShapeError(index, "\"confidence\" must be between 0 and 1");
        }
        shape.confidence = c;
    }
    auto type = j.find("type");
    if (type == j.end() || !type->is_string()) {
        return ShapeError(index, "\"type\" must be \"box\", \"polygon\" or \"mask\"");
    }
    const std::string& kind = type->get_ref<const std::string&>();
    if (kind == "box") {
        Box box;
        TESSERA_ASSIGN_OR_RETURN(box.x, FiniteNumber(j, "x", index));
        TESSERA_ASSIGN_OR_RETURN(box.y, FiniteNumber(j, "y", index));
        TESSERA_ASSIGN_OR_RETURN(box.w, FiniteNumber(j, "w", index));
        TESSERA_ASSIGN_OR_RETURN(box.h, FiniteNumber(j, "h", index));
        shape.geometry = box;
    } else if (kind == "polygon") {
        TESSERA_ASSIGN_OR_RETURN(shape.geometry, PolygonFromJson(j, index));
    } else if (kind == "mask") {
        TESSERA_ASSIGN_OR_RETURN(shape.geometry, MaskFromJson(j, index));
    } else {
        return ShapeError(index, "unknown shape type '" + kind + "'");
    }
    return shape;
}

json RingToJson(const Ring& ring) {
    json out = json::array();
    for (const ImagePoint& p : ring) {
        out.push_back(json::array({p.x, p.y}));
    }
    return out;
}

const char* KindName(const Shape& shape) {
    if (std::holds_alternative<Box>(shape.geometry)) {
        return "box";
    }
    return std::holds_alternative<Polygon>(shape.geometry) ? "polygon" : "mask";
}

bool KindAllowed(TaskType type, const Shape& shape) {
    switch (type) {
        case TaskType::kBbox: return std::holds_alternative<Box>(shape.geometry);
        case TaskType::kPolygon: return std::holds_alternative<Polygon>(shape.geometry);
        case TaskType::kSemantic: return !std::holds_alternative<Box>(shape.geometry);
        default: return false;
    }
}

Result<Box> CleanBox(const Box& box, ImageSize size, std::size_t index) {
    // A box dragged up or left arrives with a negative extent; it is the same box.
    const double x0 =
        std::clamp(std::min(box.x, box.x + box.w), 0.0, static_cast<double>(size.width));
    const double x1 =
        std::clamp(std::max(box.x, box.x + box.w), 0.0, static_cast<double>(size.width));
    const double y0 =
        std::clamp(std::min(box.y, box.y + box.h), 0.0, static_cast<double>(size.height));
    const double y1 =
        std::clamp(std::max(box.y, box.y + box.h), 0.0, static_cast<double>(size.height));
    if (!(x1 > x0 && y1 > y0)) {
        return ShapeError(index, "box has zero area inside the image");
    }
    return Box{x0, y0, x1 - x0, y1 - y0};
}

Result<Polygon> CleanPolygon(const Polygon& polygon, ImageSize size, std::size_t index) {
    if (polygon.rings.empty()) {
        return ShapeError(index, "polygon needs at least one ring");
    }
    Polygon out;
    for (std::size_t r = 0; r < polygon.rings.size(); ++r) {
        Ring ring;
        for (const ImagePoint& p : polygon.rings[r]) {
            ImagePoint c{std::clamp(p.x, 0.0, static_cast<double>(size.width)),
                         std::clamp(p.y, 0.0, static_cast<double>(size.height))};
            if (ring.empty() || !(ring.back() == c)) {
                ring.push_back(c);
            }
        }
        // The ring is implicitly closed; a repeated first point adds nothing.
        while (ring.size() > 1 && ring.back() == ring.front()) {
            ring.pop_back();
        }
        std::vector<ImagePoint> distinct = ring;
        std::sort(distinct.begin(), distinct.end(), [](const ImagePoint& a, const ImagePoint& b) {
            return a.x < b.x || (a.x == b.x && a.y < b.y);
        });
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        const std::string which =
            polygon.rings.size() > 1 ? "polygon ring " + std::to_string(r) : "polygon";
        if (distinct.size() < 3) {
            return ShapeError(index, which + " needs at least 3 distinct points");
        }
        if (!(RingArea(ring) > 0)) {
            return ShapeError(index, which + " has zero area inside the image");
        }
        out.rings.push_back(std::move(ring));
    }
    return out;
}

// Semantic annotations: one class per pixel. Shapes are applied in order; a polygon's pixels
// and a mask's pixels take over from whatever earlier shapes put there (later wins), except
// that two explicit masks of different labels may not overlap: the client keeps masks disjoint,
// so an overlap means its state is corrupt and silently picking one would hide that.
Result<std::vector<Shape>> MergeSemantic(std::vector<Shape> shapes, ImageSize size) {
    const std::int64_t pixels = std::int64_t{size.width} * size.height;
    struct Layer {
        Shape first;      // label, id, confidence of the first shape of this label
        Runs painted;     // the label's pixels so far
        Runs from_masks;  // the part that came from explicit masks
    };
    std::vector<Layer> layers;  // in order of first appearance
    std::map<std::string, std::size_t> by_label;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        Shape& shape = shapes[i];
        Runs runs;
        const bool is_mask = std::holds_alternative<MaskRle>(shape.geometry);
        if (is_mask) {
            auto normal = NormalizeRuns(std::get<MaskRle>(shape.geometry).runs, pixels);
            if (!normal.ok()) {
                return ShapeError(i, normal.error().message);
            }
            runs = std::move(normal).value();
            if (runs.empty()) {
                return ShapeError(i, "mask is empty");
            }
        } else {
            runs = RasterizePolygon(std::get<Polygon>(shape.geometry), size);
            if (runs.empty()) {
                return ShapeError(i, "polygon covers no pixel centre");
            }
        }
        auto [it, fresh] = by_label.try_emplace(shape.label, layers.size());
        if (fresh) {
            layers.push_back(Layer{shape, {}, {}});
        }
        for (std::size_t l = 0; l < layers.size(); ++l) {
            if (l == it->second) {
                continue;
            }
            if (is_mask && RunsIntersect(layers[l].from_masks, runs)) {
                return ShapeError(i, "mask overlaps the mask of '" + layers[l].first.label + "'");
            }
            layers[l].painted = SubtractRuns(layers[l].painted, runs);
            layers[l].from_masks = SubtractRuns(layers[l].from_masks, runs);
        }
        Layer& own = layers[it->second];
        own.painted = UnionRuns(own.painted, runs);
        if (is_mask) {
            own.from_masks = UnionRuns(own.from_masks, runs);
        }
    }
    std::vector<Shape> out;
    for (Layer& layer : layers) {
        if (layer.painted.empty()) {
            continue;  // entirely painted over by later shapes
        }
        Shape merged = std::move(layer.first);
        merged.geometry = MaskRle{std::move(layer.painted)};
        out.push_back(std::move(merged));
    }
    return out;
}

}  // namespace

Result<std::vector<Shape>> ShapesFromJson(const nlohmann::json& shapes) {
    if (!shapes.is_array()) {
        return Error::InvalidArgument("\"shapes\" must be an array", "shapes");
    }
    if (shapes.size() > kMaxShapes) {
        return Error::InvalidArgument("at most " + std::to_string(kMaxShapes) + " shapes per image",
                                      "shapes");
    }
    std::vector<Shape> out;
    out.reserve(shapes.size());
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        TESSERA_ASSIGN_OR_RETURN(Shape shape, ShapeFromJson(shapes[i], i));
        out.push_back(std::move(shape));
    }
    return out;
}

nlohmann::json ShapesToJson(const std::vector<Shape>& shapes) {
    json out = json::array();
    for (const Shape& shape : shapes) {
        json j = {{"label", shape.label}, {"type", KindName(shape)}};
        if (const auto* box = std::get_if<Box>(&shape.geometry)) {
            j["x"] = box->x;
            j["y"] = box->y;
            j["w"] = box->w;
            j["h"] = box->h;
        } else if (const auto* polygon = std::get_if<Polygon>(&shape.geometry)) {
            if (polygon->rings.size() == 1) {
                j["points"] = RingToJson(polygon->rings[0]);
            } else {
                json rings = json::array();
                for (const Ring& ring : polygon->rings) {
                    rings.push_back(RingToJson(ring));
                }
                j["rings"] = std::move(rings);
            }
        } else {
            j["rle"] = std::get<MaskRle>(shape.geometry).runs;
        }
        if (shape.confidence) {
            j["confidence"] = *shape.confidence;
        }
        if (!shape.id.empty()) {
            j["id"] = shape.id;
        }
        out.push_back(std::move(j));
    }
    return out;
}

Status CheckShapeLabels(TaskType type, const LabelTree& tree, const std::vector<Shape>& shapes) {
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        if (!tree.Contains(shapes[i].label)) {
            return ShapeError(i, "label '" + shapes[i].label + "' is not in this project");
        }
        if (!KindAllowed(type, shapes[i])) {
            return ShapeError(i, std::string("a ") + std::string(TaskTypeName(type)) +
                                     " project does not take a " + KindName(shapes[i]));
        }
    }
    return Status::Ok();
}

Result<std::vector<Shape>> ValidateShapes(TaskType type, const LabelTree& tree, ImageSize size,
                                          std::vector<Shape> shapes) {
    if (IsClassification(type)) {
        return Error::InvalidArgument(
            "this project classifies images; send \"labels\", not \"shapes\"", "shapes");
    }
    if (size.width <= 0 || size.height <= 0) {
        return Error::FailedPrecondition("the image's size is unknown; it cannot take shapes");
    }
    TESSERA_TRY(CheckShapeLabels(type, tree, shapes));
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        Shape& shape = shapes[i];
        if (auto* box = std::get_if<Box>(&shape.geometry)) {
            TESSERA_ASSIGN_OR_RETURN(*box, CleanBox(*box, size, i));
        } else if (auto* polygon = std::get_if<Polygon>(&shape.geometry)) {
            TESSERA_ASSIGN_OR_RETURN(*polygon, CleanPolygon(*polygon, size, i));
        }
    }
    if (type == TaskType::kSemantic) {
        return MergeSemantic(std::move(shapes), size);
    }
    return shapes;
}

}  // namespace tessera
