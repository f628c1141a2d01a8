#include "formats/datumaro_import.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "formats/coco_import.hpp"
#include "formats/json_fields.hpp"
#include "formats/json_stream.hpp"

namespace tessera {

namespace {

using nlohmann::json;

// Datumaro's name for the subset of items that were given none (CVAT's task exports use it):
// its items are named without a subset folder.
constexpr std::string_view kDefaultSubset = "default";

// ".jpg" for "a/b.jpg"; "" when the file name has no extension.
std::string Extension(std::string_view path) {
    const std::string base = ImportBaseName(path);
    const std::size_t dot = base.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? "" : base.substr(dot);
}

std::string StringField(const json& object, const char* key) {
    if (!object.is_object() || !object.contains(key)) {
        return "";
    }
    const json& value = object[key];
    if (value.is_string()) {
        return value.get<std::string>();
    }
    // Old Datumaro and CVAT video exports write frame numbers as ids.
    return value.is_number_integer() ? std::to_string(value.get<std::int64_t>()) : "";
}

// categories.label.labels[*].name, indexed by the annotations' label_id.
std::vector<std::string> LabelNames(const json& categories) {
    std::vector<std::string> names;
    if (!categories.is_object() || !categories.contains("label") ||
        !categories["label"].is_object()) {
        return names;
    }
    const json labels = categories["label"].value("labels", json::array());
    if (!labels.is_array()) {
        return names;
    }
    for (const json& label : labels) {
        names.push_back(StringField(label, "name"));
    }
    return names;
}

// The image the item names: its id (the image's path without extension, folders kept) with the
// extension of image.path / media.path / point_cloud.path; just the id, matched by stem, when no
// path gives one; the path when there is no id.
struct ImageName {
    std::string name;
    bool match_stem = false;
};

ImageName ItemImageName(const json& item) {
    std::string path;
    for (const char* key : {"image", "media", "point_cloud"}) {
        if (item.contains(key)) {
            path = StringField(item[key], "path");
            if (!path.empty()) {
                break;
            }
        }
    }
    const std::string id = StringField(item, "id");
    if (id.empty()) {
        return {path, path.empty()};
    }
    const std::string ext = Extension(path);
    if (ext.empty()) {
        return {id, true};
    }
    return {ImportEndsWith(id, ext) ? id : id + ext, false};
}

// The annotation's finite numbers under `key`, exactly `count` of them when count > 0, else an
// even number of at least 2.
Result<std::vector<double>> Numbers(const json& annotation, const char* key, std::size_t count) {
    const json values = annotation.value(key, json());
    const std::string wanted = count > 0 ? std::to_string(count) + " numbers" : "x, y pairs";
    if (!values.is_array()) {
        return Error::InvalidArgument(std::string("needs \"") + key + "\": " + wanted);
    }
    std::vector<double> out;
    for (const json& v : values) {
        if (!v.is_number() || !std::isfinite(v.get<double>())) {
            return Error::InvalidArgument(std::string("\"") + key + "\" must hold finite numbers");
        }
        out.push_back(v.get<double>());
    }
    const bool fits = count > 0 ? out.size() == count : out.size() >= 2 && out.size() % 2 == 0;
    if (!fits) {
        return Error::InvalidArgument(std::string("\"") + key + "\" needs " + wanted + ", not " +
                                      std::to_string(out.size()) + " values");
    }
    return out;
}

// A number among the annotation's attributes (CVAT writes a box's or ellipse's "rotation" and
// a model's "score" there).
std::optional<double> Attribute(const json& annotation, const char* key) {
    const json attributes = annotation.value("attributes", json::object());
    if (!attributes.is_object()) {
        return std::nullopt;
    }
    auto value = JsonNumber(attributes, key);
    return value && std::isfinite(*value) ? value : std::nullopt;
}

// An image's size as Datumaro writes it, [height, width].
std::optional<ImageSize> SizeOf(const json& pair) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number()) {
        return std::nullopt;
    }
    return ImportImageSize(pair[1].get<double>(), pair[0].get<double>());
}

// A "mask" annotation's "rle": COCO RLE ({"size": [h, w], "counts": compressed string or list},
// column-major) over the whole image, whose size it must have when the item states one.
Result<MaskRle> ReadMask(const json& annotation, std::optional<ImageSize>& image) {
    const json rle = annotation.value("rle", json());
    if (!rle.is_object()) {
        return Error::InvalidArgument("needs \"rle\": {\"size\", \"counts\"}");
    }
    const std::optional<ImageSize> size = SizeOf(rle.value("size", json()));
    if (!size || size->width != rle["size"][1].get<double>() ||
        size->height != rle["size"][0].get<double>()) {
        return Error::InvalidArgument("\"rle\" needs \"size\": [height, width] in whole pixels");
    }
    if (image && (image->width != size->width || image->height != size->height)) {
        return Error::InvalidArgument(
            "the RLE's size [" + std::to_string(size->height) + ", " + std::to_string(size->width) +
            "] is not the image's [height, width] [" + std::to_string(image->height) + ", " +
            std::to_string(image->width) + "]");
    }
    TESSERA_ASSIGN_OR_RETURN(
        MaskRle mask, CocoRleCountsToMask(rle.value("counts", json()), size->width, size->height));
    image = size;  // a mask states the image's size when the item does not
    return mask;
}

