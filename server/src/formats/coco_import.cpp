#include "formats/coco_import.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "formats/json_stream.hpp"

namespace tessera {

namespace {

using nlohmann::json;

struct CocoImage {
    std::string file_name;
    int width = 0;
    int height = 0;
    std::size_t record = 0;
};

double Num(const json& value) {
    return value.is_number() ? value.get<double>() : NAN;
}

// A width or height as an int; 0 when not a number or absurd.
int ToDimension(const json& value) {
    if (!value.is_number()) {
        return 0;
    }
    const double v = value.get<double>();
    return std::isfinite(v) && std::abs(v) < (1 << 30) ? static_cast<int>(v) : 0;
}

int Dimension(const json& image, const char* key) {
    return image.contains(key) ? ToDimension(image[key]) : 0;
}

// The largest coordinate of one annotation's box and polygons; Azure's flavour stays in 0-1.
double MaxCoordinate(const json& a) {
    double max = 0;
    if (a.contains("bbox") && a["bbox"].is_array() && a["bbox"].size() == 4) {
        max = std::max(
            {max, Num(a["bbox"][0]) + Num(a["bbox"][2]), Num(a["bbox"][1]) + Num(a["bbox"][3])});
    }
    if (a.contains("segmentation") && a["segmentation"].is_array()) {
        for (const json& ring : a["segmentation"]) {
            if (!ring.is_array()) {
                continue;
            }
            for (const json& v : ring) {
                max = std::max(max, Num(v));
            }
        }
    }
    return max;
}

Result<Polygon> ReadPolygon(const json& segmentation) {
    Polygon polygon;
    for (const json& flat : segmentation) {
        if (!flat.is_array() || flat.size() % 2 != 0) {
            return Error::InvalidArgument("segmentation ring must be [x1, y1, x2, y2, ...]");
        }
        Ring ring;
        for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
            ring.push_back({Num(flat[i]), Num(flat[i + 1])});
        }
        polygon.rings.push_back(std::move(ring));
    }
    return polygon;
}

Result<MaskRle> ReadRle(const json& rle, const CocoImage& image) {
    int height = image.height;
    int width = image.width;
    if (rle.contains("size")) {
        const json& size = rle["size"];
        if (size.is_array() && size.size() == 2 && size[0].is_number() && size[1].is_number()) {
            height = ToDimension(size[0]);
            width = ToDimension(size[1]);
        }
    }
    if (width <= 0 || height <= 0) {
        return Error::InvalidArgument("RLE segmentation needs the image size");
    }
    return CocoRleCountsToMask(rle.contains("counts") ? rle["counts"] : json(), width, height);
}

// What one element of "annotations" says, before its image and category are known (COCO files
// often list categories last, and nothing obliges "images" to come first).
struct PendingAnnotation {
    struct Unreadable {
        std::string why;
    };
    // No bbox and no segmentation: Azure ML's COCO export of a classification project writes
    // one such annotation per label of the image.
    struct ImageLabel {};
    // Keypoints alone: a shape kind we cannot draw.
    struct Keypoints {};
    std::size_t index = 0;  // in "annotations", for messages
    std::int64_t image_id = 0;
    std::optional<std::int64_t> category_id;
    std::optional<double> score;
    // An RLE stays JSON until its image (whose size it may need) is known.
    std::variant<Unreadable, ImageLabel, Keypoints, Box, Polygon, json> geometry;
};

// One COCO file while its arrays stream past. Images become records as they come; annotations
// are attached as soon as their image and category are known, the rest when the file ends.
// Only elements, never the whole "annotations" array, are held as JSON.
class CocoFileReader {
public:
    CocoFileReader(std::string path, CocoFlavor flavor, ParsedImport& out)
        : path_(std::move(path)), flavor_(flavor), out_(out), first_record_(out.records.size()) {}

    Status Element(const std::string& key, std::size_t index, const json& element) {
        if (key == "images") {
            AddImage(element);
        } else if (key == "categories") {
            AddCategory(element);
        } else {
            AddAnnotation(index, element);
        }
        return Status::Ok();
    }

