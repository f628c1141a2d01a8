#include "formats/label_studio_import.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <tuple>
#include <variant>

#include "base/percent_decode.hpp"
#include "formats/json_fields.hpp"
#include "formats/json_stream.hpp"

namespace tessera {

namespace {

using nlohmann::json;

// The largest brush image decoded (its alpha channel is held whole while decoding).
constexpr std::int64_t kMaxBrushPixels = std::int64_t{1} << 28;

// ---------------------------------------------------------------- brush RLE

class BitReader {
public:
    explicit BitReader(const std::vector<std::uint8_t>& bytes) : bytes_(bytes) {}

    std::optional<std::uint64_t> Read(int bits) {
        if (bit_ + static_cast<std::size_t>(bits) > bytes_.size() * 8) {
            return std::nullopt;
        }
        std::uint64_t value = 0;
        for (int k = 0; k < bits; ++k, ++bit_) {
            value = (value << 1) | ((bytes_[bit_ / 8] >> (7 - bit_ % 8)) & 1u);
        }
        return value;
    }

private:
    const std::vector<std::uint8_t>& bytes_;
    std::size_t bit_ = 0;
};

// Sets alpha[p] for each RGBA value index in [begin, end) that is pixel p's alpha (index 4p+3).
void MarkAlpha(std::uint64_t begin, std::uint64_t end, std::uint64_t value,
               std::vector<std::uint8_t>& alpha) {
    for (std::uint64_t i = begin + (3 + 4 - begin % 4) % 4; i < end; i += 4) {
        alpha[i / 4] = value > 0 ? 1 : 0;
    }
}

MaskRle RunsOf(const std::vector<std::uint8_t>& alpha) {
    MaskRle mask;
    for (std::size_t i = 0; i < alpha.size();) {
        if (alpha[i] == 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < alpha.size() && alpha[j] != 0) {
            ++j;
        }
        mask.runs.push_back(static_cast<std::int64_t>(i));
        mask.runs.push_back(static_cast<std::int64_t>(j - i));
        i = j;
    }
    return mask;
}

// ---------------------------------------------------------------- image names

// Label Studio writes file names into URLs as they are: a name with a literal '%' that is no
// escape is kept whole rather than refused.
std::string UrlDecode(std::string_view text) {
    auto decoded = PercentDecode(text, /*plus_is_space=*/true);
    return decoded ? std::move(*decoded) : std::string(text);
}

// "1a2b3c4d-x.jpg" -> "x.jpg": Label Studio stores uploads under a random 8-hex-digit prefix.
std::string WithoutUploadPrefix(std::string name) {
    if (name.size() > 9 && name[8] == '-' &&
        std::all_of(name.begin(), name.begin() + 8,
                    [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
        name.erase(0, 9);
    }
    return name;
}

bool HasImageExtension(std::string_view name) {
    static const char* const kExtensions[] = {".jpg", ".jpeg", ".png",  ".bmp",
                                              ".gif", ".tif",  ".tiff", ".webp"};
    return std::any_of(std::begin(kExtensions), std::end(kExtensions),
                       [&](const char* ext) { return ImportEndsWith(name, ext); });
}

bool LooksLikeImageUrl(std::string_view text) {
    for (const char* prefix : {"/data/upload/", "/data/local-files/", "s3://", "gs://",
                               "azure-blob://", "http://", "https://"}) {
        if (text.starts_with(prefix)) {
            return true;
        }
    }
    return HasImageExtension(LabelStudioImageName(text));
}

// The task's image: data.image (the key Label Studio's templates use), else the first string
// field that looks like an image.
std::string ImageUrlOf(const json& data) {
    if (!data.is_object()) {
        return "";
    }
    if (auto it = data.find("image"); it != data.end() && it->is_string()) {
        return it->get<std::string>();
    }
    for (const auto& [key, value] : data.items()) {
        if (value.is_string() && LooksLikeImageUrl(value.get<std::string>())) {
            return value.get<std::string>();
        }
    }
    return "";
}

// ---------------------------------------------------------------- results

std::optional<ImageSize> OriginalSize(const json& result) {
    const double w = JsonNumberOrNan(result, "original_width");
    const double h = JsonNumberOrNan(result, "original_height");
    if (!std::isfinite(w) || !std::isfinite(h) || w < 1 || h < 1 || w > 1e6 || h > 1e6) {
        return std::nullopt;
    }
    return ImageSize{static_cast<int>(std::lround(w)), static_cast<int>(std::lround(h))};
}

std::vector<std::string> Strings(const json& value, const std::string& key) {
    std::vector<std::string> out;
    auto it = value.find(key);
    if (it == value.end() || !it->is_array()) {
        return out;
    }
    for (const json& s : *it) {
        if (s.is_string()) {
            out.push_back(s.get<std::string>());
        }
    }
    return out;
}

// A shape in percent-derived 0-1 coordinates (masks: pixels of `size`).
struct StudioShape {
    Shape shape;
    std::optional<ImageSize> size;
};

// What one annotation or prediction gave.
struct Reading {
    std::vector<StudioShape> shapes;
    std::vector<std::string> labels;  // choices
    std::optional<double> choice_score;
    std::map<std::string, int> skipped;  // "keypointlabels" -> count
    int rotated_bounds = 0;              // rotated rectangles stored as their bounding box
    bool has_mask = false;
};

struct Scores {
    bool keep = false;               // predictions keep their scores
    std::optional<double> fallback;  // the prediction's score for results without one
};

std::optional<double> ScoreOf(const json& result, const Scores& scores) {
    if (!scores.keep) {
        return std::nullopt;
    }
    const double s = JsonNumberOrNan(result, "score");
    return std::isfinite(s) ? std::optional<double>(s) : scores.fallback;
}

Result<Ring> RotatedCorners(double x, double y, double w, double h, double degrees,
                            std::optional<ImageSize> size) {
    if (!size) {
        return Error::InvalidArgument(
            "a rotated rectangle needs original_width and original_height (its rotation is in "
            "pixels)");
    }
    // Percent to pixels first: the rotation is on screen, about the top-left corner, clockwise
    // with y down (label-studio-converter's convert_annotation_to_yolo_obb).
    const double width = size->width;
    const double height = size->height;
    const double px = x / 100 * width, py = y / 100 * height;
    const double pw = w / 100 * width, ph = h / 100 * height;
    const double t = degrees * std::numbers::pi / 180;
    const double c = std::cos(t), s = std::sin(t);
    const Ring pixels = {{px, py},
                         {px + pw * c, py + pw * s},
                         {px + pw * c - ph * s, py + pw * s + ph * c},
                         {px - ph * s, py + ph * c}};
    Ring out;
    for (const ImagePoint& p : pixels) {
        out.push_back({p.x / width, p.y / height});
    }
    return out;
}

Box BoundsOf(const Ring& ring) {
    double x0 = ring[0].x, x1 = ring[0].x, y0 = ring[0].y, y1 = ring[0].y;
    for (const ImagePoint& p : ring) {
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, p.y);
        y1 = std::max(y1, p.y);
    }
    return Box{x0, y0, x1 - x0, y1 - y0};
}

using Geometry = std::variant<Box, Polygon, MaskRle>;

Result<Geometry> Rectangle(const json& value, std::optional<ImageSize> size, TaskType task,
                           Reading& reading) {
    const double x = JsonNumberOrNan(value, "x"), y = JsonNumberOrNan(value, "y");
    const double w = JsonNumberOrNan(value, "width"), h = JsonNumberOrNan(value, "height");
    if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(w) || !std::isfinite(h)) {
        return Error::InvalidArgument("a rectangle needs numbers x, y, width, height");
    }
    double rotation = JsonNumberOrNan(value, "rotation");
    rotation = std::isfinite(rotation) ? std::fmod(rotation, 360.0) : 0;
    if (std::abs(rotation) < 1e-9 || std::abs(std::abs(rotation) - 360) < 1e-9) {
        return Geometry{Box{x / 100, y / 100, w / 100, h / 100}};
    }
    TESSERA_ASSIGN_OR_RETURN(Ring ring, RotatedCorners(x, y, w, h, rotation, size));
    if (task == TaskType::kBbox) {
        ++reading.rotated_bounds;
        return Geometry{BoundsOf(ring)};
    }
    return Geometry{Polygon{{std::move(ring)}}};
}

Result<Polygon> PolygonOf(const json& value) {
    auto it = value.find("points");
    if (it == value.end() || !it->is_array()) {
        return Error::InvalidArgument("a polygon needs \"points\"");
    }
    Ring ring;
    for (const json& p : *it) {
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
            return Error::InvalidArgument("polygon points must be [x, y] pairs");
        }
        ring.push_back({p[0].get<double>() / 100, p[1].get<double>() / 100});
    }
    return Polygon{{std::move(ring)}};
}

// An ellipse: centre x, y and radii radiusX, radiusY in percent of the width and height, turned
// `rotation` degrees clockwise on screen about its centre (the editor draws it with Konva). The
// outline is made in pixels of the size the editor saw, as CVAT ellipses (EllipseRing: within
// 1 px of the curve; a turn does not commute with unequal percent scales), then taken back to 0-1.
Result<Polygon> EllipseOf(const json& value, std::optional<ImageSize> size) {
    const double x = JsonNumberOrNan(value, "x"), y = JsonNumberOrNan(value, "y");
    const double rx = JsonNumberOrNan(value, "radiusX"), ry = JsonNumberOrNan(value, "radiusY");
    if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(rx) || !std::isfinite(ry)) {
        return Error::InvalidArgument("an ellipse needs numbers x, y, radiusX, radiusY");
    }
    if (!size) {
        return Error::InvalidArgument(
            "an ellipse needs original_width and original_height (its outline is drawn in "
            "pixels)");
    }
    const double rotation = JsonNumberOrNan(value, "rotation");
    const double width = size->width;
    const double height = size->height;
    Ring ring = EllipseRing(x / 100 * width, y / 100 * height, rx / 100 * width, ry / 100 * height,
                            std::isfinite(rotation) ? rotation : 0);
    for (ImagePoint& p : ring) {
        p.x /= width;
        p.y /= height;
    }
    return Polygon{{std::move(ring)}};
}

