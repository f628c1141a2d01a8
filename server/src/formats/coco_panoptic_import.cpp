#include "formats/coco_panoptic_import.hpp"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "formats/import_limits.hpp"
#include "formats/png_import.hpp"

namespace tessera {

namespace {

using nlohmann::json;

std::string Dir(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

// The segment PNG an annotation names: in the folder named after its JSON, else the one PNG of
// the upload with that path or file name.
const ImportFile* FindPng(const std::vector<ImportFile>& files, const std::string& json_path,
                          const std::string& png_name, std::string& why) {
    const std::string beside = Dir(json_path) + ImportStem(json_path) + "/" + png_name;
    const ImportFile* found = nullptr;
    int candidates = 0;
    for (const ImportFile& file : files) {
        if (file.path == beside) {
            return &file;
        }
        if (file.path == png_name || ImportBaseName(file.path) == ImportBaseName(png_name)) {
            found = &file;
            ++candidates;
        }
    }
    if (candidates == 1) {
        return found;
    }
    why = candidates == 0
              ? "segment PNG " + png_name + " is not in the upload (expected " + beside + ")"
              : "segment PNG " + png_name + " is ambiguous: " + std::to_string(candidates) +
                    " files have that name";
    return nullptr;
}

void AddRun(MaskRle& mask, std::int64_t i) {
    const std::size_t n = mask.runs.size();
    if (n >= 2 && mask.runs[n - 2] + mask.runs[n - 1] == i) {
        ++mask.runs[n - 1];
    } else {
        mask.runs.push_back(i);
        mask.runs.push_back(1);
    }
}

// json::value() throws on a type mismatch; these give the fallback instead.
int IntOr(const json& object, const char* key, int fallback) {
    auto it = object.find(key);
    return it != object.end() && it->is_number() && std::abs(it->get<double>()) < (1 << 30)
               ? static_cast<int>(it->get<double>())
               : fallback;
}

std::string TextOr(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

struct Segment {
    std::string label;
    std::optional<double> score;
    MaskRle mask;
};

// One annotation (one image) to a record; errors name the image.
Result<ImportRecord> ReadAnnotation(const std::vector<ImportFile>& files,
                                    const std::string& json_path, const json& annotation,
                                    const std::map<std::int64_t, json>& images,
                                    const std::map<std::int64_t, std::string>& categories) {
    if (!annotation.is_object() || !annotation.value("image_id", json()).is_number_integer() ||
        !annotation.value("file_name", json()).is_string() ||
        !annotation.value("segments_info", json()).is_array()) {
        return Error::InvalidArgument(
            "an annotation needs image_id, file_name and a segments_info list");
    }
    auto image = images.find(annotation["image_id"].get<std::int64_t>());
    if (image == images.end()) {
        return Error::InvalidArgument("image_id " + annotation["image_id"].dump() +
                                      " is not in \"images\"");
    }
    ImportRecord record;
    record.name = TextOr(image->second, "file_name");
    const int width = IntOr(image->second, "width", 0);
    const int height = IntOr(image->second, "height", 0);
    std::map<std::uint32_t, Segment> segments;
    for (const json& info : annotation["segments_info"]) {
        if (!info.is_object() || !info.value("id", json()).is_number_integer() ||
            !info.value("category_id", json()).is_number_integer()) {
            return Error::InvalidArgument(record.name + ": a segment needs id and category_id");
        }
        auto category = categories.find(info["category_id"].get<std::int64_t>());
        if (category == categories.end()) {
            return Error::InvalidArgument(record.name + ": category_id " +
                                          info["category_id"].dump() + " is not in \"categories\"");
        }
        Segment segment{category->second, std::nullopt, {}};
        if (info.contains("score") && info["score"].is_number()) {
            segment.score = info["score"].get<double>();
        }
        segments[info["id"].get<std::uint32_t>()] = std::move(segment);
    }
    std::string why;
    const ImportFile* file =
        FindPng(files, json_path, annotation["file_name"].get<std::string>(), why);
    if (file == nullptr) {
        return Error::InvalidArgument(record.name + ": " + why);
    }
    TESSERA_ASSIGN_OR_RETURN(DecodedPng png, DecodeMaskPng(file->bytes));
    if (png.indexed) {
        return Error::InvalidArgument(file->path + ": a panoptic PNG must be RGB");
    }
    if (width > 0 && height > 0 && (png.width != width || png.height != height)) {
        return Error::InvalidArgument(file->path + " is " + std::to_string(png.width) + "x" +
                                      std::to_string(png.height) + " but image " + record.name +
                                      " is " + std::to_string(width) + "x" +
                                      std::to_string(height));
    }
    record.size = ImageSize{png.width, png.height};
    const std::int64_t n = std::int64_t{png.width} * png.height;
    Segment* last = nullptr;
    std::uint32_t last_id = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint32_t rgb = png.Value(static_cast<std::size_t>(i));
        // 0xRRGGBB to R + 256 G + 256^2 B.
        const std::uint32_t id = (rgb >> 16) | (rgb & 0xff00) | ((rgb & 0xff) << 16);
        if (id == 0) {
            continue;
        }
        if (last == nullptr || id != last_id) {
            auto it = segments.find(id);
            if (it == segments.end()) {
                return Error::InvalidArgument(file->path + ": segment id " + std::to_string(id) +
                                              " is not in segments_info");
            }
            last = &it->second;
            last_id = id;
        }
        AddRun(last->mask, i);
    }
    for (auto& [id, segment] : segments) {
        if (segment.mask.runs.empty()) {
            continue;  // listed, but no pixel of it in the PNG
        }
        Shape shape;
        shape.label = segment.label;
        shape.confidence = segment.score;
        shape.geometry = std::move(segment.mask);
        record.shapes.push_back(std::move(shape));
    }
    return record;
}

}  // namespace

bool LooksLikeCocoPanoptic(const std::vector<ImportFile>& files) {
    for (const ImportFile& file : files) {
        if (ImportEndsWith(file.path, ".json") &&
            file.bytes.find("\"segments_info\"") != std::string::npos) {
            return true;
        }
    }
    return false;
}

Result<ParsedImport> ParseCocoPanoptic(const std::vector<ImportFile>& files) {
    ParsedImport out;
    int row = 0;
    bool any = false;
    for (const ImportFile& file : files) {
        if (!ImportEndsWith(file.path, ".json") ||
            file.bytes.find("\"segments_info\"") == std::string::npos) {
            continue;
        }
        TESSERA_TRY(CheckJsonNesting(file.bytes, file.path));
        const json doc = json::parse(file.bytes, nullptr, false);
        if (doc.is_discarded() || !doc.is_object() ||
            !doc.value("annotations", json()).is_array()) {
            return Error::InvalidArgument(file.path + ": not a COCO panoptic JSON object");
        }
        any = true;
        std::map<std::int64_t, json> images;
        for (const json& image : doc.value("images", json::array())) {
            if (image.is_object() && image.value("id", json()).is_number_integer()) {
                images[image["id"].get<std::int64_t>()] = image;
            }
        }
        std::map<std::int64_t, std::string> categories;
        for (const json& category : doc.value("categories", json::array())) {
            if (category.is_object() && category.value("id", json()).is_number_integer() &&
                category.value("name", json()).is_string()) {
                categories[category["id"].get<std::int64_t>()] = category["name"];
            }
        }
        for (const json& annotation : doc["annotations"]) {
            ++row;
            auto record = ReadAnnotation(files, file.path, annotation, images, categories);
            if (!record.ok()) {
                out.errors.push_back({row, file.path + ": " + record.error().message});
                continue;
            }
            record->row = row;
            out.records.push_back(std::move(record).value());
        }
    }
    if (!any) {
        return Error::InvalidArgument("no COCO panoptic .json file in the upload");
    }
    return out;
}

}  // namespace tessera
