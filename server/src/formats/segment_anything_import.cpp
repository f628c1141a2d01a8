#include "formats/segment_anything_import.hpp"

#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "formats/coco_import.hpp"
#include "formats/import_limits.hpp"

namespace tessera {

namespace {

using nlohmann::json;

// A whole number of pixels within what an image can have; 0 for anything else (a larger
// integer must not wrap into a plausible size).
int Dimension(const json& value) {
    return value.is_number_integer() && value.get<double>() >= 0 &&
                   value.get<double>() <= kMaxImportImageSide
               ? value.get<int>()
               : 0;
}

int Dimension(const json& object, const char* key) {
    return object.contains(key) ? Dimension(object[key]) : 0;
}

// One annotation's mask over the whole image; its RLE must be of the image's size.
Result<MaskRle> ReadMask(const json& annotation, ImageSize image) {
    if (!annotation.is_object() || !annotation.contains("segmentation") ||
        !annotation["segmentation"].is_object()) {
        return Error::InvalidArgument("an annotation needs a \"segmentation\" RLE");
    }
    const json& rle = annotation["segmentation"];
    const json size = rle.value("size", json());
    if (!size.is_array() || size.size() != 2 || Dimension(size[0]) <= 0 ||
        Dimension(size[1]) <= 0) {
        return Error::InvalidArgument("\"segmentation\" needs \"size\": [height, width]");
    }
    const int height = Dimension(size[0]);
    const int width = Dimension(size[1]);
    if (width != image.width || height != image.height) {
        return Error::InvalidArgument(
            "the RLE's size [" + std::to_string(height) + ", " + std::to_string(width) +
            "] is not the image's [height, width] [" + std::to_string(image.height) + ", " +
            std::to_string(image.width) + "]");
    }
    return CocoRleCountsToMask(rle.contains("counts") ? rle["counts"] : json(), width, height);
}

}  // namespace

Result<ParsedImport> ParseSegmentAnything(const std::vector<ImportFile>& files,
                                          const std::string& label) {
    if (label.empty()) {
        return Error::InvalidArgument(
            "Segment Anything masks have no class: give the label they all get with label=",
            "label");
    }
    ParsedImport out;
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
        if (!doc.is_object() || !doc.contains("image") || !doc["image"].is_object() ||
            !doc.contains("annotations") || !doc["annotations"].is_array()) {
            continue;  // not a Segment Anything file
        }
        ++row;
        const json& image = doc["image"];
        ImportRecord record;
        record.row = row;
        if (image.contains("file_name") && image["file_name"].is_string()) {
            record.name = FolderOf(file.path) + image["file_name"].get<std::string>();
        } else {
            record.name = file.path.substr(0, file.path.size() - 5);  // sa_1.json -> sa_1
            record.match_stem = true;
        }
        const ImageSize size{Dimension(image, "width"), Dimension(image, "height")};
        if (size.width <= 0 || size.height <= 0) {
            out.errors.push_back({row, file.path + ": \"image\" needs its width and height"});
            continue;
        }
        record.size = size;
        bool ok = true;
        for (const json& annotation : doc["annotations"]) {
            auto mask = ReadMask(annotation, size);
            if (!mask.ok()) {
                out.errors.push_back({row, file.path + ": " + mask.error().message});
                ok = false;
                break;
            }
            if (mask->runs.empty()) {
                continue;  // SAM writes empty masks for prompts that found nothing
            }
            Shape shape;
            shape.label = label;
            shape.geometry = std::move(mask).value();
            if (annotation.contains("predicted_iou") && annotation["predicted_iou"].is_number()) {
                shape.confidence = annotation["predicted_iou"].get<double>();
            }
            record.shapes.push_back(std::move(shape));
        }
        if (ok) {
            out.records.push_back(std::move(record));
        }
    }
    if (row == 0) {
        return Error::InvalidArgument(
            "no Segment Anything file in the upload (a .json with \"image\" and \"annotations\")");
    }
    return out;
}

}  // namespace tessera