Result<MaskRle> BrushOf(const json& value, std::optional<ImageSize> size) {
    const std::string format = JsonStringOr(value, "format", "rle");
    if (format != "rle") {
        return Error::InvalidArgument("brush format \"" + format + "\" is not read (only rle)");
    }
    if (!size) {
        return Error::InvalidArgument("a brush result needs original_width and original_height");
    }
    auto it = value.find("rle");
    if (it == value.end() || !it->is_array()) {
        return Error::InvalidArgument("a brush result needs its \"rle\" list");
    }
    std::vector<std::uint8_t> bytes;
    bytes.reserve(it->size());
    for (const json& b : *it) {
        if (!b.is_number_integer() || b.get<std::int64_t>() < 0 || b.get<std::int64_t>() > 255) {
            return Error::InvalidArgument("brush \"rle\" must hold bytes (0-255)");
        }
        bytes.push_back(static_cast<std::uint8_t>(b.get<int>()));
    }
    return DecodeLabelStudioBrush(bytes, size->width, size->height);
}

bool IsClassificationTask(TaskType type) {
    return type == TaskType::kMulticlass || type == TaskType::kMultilabel;
}

// The kind a region result is, without the "labels" suffix: "rectangle" for both
// "rectanglelabels" and "rectangle"; empty for kinds that hold no region.
std::string RegionKind(const std::string& type) {
    for (const char* kind : {"rectangle", "polygon", "ellipse", "brush"}) {
        if (type == kind || type == std::string(kind) + "labels") {
            return kind;
        }
    }
    return "";
}