    Status Finish(const std::map<std::string, JsonTopLevel>& seen) {
        if (seen.at("images") != JsonTopLevel::kArray) {
            return Error::InvalidArgument(path_ + ": COCO file without an \"images\" list");
        }
        while (!pending_.empty()) {  // popped as they go: the deque gives its memory back
            Resolve(std::move(pending_.front()));
            pending_.pop_front();
        }
        bool normalized = flavor_ == CocoFlavor::kAzure;
        if (flavor_ == CocoFlavor::kDetect) {
            normalized = all_sizes_zero_ && annotation_count_ > 0 && max_coordinate_ <= 1.5;
        }
        for (std::size_t i = first_record_; i < out_.records.size(); ++i) {
            out_.records[i].space = normalized ? CoordSpace::kNormalized : CoordSpace::kPixel;
        }
        out_.errors.insert(out_.errors.end(), std::make_move_iterator(errors_.begin()),
                           std::make_move_iterator(errors_.end()));
        return Status::Ok();
    }

private:
    void AddImage(const json& image) {
        // Rows count images across the upload; annotation errors are added at the end of the
        // file so they do not shift them.
        const int row = static_cast<int>(out_.records.size() + out_.errors.size()) + 1;
        if (!image.is_object() || !image.contains("id") || !image["id"].is_number_integer() ||
            !image.contains("file_name") || !image["file_name"].is_string()) {
            out_.errors.push_back({row, path_ + ": image without integer id or file_name"});
            return;
        }
        CocoImage info{image["file_name"].get<std::string>(), Dimension(image, "width"),
                       Dimension(image, "height"), out_.records.size()};
        all_sizes_zero_ = all_sizes_zero_ && info.width == 0 && info.height == 0;
        ImportRecord record;
        record.row = row;
        record.file = path_;
        record.name = info.file_name;
        if (info.width > 0 && info.height > 0) {
            record.size = ImageSize{info.width, info.height};
        }
        images_[image["id"].get<std::int64_t>()] = std::move(info);
        out_.records.push_back(std::move(record));
    }

    void AddCategory(const json& c) {
        if (c.is_object() && c.contains("id") && c["id"].is_number_integer() &&
            c.contains("name") && c["name"].is_string()) {
            categories_[c["id"].get<std::int64_t>()] = c["name"].get<std::string>();
        }
    }

    void AddAnnotation(std::size_t index, const json& a) {
        ++annotation_count_;
        max_coordinate_ = std::max(max_coordinate_, MaxCoordinate(a));
        if (!a.is_object() || !a.contains("image_id") || !a["image_id"].is_number_integer()) {
            errors_.push_back({0, Where(index) + ": no integer image_id"});
            return;
        }
        PendingAnnotation pending;
        pending.index = index;
        pending.image_id = a["image_id"].get<std::int64_t>();
        if (a.contains("category_id") && a["category_id"].is_number_integer()) {
            pending.category_id = a["category_id"].get<std::int64_t>();
        }
        if (a.contains("score") && a["score"].is_number()) {
            pending.score = a["score"].get<double>();
        }
        const json none;
        const json& seg = a.contains("segmentation") ? a["segmentation"] : none;
        if (seg.is_array() && !seg.empty()) {
            auto polygon = ReadPolygon(seg);
            if (polygon.ok()) {
                pending.geometry = std::move(polygon).value();
            } else {
                pending.geometry = PendingAnnotation::Unreadable{polygon.error().message};
            }
        } else if (seg.is_object()) {
            pending.geometry = seg;
        } else if (a.contains("bbox") && a["bbox"].is_array() && a["bbox"].size() == 4) {
            const json& b = a["bbox"];
            pending.geometry = Box{Num(b[0]), Num(b[1]), Num(b[2]), Num(b[3])};
        } else if (a.contains("keypoints")) {
            pending.geometry = PendingAnnotation::Keypoints{};
        } else {
            pending.geometry = PendingAnnotation::ImageLabel{};
        }
        const bool category_later =
            pending.category_id && !categories_.contains(*pending.category_id);
        if (!images_.contains(pending.image_id) || category_later) {
            pending_.push_back(std::move(pending));
        } else {
            Resolve(std::move(pending));
        }
    }