// Reads one item's annotations into `record`; the first bad one is the error.
class AnnotationReader {
public:
    AnnotationReader(const std::vector<std::string>& labels, ImportRecord& record)
        : labels_(labels), record_(record) {}

    Status Read(const json& annotation) {
        if (!annotation.is_object() || !annotation.contains("type") ||
            !annotation["type"].is_string()) {
            return Error::InvalidArgument("an annotation needs a \"type\"");
        }
        const std::string type = annotation["type"].get<std::string>();
        if (type != "bbox" && type != "polygon" && type != "ellipse" && type != "mask" &&
            type != "label") {
            // points, polyline, caption, cuboid_3d, skeleton, ...: nothing Tessera can draw.
            ++record_.dropped[type];
            return Status::Ok();
        }
        auto label = LabelOf(annotation);
        if (!label.ok()) {
            return Error::InvalidArgument(type + ": " + label.error().message);
        }
        if (type == "label") {
            record_.tags.push_back(std::move(label).value());
            return Status::Ok();
        }
        auto shape = ShapeOf(type, annotation);
        if (!shape.ok()) {
            return Error::InvalidArgument(type + " \"" + *label + "\": " + shape.error().message);
        }
        if (!shape->has_value()) {
            return Status::Ok();  // an empty mask
        }
        Shape& s = **shape;
        s.label = std::move(label).value();
        s.confidence = Attribute(annotation, "score");
        record_.shapes.push_back(std::move(s));
        return Status::Ok();
    }

private:
    Result<std::string> LabelOf(const json& annotation) const {
        const json id = annotation.value("label_id", json());
        if (!id.is_number_integer()) {
            return Error::InvalidArgument("needs an integer \"label_id\"");
        }
        const auto index = id.get<std::int64_t>();
        if (index < 0 || index >= static_cast<std::int64_t>(labels_.size()) ||
            labels_[static_cast<std::size_t>(index)].empty()) {
            return Error::InvalidArgument(
                "label_id " + std::to_string(index) + " is not one of the file's " +
                std::to_string(labels_.size()) + " labels (categories.label.labels)");
        }
        return labels_[static_cast<std::size_t>(index)];
    }

    Result<std::optional<Shape>> ShapeOf(const std::string& type, const json& annotation) {
        Shape shape;
        const double rotation = Attribute(annotation, "rotation").value_or(0);
        if (type == "bbox") {
            TESSERA_ASSIGN_OR_RETURN(std::vector<double> b, Numbers(annotation, "bbox", 4));
            if (rotation == 0) {
                return std::optional<Shape>(MakeBoxShape("", b[0], b[1], b[0] + b[2], b[1] + b[3]));
            }
            shape.geometry = Polygon{{RotatedBox(b[0], b[1], b[0] + b[2], b[1] + b[3], rotation)}};
        } else if (type == "polygon") {
            TESSERA_ASSIGN_OR_RETURN(std::vector<double> p, Numbers(annotation, "points", 0));
            Ring ring;
            for (std::size_t i = 0; i + 1 < p.size(); i += 2) {
                ring.push_back({p[i], p[i + 1]});
            }
            shape.geometry = Polygon{{std::move(ring)}};
        } else if (type == "ellipse") {
            // Datumaro keeps an ellipse as its unrotated bounding box's corners x1, y1, x2, y2.
            TESSERA_ASSIGN_OR_RETURN(std::vector<double> p, Numbers(annotation, "points", 4));
            shape.geometry = Polygon{
                {EllipseRing((p[0] + p[2]) / 2, (p[1] + p[3]) / 2, std::abs(p[2] - p[0]) / 2,
                             std::abs(p[3] - p[1]) / 2, rotation)}};
        } else {
            TESSERA_ASSIGN_OR_RETURN(MaskRle mask, ReadMask(annotation, record_.size));
            if (mask.runs.empty()) {
                return std::optional<Shape>();
            }
            shape.geometry = std::move(mask);
        }
        return std::optional<Shape>(std::move(shape));
    }

    const std::vector<std::string>& labels_;
    ImportRecord& record_;
};

// One Datumaro file being read: its subset and label names.
struct DatumaroFile {
    std::string path;
    std::string subset;  // the file's stem
    std::vector<std::string> labels;
    bool have_labels = false;
    std::vector<json> waiting;  // items listed before the categories
};