// One result list (an annotation's or a prediction's) into shapes and choices.
Status ReadResults(const json& results, TaskType task, const Scores& scores, Reading& reading) {
    // A region drawn with a separate <Labels> tag is two results sharing an id.
    std::map<std::string, std::vector<std::string>> labels_by_id;
    for (const json& r : results) {
        if (r.is_object() && JsonStringOr(r, "type") == "labels" && r.contains("id") &&
            r["id"].is_string() && r.contains("value") && r["value"].is_object()) {
            labels_by_id[r["id"].get<std::string>()] = Strings(r["value"], "labels");
        }
    }
    std::map<std::string, bool> region_ids;
    for (const json& r : results) {
        if (r.is_object() && r.contains("id") && r["id"].is_string() &&
            !RegionKind(JsonStringOr(r, "type")).empty()) {
            region_ids[r["id"].get<std::string>()] = true;
        }
    }
    for (const json& r : results) {
        if (!r.is_object() || !r.contains("type") || !r["type"].is_string()) {
            return Error::InvalidArgument("a result needs a \"type\"");
        }
        const std::string type = r["type"].get<std::string>();
        const std::string id =
            r.contains("id") && r["id"].is_string() ? r["id"].get<std::string>() : std::string();
        if (type == "labels" && region_ids.contains(id)) {
            continue;  // read with its region
        }
        const json empty = json::object();
        const json& value = r.contains("value") && r["value"].is_object() ? r["value"] : empty;
        if (const double rot = JsonNumberOrNan(r, "image_rotation");
            std::isfinite(rot) && rot != 0) {
            return Error::InvalidArgument(
                "image_rotation " + r["image_rotation"].dump() +
                " is not read (the image was rotated in Label Studio's editor)");
        }
        if (type == "choices") {
            if (!IsClassificationTask(task)) {
                ++reading.skipped["choices"];
                continue;
            }
            for (std::string& c : Strings(value, "choices")) {
                reading.labels.push_back(std::move(c));
            }
            reading.choice_score = ScoreOf(r, scores);
            continue;
        }
        const std::string kind = RegionKind(type);
        if (kind.empty()) {
            ++reading.skipped[type];
            continue;
        }
        if (IsClassificationTask(task)) {
            ++reading.skipped[type];
            continue;
        }
        std::vector<std::string> labels = type == kind ? labels_by_id[id] : Strings(value, type);
        if (labels.empty()) {
            ++reading.skipped[type + " without a label"];
            continue;
        }
        const std::optional<ImageSize> size = OriginalSize(r);
        Geometry geometry;
        if (kind == "rectangle") {
            TESSERA_ASSIGN_OR_RETURN(geometry, Rectangle(value, size, task, reading));
        } else if (kind == "polygon") {
            TESSERA_ASSIGN_OR_RETURN(geometry, PolygonOf(value));
        } else if (kind == "ellipse") {
            TESSERA_ASSIGN_OR_RETURN(geometry, EllipseOf(value, size));
        } else {
            TESSERA_ASSIGN_OR_RETURN(geometry, BrushOf(value, size));
            reading.has_mask = true;
        }
        for (std::string& label : labels) {
            StudioShape read;
            read.shape.label = std::move(label);
            read.shape.geometry = geometry;
            read.shape.confidence = ScoreOf(r, scores);
            read.size = size;
            reading.shapes.push_back(std::move(read));
        }
    }
    return Status::Ok();
}