    // Attaches the annotation to its image's record, or reports why it cannot be.
    void Resolve(PendingAnnotation&& a) {
        auto image = images_.find(a.image_id);
        if (image == images_.end()) {
            errors_.push_back({0, Where(a.index) + ": image_id not in \"images\""});
            return;
        }
        ImportRecord& record = out_.records[image->second.record];
        auto category = a.category_id ? categories_.find(*a.category_id) : categories_.end();
        if (category == categories_.end()) {
            errors_.push_back({record.row, Where(a.index) + ": unknown category_id"});
            return;
        }
        Shape shape;
        shape.label = category->second;
        shape.confidence = a.score;
        if (auto* unreadable = std::get_if<PendingAnnotation::Unreadable>(&a.geometry)) {
            errors_.push_back({record.row, Where(a.index) + ": " + unreadable->why});
            return;
        }
        if (std::holds_alternative<PendingAnnotation::Keypoints>(a.geometry)) {
            ++record.dropped["keypoints"];
            return;
        }
        if (std::holds_alternative<PendingAnnotation::ImageLabel>(a.geometry)) {
            auto& labels = record.labels;
            if (std::find(labels.begin(), labels.end(), category->second) == labels.end()) {
                labels.push_back(category->second);
            }
            return;
        }
        if (auto* rle = std::get_if<json>(&a.geometry)) {
            auto mask = ReadRle(*rle, image->second);
            if (!mask.ok()) {
                errors_.push_back({record.row, Where(a.index) + ": " + mask.error().message});
                return;
            }
            shape.geometry = std::move(mask).value();
        } else if (auto* box = std::get_if<Box>(&a.geometry)) {
            shape.geometry = *box;
        } else {
            shape.geometry = std::move(std::get<Polygon>(a.geometry));
        }
        record.shapes.push_back(std::move(shape));
    }

    std::string Where(std::size_t index) const {
        return path_ + ": annotations[" + std::to_string(index) + "]";
    }

    std::string path_;
    CocoFlavor flavor_;
    ParsedImport& out_;
    std::size_t first_record_;  // this file's records start here
    std::map<std::int64_t, CocoImage> images_;
    std::map<std::int64_t, std::string> categories_;
    std::deque<PendingAnnotation> pending_;
    std::vector<ImportRowError> errors_;  // annotation errors, added to out_ at the end
    bool all_sizes_zero_ = true;
    std::size_t annotation_count_ = 0;
    double max_coordinate_ = 0;
};

template <typename Input>
Status ParseOneFile(Input&& input, const std::string& path, CocoFlavor flavor, ParsedImport& out) {
    CocoFileReader reader(path, flavor, out);
    JsonArrayStream stream;
    stream.keys = {"images", "categories", "annotations"};
    stream.element = [&reader](const std::string& key, std::size_t index, json&& element) {
        return reader.Element(key, index, element);
    };
    auto seen = StreamJsonArrays(std::forward<Input>(input), stream);
    if (!seen.ok()) {
        return Error{seen.error().code, path + ": " + seen.error().message, {}};
    }
    return reader.Finish(*seen);
}

}  // namespace

Result<std::vector<std::int64_t>> DecodeCocoRleString(const std::string& counts) {
    // pycocotools' rleFrString: 5 bits per char (offset 48), continuation bit 0x20, sign bit
    // 0x10 on the last char; from the third count on, values are deltas to the count two back.
    std::vector<std::int64_t> out;
    std::size_t p = 0;
    while (p < counts.size()) {
        std::int64_t x = 0;
        int k = 0;
        bool more = true;
        while (more) {
            if (p >= counts.size() || k > 12) {
                return Error::InvalidArgument("malformed compressed RLE counts");
            }
            const std::int64_t c = static_cast<std::int64_t>(counts[p]) - 48;
            if (c < 0 || c > 63) {
                return Error::InvalidArgument("malformed compressed RLE counts");
            }
            x |= (c & 0x1f) << (5 * k);
            more = (c & 0x20) != 0;
            ++p;
            ++k;
            if (!more && (c & 0x10) != 0) {
                x |= -(static_cast<std::int64_t>(1) << (5 * k));
            }
        }
        if (out.size() > 2) {
            const std::int64_t base = out[out.size() - 2];
            if (x > std::numeric_limits<std::int64_t>::max() - base) {
                return Error::InvalidArgument("malformed compressed RLE counts");
            }
            x += base;
        }
        if (x < 0) {
            return Error::InvalidArgument("malformed compressed RLE counts");
        }
        out.push_back(x);
    }
    return out;
}