// Reads the Datumaro files of an upload, each streamed (formats/json_stream): "categories"
// whole, then "items" one at a time, so memory holds the records read, not the file. Records
// of an image name that occurs in several subsets match by path only (as CVAT project exports).
// Items read before "categories" wait for it; past this many the file is refused.
constexpr std::size_t kMaxItemsBeforeCategories = 10000;

class DatumaroReader {
public:
    template <typename Input>
    Status ReadFile(Input&& input, const std::string& path) {
        DatumaroFile file{path, ImportStem(path), {}, false, {}};
        JsonArrayStream stream;
        stream.keys = {"items"};
        stream.objects = {"categories"};
        stream.element = [this, &file](const std::string& key, std::size_t,
                                       json&& element) -> Status {
            if (key == "categories") {
                file.labels = LabelNames(element);
                file.have_labels = true;
                for (const json& item : file.waiting) {
                    ReadItem(item, file);
                }
                file.waiting.clear();
            } else if (file.have_labels) {
                ReadItem(element, file);
            } else if (file.waiting.size() < kMaxItemsBeforeCategories) {
                // Datumaro writes categories first; items before them wait for the labels.
                file.waiting.push_back(std::move(element));
            } else {
                // Holding them all would make memory the file's size again.
                return Error::InvalidArgument(
                    "more than " + std::to_string(kMaxItemsBeforeCategories) +
                    " items come before \"categories\" (Datumaro writes the categories first)");
            }
            return Status::Ok();
        };
        auto seen = StreamJsonArrays(std::forward<Input>(input), stream);
        if (!seen.ok()) {
            // The code stays: a limit hit is 413, a syntax error 400.
            return Error{seen.error().code, path + ": " + seen.error().message, {}};
        }
        if (seen->at("items") != JsonTopLevel::kArray) {
            return Status::Ok();  // not a Datumaro annotations file
        }
        any_ = true;
        for (const json& item : file.waiting) {  // a file without categories
            ReadItem(item, file);
        }
        return Status::Ok();
    }

    Result<ParsedImport> Finish() && {
        if (!any_) {
            return Error::InvalidArgument(
                "no Datumaro annotations file in the upload (a .json with \"items\", as "
                "annotations/<subset>.json)");
        }
        subsets_.MarkRepeated(out_.records, names_);
        return std::move(out_);
    }

private:
    void ReadItem(const json& item, const DatumaroFile& file) {
        const std::string& subset = file.subset;
        ImportRecord record;
        record.row = ++row_;
        record.file = file.path;
        if (!item.is_object()) {
            out_.errors.push_back({row_, file.path + ": an item must be an object"});
            return;
        }
        const ImageName image = ItemImageName(item);
        if (image.name.empty()) {
            out_.errors.push_back({row_, file.path + ": an item needs an \"id\" or an image path"});
            return;
        }
        record.name = subset == kDefaultSubset ? image.name : subset + "/" + image.name;
        record.match_stem = image.match_stem;
        if (item.contains("image") && item["image"].is_object()) {
            record.size = SizeOf(item["image"].value("size", json()));
        }
        const json annotations = item.value("annotations", json::array());
        if (!annotations.is_array()) {
            out_.errors.push_back({row_, record.name + ": \"annotations\" must be a list"});
            return;
        }
        AnnotationReader reader(file.labels, record);
        for (std::size_t i = 0; i < annotations.size(); ++i) {
            if (Status read = reader.Read(annotations[i]); !read.ok()) {
                out_.errors.push_back({row_, record.name + ": annotation " + std::to_string(i) +
                                                 ": " + read.error().message});
                return;
            }
        }
        subsets_.Note(image.name, subset);
        names_.push_back(image.name);
        out_.records.push_back(std::move(record));
    }

    ParsedImport out_;
    int row_ = 0;
    bool any_ = false;
    std::vector<std::string> names_;  // each record's image name, without its subset
    SubsetNames subsets_;
};

}  // namespace

Result<ParsedImport> ParseDatumaro(const std::vector<ImportFile>& files) {
    DatumaroReader reader;
    for (const ImportFile& file : files) {
        if (ImportEndsWith(file.path, ".json")) {
            TESSERA_TRY(reader.ReadFile(std::string_view(file.bytes), file.path));
        }
    }
    return std::move(reader).Finish();
}

Result<ParsedImport> ParseDatumaroUpload(const ImportUpload& upload) {
    DatumaroReader reader;
    TESSERA_TRY(upload.ForEach([&reader](const std::string& path, std::istream& bytes) {
        return ImportEndsWith(path, ".json") ? reader.ReadFile(bytes, path) : Status::Ok();
    }));
    return std::move(reader).Finish();
}

}  // namespace tessera