// Masks are pixels of their image, so a record with one is in pixels of that size (a file
// whose size differs from the item's is then an error); otherwise percent coordinates are
// scaled to whatever size the item has.
void PlaceShapes(Reading& reading, ImportRecord& record) {
    std::optional<ImageSize> mask_size;
    for (const StudioShape& s : reading.shapes) {
        if (std::holds_alternative<MaskRle>(s.shape.geometry)) {
            mask_size = s.size;
            break;
        }
        if (!record.size && s.size) {
            record.size = s.size;
        }
    }
    record.space = mask_size ? CoordSpace::kPixel : CoordSpace::kNormalized;
    if (mask_size) {
        record.size = mask_size;
    }
    for (StudioShape& s : reading.shapes) {
        if (mask_size) {
            const ImageSize size = s.size.value_or(*mask_size);
            const double sx = size.width, sy = size.height;
            if (auto* box = std::get_if<Box>(&s.shape.geometry)) {
                *box = Box{box->x * sx, box->y * sy, box->w * sx, box->h * sy};
            } else if (auto* polygon = std::get_if<Polygon>(&s.shape.geometry)) {
                for (Ring& ring : polygon->rings) {
                    for (ImagePoint& p : ring) {
                        p = {p.x * sx, p.y * sy};
                    }
                }
            }
        }
        record.shapes.push_back(std::move(s.shape));
    }
    record.labels = std::move(reading.labels);
    record.confidence = reading.choice_score;
}