Result<MaskRle> CocoRleCountsToMask(const json& counts, int width, int height) {
    std::vector<std::int64_t> runs;
    if (counts.is_string()) {
        TESSERA_ASSIGN_OR_RETURN(runs, DecodeCocoRleString(counts.get<std::string>()));
    } else if (counts.is_array()) {
        runs.reserve(counts.size());
        for (const json& c : counts) {
            if (!c.is_number_integer() || c.get<std::int64_t>() < 0) {
                return Error::InvalidArgument("RLE counts must be non-negative integers");
            }
            runs.push_back(c.get<std::int64_t>());
        }
    } else {
        return Error::InvalidArgument(
            "RLE needs \"counts\": a compressed string or a list of run lengths");
    }
    // Summed with a stop past the image, so hostile counts cannot overflow the total.
    const std::int64_t pixels = std::int64_t{width} * height;
    std::int64_t total = 0;
    for (std::int64_t c : runs) {
        if (c > pixels - total) {
            return Error::InvalidArgument("RLE counts do not cover the image");
        }
        total += c;
    }
    if (total != pixels) {
        return Error::InvalidArgument("RLE counts do not cover the image");
    }
    return ColumnRunsToMask(runs, width, height);
}

MaskRle ColumnRunsToMask(const std::vector<std::int64_t>& counts, int width, int height) {
    // Column-major runs to per-pixel rows, then row-major runs: masks are at most one image.
    std::vector<std::vector<std::pair<int, int>>> rows(static_cast<std::size_t>(height));
    std::int64_t pos = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (i % 2 == 1) {
            for (std::int64_t j = pos; j < pos + counts[i]; ++j) {
                const int x = static_cast<int>(j / height);
                const int y = static_cast<int>(j % height);
                auto& row = rows[static_cast<std::size_t>(y)];
                if (!row.empty() && row.back().second == x) {
                    row.back().second = x + 1;
                } else {
                    row.push_back({x, x + 1});
                }
            }
        }
        pos += counts[i];
    }
    MaskRle mask;
    for (int y = 0; y < height; ++y) {
        for (const auto& [x0, x1] : rows[static_cast<std::size_t>(y)]) {
            const std::int64_t start = static_cast<std::int64_t>(y) * width + x0;
            const std::size_t n = mask.runs.size();
            if (n >= 2 && mask.runs[n - 2] + mask.runs[n - 1] == start) {
                mask.runs[n - 1] += x1 - x0;
            } else {
                mask.runs.push_back(start);
                mask.runs.push_back(x1 - x0);
            }
        }
    }
    return mask;
}

Result<ParsedImport> ParseCoco(const std::vector<ImportFile>& files, CocoFlavor flavor) {
    ParsedImport out;
    bool any = false;
    for (const ImportFile& file : files) {
        if (!ImportEndsWith(file.path, ".json")) {
            continue;
        }
        any = true;
        TESSERA_TRY(ParseOneFile(std::string_view(file.bytes), file.path, flavor, out));
    }
    if (!any) {
        return Error::InvalidArgument("no COCO .json file in the upload");
    }
    return out;
}

Result<ParsedImport> ParseCocoUpload(const ImportUpload& upload, CocoFlavor flavor) {
    ParsedImport out;
    bool any = false;
    TESSERA_TRY(upload.ForEach([&](const std::string& path, std::istream& bytes) -> Status {
        if (!ImportEndsWith(path, ".json")) {
            return Status::Ok();
        }
        any = true;
        return ParseOneFile(bytes, path, flavor, out);
    }));
    if (!any) {
        return Error::InvalidArgument("no COCO .json file in the upload");
    }
    return out;
}

}  // namespace tessera