// ---------------------------------------------------------------- tasks

std::string Text(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) {
        return "";
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

// Newest first: a ground-truth annotation, then the latest updated_at (created_at when absent),
// then the later in the file.
std::vector<std::size_t> NewestFirst(const json& list) {
    std::vector<std::size_t> order(list.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    auto key = [&](std::size_t i) {
        const json& a = list[i];
        std::string when = Text(a, "updated_at");
        if (when.empty()) {
            when = Text(a, "created_at");
        }
        return std::make_tuple(JsonIsTrue(a, "ground_truth"), when, i);
    };
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
    return order;
}

std::string Describe(const json& entry, const char* what) {
    std::string out = what;
    if (entry.contains("id") && !entry["id"].is_null()) {
        out += " " + Text(entry, "id");
    }
    if (entry.contains("model_version") && entry["model_version"].is_string()) {
        out += " (model_version " + entry["model_version"].get<std::string>() + ")";
    }
    if (entry.contains("completed_by")) {
        const json& by = entry["completed_by"];
        out += " by " + (by.is_object() ? Text(by, "email") : Text(entry, "completed_by"));
    }
    return out;
}

// Which annotation or prediction of a task is read (nullptr: none), with what scores; what is
// left out goes to `notes`.
struct Choice {
    const json* chosen = nullptr;
    Scores scores;
};

Choice Choose(const json& annotations, const json& predictions, bool use_predictions,
              std::vector<std::string>& notes) {
    const json* chosen = nullptr;
    Scores scores;
    std::vector<std::size_t> usable;
    int cancelled = 0;
    for (std::size_t i : NewestFirst(annotations)) {
        if (JsonIsTrue(annotations[i], "was_cancelled")) {
            ++cancelled;
        } else {
            usable.push_back(i);
        }
    }
    if (cancelled > 0) {
        notes.push_back(std::to_string(cancelled) + " cancelled annotation" +
                        (cancelled > 1 ? "s" : ""));
    }
    if (use_predictions && !predictions.empty()) {
        const std::vector<std::size_t> order = NewestFirst(predictions);
        chosen = &predictions[order[0]];
        scores.keep = true;
        const double s = JsonNumberOrNan(*chosen, "score");
        scores.fallback = std::isfinite(s) ? std::optional<double>(s) : std::nullopt;
        for (std::size_t k = 1; k < order.size(); ++k) {
            notes.push_back(Describe(predictions[order[k]], "prediction") + " (older than " +
                            Describe(*chosen, "prediction") + ")");
        }
        if (!usable.empty()) {
            notes.push_back(std::to_string(usable.size()) + " annotation" +
                            (usable.size() > 1 ? "s" : "") +
                            " (mode=prelabel takes the predictions)");
        }
    } else {
        if (!usable.empty()) {
            chosen = &annotations[usable[0]];
            for (std::size_t k = 1; k < usable.size(); ++k) {
                notes.push_back(Describe(annotations[usable[k]], "annotation") + " (older than " +
                                Describe(*chosen, "annotation") + ")");
            }
        }
        if (!predictions.empty()) {
            notes.push_back(std::to_string(predictions.size()) + " prediction" +
                            (predictions.size() > 1 ? "s" : "") +
                            " (mode=final takes annotations; mode=prelabel imports them)");
        }
    }
    return {chosen, scores};
}

class Reader {
public:
    Reader(const LabelStudioOptions& options, ParsedImport& out) : options_(options), out_(out) {}

    // One element of a file: a task, a JSON-MIN record, or a bare prediction.
    void Element(const std::string& file, json&& element) {
        if (!element.is_object()) {
            out_.errors.push_back({++row_, file + ": element " + std::to_string(row_) +
                                               " is not a Label Studio task object"});
            return;
        }
        if (element.contains("data") || element.contains("annotations") ||
            element.contains("predictions")) {
            Task(file, ++row_, element);
        } else if (element.contains("result")) {
            out_.skipped.push_back(
                {++row_, file,
                 "a prediction or annotation without its task (no \"data\"): nothing names its "
                 "image"});
        } else {
            MinRecord(std::move(element));
        }
    }

    // JSON-MIN records of one task are its annotations; they are read when the file ends.
    void EndFile(const std::string& file) {
        for (const PendingTask& pending : min_tasks_) {
            Task(file, pending.row, pending.task);
        }
        min_tasks_.clear();
        min_task_index_.clear();
    }

private:
    struct PendingTask {
        int row = 0;
        json task;
    };

    void Task(const std::string& file, int row, const json& task) {
        ImportRecord record;
        record.row = row;
        const std::string url = ImageUrlOf(task.value("data", json()));
        record.name = LabelStudioImageName(url);
        record.match_stem = !record.name.empty() && !HasImageExtension(record.name);
        std::vector<std::string> notes;
        const json none = json::array();
        const json& annotations = ListOf(task, "annotations", none);
        const json& predictions = ListOf(task, "predictions", none);

        auto [chosen, scores] = Choose(annotations, predictions, options_.predictions, notes);
        const std::string where = file + ": " + (record.name.empty() ? url : record.name);
        if (record.name.empty()) {
            Skip(row, file, url, "the task's data names no image");
            return;
        }
        if (chosen == nullptr) {
            Skip(row, file, record.name, NotImported(notes, "nothing to import"));
            return;
        }
        const json& results = ListOf(*chosen, "result", none);
        Reading reading;
        if (Status read = ReadResults(results, options_.task_type, scores, reading); !read.ok()) {
            out_.errors.push_back({row, where + ": " + read.error().message});
            return;
        }
        for (const auto& [kind, count] : reading.skipped) {
            notes.push_back(std::to_string(count) + " " + kind + " result" +
                            (count > 1 ? "s" : ""));
        }
        const bool nothing = reading.shapes.empty() && reading.labels.empty();
        // An empty annotation says "nothing in this image" to a shape project; results of kinds
        // this project does not take say nothing, and a classification needs a choice.
        if (nothing &&
            (!results.empty() || scores.keep || IsClassificationTask(options_.task_type))) {
            const std::string what = scores.keep ? "the prediction" : "the annotation";
            Skip(row, file, record.name,
                 NotImported(notes, results.empty() ? what + " has no results"
                                                    : "nothing this project can take"));
            return;
        }
        if (reading.rotated_bounds > 0) {
            Skip(row, file, record.name,
                 std::to_string(reading.rotated_bounds) + " rotated rectangle" +
                     (reading.rotated_bounds > 1 ? "s" : "") +
                     " stored as the axis-aligned bounding box (a bbox project has no rotation)");
        }
        if (!notes.empty()) {
            Skip(row, file, record.name, NotImported(notes, ""));
        }
        PlaceShapes(reading, record);
        out_.records.push_back(std::move(record));
    }

    static const json& ListOf(const json& object, const char* key, const json& none) {
        auto it = object.find(key);
        return it != object.end() && it->is_array() ? *it : none;
    }

    static std::string NotImported(const std::vector<std::string>& notes,
                                   const std::string& verdict) {
        std::string out = verdict;
        if (!notes.empty()) {
            out += std::string(out.empty() ? "" : "; ") + "not imported: ";
            for (std::size_t i = 0; i < notes.size(); ++i) {
                out += (i > 0 ? ", " : "") + notes[i];
            }
        }
        return out;
    }

    // Reasons name the file: an upload may zip several exports.
    void Skip(int row, const std::string& file, const std::string& name,
              const std::string& reason) {
        out_.skipped.push_back({row, name, file + ": " + reason});
    }

    // A JSON-MIN record: the task's data fields, its id, one key per control tag (a list of
    // `value` objects with original_width/height merged in, or a plain string for a single
    // choice), and the annotation's metadata. It becomes one annotation of a task.
    void MinRecord(json&& record) {
        static const char* const kMeta[] = {"id",         "annotator",  "annotation_id",
                                            "created_at", "updated_at", "lead_time",
                                            "agreement",  "history"};
        const std::string task_id =
            record.contains("id") ? record["id"].dump() : "row " + std::to_string(row_ + 1);
        auto [it, fresh] = min_task_index_.try_emplace(task_id, min_tasks_.size());
        if (fresh) {
            min_tasks_.emplace_back();
        }
        PendingTask& pending = min_tasks_[it->second];
        if (fresh) {
            pending.row = ++row_;
            pending.task = {{"data", json::object()}, {"annotations", json::array()}};
        }
        json annotation = {{"id", record.value("annotation_id", json())},
                           {"created_at", record.value("created_at", json())},
                           {"updated_at", record.value("updated_at", json())},
                           {"result", json::array()}};
        json& results = annotation["result"];
        for (const auto& item : record.items()) {
            const std::string& key = item.key();
            json& value = item.value();
            if (std::any_of(std::begin(kMeta), std::end(kMeta),
                            [&](const char* m) { return key == m; })) {
                continue;
            }
            if (value.is_string()) {
                const std::string text = value.get<std::string>();
                if (options_.is_label && options_.is_label(text) && !LooksLikeImageUrl(text)) {
                    results.push_back(
                        {{"type", "choices"}, {"value", {{"choices", json::array({text})}}}});
                } else if (fresh) {
                    pending.task["data"][key] = value;
                }
                continue;
            }
            if (!value.is_array() || value.empty() || !value[0].is_object()) {
                if (fresh) {
                    pending.task["data"][key] = value;
                }
                continue;
            }
            for (json& region : value) {
                results.push_back(MinResult(std::move(region)));
            }
        }
        pending.task["annotations"].push_back(std::move(annotation));
    }

    // A JSON-MIN value object back into a result: its kind is the key holding its labels.
    static json MinResult(json value) {
        static const char* const kTypes[] = {"rectanglelabels", "polygonlabels", "brushlabels",
                                             "keypointlabels",  "ellipselabels", "choices",
                                             "polylinelabels",  "labels",        "taxonomy"};
        std::string type = "unknown";
        for (const char* t : kTypes) {
            if (value.is_object() && value.contains(t)) {
                type = t;
                break;
            }
        }
        json result = {{"type", type}};
        for (const char* key : {"original_width", "original_height", "image_rotation", "score"}) {
            if (value.is_object() && value.contains(key)) {
                result[key] = value[key];
                value.erase(key);
            }
        }
        result["value"] = std::move(value);
        return result;
    }

    const LabelStudioOptions& options_;
    ParsedImport& out_;
    int row_ = 0;
    std::vector<PendingTask> min_tasks_;  // JSON-MIN tasks of the current file, in file order
    std::map<std::string, std::size_t> min_task_index_;  // task id -> position in min_tasks_
};

}  // namespace

Result<MaskRle> DecodeLabelStudioBrush(const std::vector<std::uint8_t>& rle, int width,
                                       int height) {
    if (width <= 0 || height <= 0 || std::int64_t{width} * height > kMaxBrushPixels) {
        return Error::InvalidArgument("brush image size " + std::to_string(width) + "x" +
                                      std::to_string(height) + " is not read");
    }
    const std::uint64_t expected =
        std::uint64_t{4} * static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
    BitReader in(rle);
    const auto count = in.Read(32);
    const auto word = in.Read(5);
    std::uint64_t widths[4] = {};
    for (std::uint64_t& w : widths) {
        const auto bits = in.Read(4);
        if (!bits) {
            return Error::InvalidArgument("brush RLE is too short for its header");
        }
        w = *bits + 1;
    }
    if (!count || !word) {
        return Error::InvalidArgument("brush RLE is too short for its header");
    }
    if (*count != expected) {
        return Error::InvalidArgument("brush RLE holds " + std::to_string(*count) +
                                      " values, not the " + std::to_string(expected) + " of a " +
                                      std::to_string(width) + "x" + std::to_string(height) +
                                      " RGBA image");
    }
    const int word_bits = static_cast<int>(*word) + 1;
    std::vector<std::uint8_t> alpha(static_cast<std::size_t>(width) * height, 0);
    const Error truncated = Error::InvalidArgument("brush RLE ends before its last value");
    for (std::uint64_t i = 0; i < expected;) {
        const auto repeat = in.Read(1);
        const auto which = in.Read(2);
        if (!repeat || !which) {
            return truncated;
        }
        const auto length = in.Read(static_cast<int>(widths[*which]));
        if (!length) {
            return truncated;
        }
        const std::uint64_t end = i + *length + 1;
        if (*repeat == 1) {
            const auto value = in.Read(word_bits);
            if (!value) {
                return truncated;
            }
            MarkAlpha(i, std::min(end, expected), *value, alpha);
            i = end;
            continue;
        }
        if (end > expected) {
            return Error::InvalidArgument("brush RLE has more values than its count");
        }
        for (; i < end; ++i) {
            const auto value = in.Read(word_bits);
            if (!value) {
                return truncated;
            }
            MarkAlpha(i, i + 1, *value, alpha);
        }
    }
    return RunsOf(alpha);
}

std::string LabelStudioImageName(std::string_view url) {
    if (url.starts_with("/data/upload/")) {
        return WithoutUploadPrefix(ImportBaseName(url));
    }
    if (const std::size_t d = url.find("?d="); d != std::string_view::npos) {
        std::string_view path = url.substr(d + 3);
        path = path.substr(0, path.find('&'));
        return UrlDecode(path);
    }
    for (std::string_view scheme : {"s3://", "gs://", "azure-blob://", "http://", "https://"}) {
        if (url.starts_with(scheme)) {
            std::string_view rest = url.substr(scheme.size());
            rest = rest.substr(0, rest.find_first_of("?#"));
            const std::size_t slash = rest.find('/');  // the bucket or host
            return slash == std::string_view::npos ? "" : UrlDecode(rest.substr(slash + 1));
        }
    }
    return std::string(url);
}

Result<ParsedImport> ParseLabelStudio(const std::vector<ImportFile>& files,
                                      const LabelStudioOptions& options) {
    ParsedImport out;
    Reader reader(options, out);
    bool any = false;
    for (const ImportFile& file : files) {
        if (!ImportEndsWith(file.path, ".json")) {
            continue;
        }
        any = true;
        Status status = StreamJsonElements(file.bytes, [&](std::size_t, json&& element) {
            reader.Element(file.path, std::move(element));
            return Status::Ok();
        });
        if (!status.ok()) {
            return Error{status.error().code, file.path + ": " + status.error().message, {}};
        }
        reader.EndFile(file.path);
    }
    if (!any) {
        return Error::InvalidArgument("no Label Studio .json file in the upload");
    }
    return out;
}

Result<ParsedImport> ParseLabelStudioUpload(const ImportUpload& upload,
                                            const LabelStudioOptions& options) {
    ParsedImport out;
    Reader reader(options, out);
    bool any = false;
    TESSERA_TRY(upload.ForEach([&](const std::string& path, std::istream& bytes) -> Status {
        if (!ImportEndsWith(path, ".json")) {
            return Status::Ok();
        }
        any = true;
        Status status = StreamJsonElements(bytes, [&](std::size_t, json&& element) {
            reader.Element(path, std::move(element));
            return Status::Ok();
        });
        if (!status.ok()) {
            return Error{status.error().code, path + ": " + status.error().message, {}};
        }
        reader.EndFile(path);
        return Status::Ok();
    }));
    if (!any) {
        return Error::InvalidArgument("no Label Studio .json file in the upload");
    }
    return out;
}

}  // namespace tessera
