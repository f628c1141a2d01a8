#include "formats/masks_import.hpp"

#include <map>

#include "base/text.hpp"
#include "formats/mask_label_map_import.hpp"
#include "formats/png_import.hpp"

namespace tessera {

namespace {

enum class Cityscapes { kNone, kLabelIds, kInstanceIds, kTrainIds, kColor };  // by preference

constexpr std::string_view kGtFine = "_gtFine_";

Cityscapes CityscapesKind(const std::string& path) {
    static const std::pair<std::string_view, Cityscapes> kSuffixes[] = {
        {"_gtFine_labelIds.png", Cityscapes::kLabelIds},
        {"_gtFine_instanceIds.png", Cityscapes::kInstanceIds},
        {"_gtFine_labelTrainIds.png", Cityscapes::kTrainIds},
        {"_gtFine_color.png", Cityscapes::kColor}};
    for (const auto& [suffix, kind] : kSuffixes) {
        if (ImportEndsWith(path, suffix)) {
            return kind;
        }
    }
    return Cityscapes::kNone;
}

std::vector<std::string> Folders(const std::string& path) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (std::size_t slash; (slash = path.find('/', at)) != std::string::npos; at = slash + 1) {
        out.push_back(path.substr(at, slash - at));
    }
    return out;
}

bool IsCamVidAnnotation(const std::string& path) {
    for (const std::string& folder : Folders(path)) {
        if (folder.size() > 5 && ImportEndsWith(folder, "annot")) {
            return true;
        }
    }
    return ImportEndsWith(path, "_L.png");
}

bool InMaskFolder(const std::string& path) {
    for (const std::string& folder : Folders(path)) {
        const std::string lower = Lower(folder);
        if (lower == "segmentationclass" || lower == "segmentationclasspng" || lower == "masks" ||
            lower == "mask" || lower == "gtfine" ||
            (lower.size() > 5 && lower.ends_with("annot"))) {
            return true;
        }
    }
    return false;
}

// Kaggle's and Datumaro's "masks/" folder beside "images/".
bool InMasksFolder(const std::string& path) {
    for (const std::string& folder : Folders(path)) {
        const std::string lower = Lower(folder);
        if (lower == "masks" || lower == "mask") {
            return true;
        }
    }
    return false;
}

// The image a mask file stands for, without extension: mask folders are replaced by the image
// folders beside them (masks/ -> images/, trainannot/ -> train/, gtFine/ -> leftImg8bit/).
std::string ImageNameOf(const std::string& path, Cityscapes kind) {
    std::string name;
    for (std::string folder : Folders(path)) {
        const std::string lower = Lower(folder);
        if (lower == "masks" || lower == "mask") {
            folder = "images";
        } else if (lower == "segmentationclass" || lower == "segmentationclasspng") {
            folder = "JPEGImages";  // VOC's and labelme2voc's image folder
        } else if (lower == "gtfine" && kind != Cityscapes::kNone) {
            folder = "leftImg8bit";
        } else if (lower.size() > 5 && lower.ends_with("annot")) {
            folder.resize(folder.size() - 5);
        }
        name += folder + "/";
    }
    std::string base = ImportBaseName(path);
    if (kind != Cityscapes::kNone) {
        return name + base.substr(0, base.rfind(kGtFine)) + "_leftImg8bit";
    }
    base.resize(base.size() - 4);  // ".png"
    if (ImportEndsWith(base, "_L")) {
        base.resize(base.size() - 2);  // CamVid's original "<frame>_L.png"
    }
    return name + base;
}

// The upload's own label map, by preference when it has several kinds.
Result<std::optional<MaskLabelMap>> GivenLabelMap(const std::vector<ImportFile>& files) {
    const ImportFile* found[5] = {};
    static constexpr const char* kNames[] = {"labelmap.txt", "dataset_meta.json",
                                             "label_colors.txt", "labelmap.csv", "class_names.txt"};
    for (const ImportFile& file : files) {
        const std::string base = Lower(ImportBaseName(file.path));
        for (int k = 0; k < 5; ++k) {
            if (base == kNames[k] && found[k] == nullptr) {
                found[k] = &file;
            }
        }
    }
    if (found[0] != nullptr) {
        return std::optional<MaskLabelMap>(ParseDatumaroLabelMap(found[0]->bytes));
    }
    if (found[1] != nullptr) {
        TESSERA_ASSIGN_OR_RETURN(MaskLabelMap map, ParseDatasetMeta(found[1]->bytes));
        return std::optional<MaskLabelMap>(std::move(map));
    }
    if (found[2] != nullptr) {
        TESSERA_ASSIGN_OR_RETURN(MaskLabelMap map, ParseLabelColors(found[2]->bytes));
        return std::optional<MaskLabelMap>(std::move(map));
    }
    if (found[3] != nullptr) {
        TESSERA_ASSIGN_OR_RETURN(MaskLabelMap map, ParseLabelMapCsv(found[3]->bytes));
        return std::optional<MaskLabelMap>(std::move(map));
    }
    if (found[4] != nullptr) {
        return std::optional<MaskLabelMap>(ParseLabelmeClassNames(found[4]->bytes));
    }
    return std::optional<MaskLabelMap>();
}

// Kaggle's image_mask without a label map: 0 is background, 1 (or 255, or white) the object.
MaskLabelMap BinaryObjectMap() {
    MaskLabelMap map;
    map.source = "the binary mask convention (0 background, 1 or 255 object)";
    map.Add("background", 0, 0x000000, true);
    map.Add("object", 1, 0xffffff);
    map.by_value.emplace(255, 1);
    return map;
}

// Appends pixel i to `mask`, extending the last run when contiguous (pixels come in order).
void AddPixel(MaskRle& mask, std::int64_t i) {
    const std::size_t n = mask.runs.size();
    if (n >= 2 && mask.runs[n - 2] + mask.runs[n - 1] == i) {
        ++mask.runs[n - 1];
    } else {
        mask.runs.push_back(i);
        mask.runs.push_back(1);
    }
}

std::string DescribeValue(const DecodedPng& png, std::uint32_t v) {
    if (png.indexed) {
        return "pixel value " + std::to_string(v);
    }
    return "colour " + std::to_string(v >> 16) + "," + std::to_string((v >> 8) & 0xff) + "," +
           std::to_string(v & 0xff);
}

struct ClassMask {
    std::size_t label = 0;  // class of the map
    MaskRle mask;
};

// One mask per class of the map that has pixels, in the map's order; with Cityscapes instance
// ids, one per instance (label id * 1000 + instance number, ids >= 1000) and one per class for
// the ids below 1000 (stuff, and groups of objects too crowded to split), in id order. A
// semantic project merges them back per class (services/import_service); polygon and box
// projects keep each instance as its own shape.
// Pascal VOC's void value: index 255 in its palette PNGs (labelme2voc's __ignore__ too), colour
// 224,224,192 once expanded to RGB. Void pixels stay unlabeled unless the map names a class
// for the value.
bool IsVoid(const DecodedPng& png, std::uint32_t v) {
    return png.indexed ? v == 255 : v == 0xE0E0C0;
}

Result<std::vector<ClassMask>> Classify(const DecodedPng& png, const MaskLabelMap& map,
                                        bool instance_ids, std::int64_t& void_pixels) {
    const auto& lookup = png.indexed ? map.by_value : map.by_color;
    std::map<std::uint64_t, ClassMask> by_key;  // class index, or 2^32 + instance id
    const std::int64_t n = static_cast<std::int64_t>(png.width) * png.height;
    std::uint32_t last_value = 0;
    ClassMask* last = nullptr;
    bool last_background = false;
    bool last_void = false;
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint32_t v = png.Value(static_cast<std::size_t>(i));
        if (i == 0 || v != last_value) {
            const bool instance = instance_ids && v >= 1000;
            auto found = lookup.find(instance ? v / 1000 : v);
            last_value = v;
            last_void = found == lookup.end() && !instance && IsVoid(png, v);
            if (last_void) {
                ++void_pixels;
                continue;  // the pixels after it with the same value are counted below
            }
            if (found == lookup.end()) {
                return Error::InvalidArgument(DescribeValue(png, instance ? v / 1000 : v) +
                                              " is not in " + map.source);
            }
            last_background = map.classes[found->second].background;
            // Instances after all classes, so an instance id never meets a class index.
            const std::uint64_t key = instance ? (std::uint64_t{1} << 32) | v : found->second;
            last = &by_key.try_emplace(key, ClassMask{found->second, {}}).first->second;
        }
        if (last_void) {
            ++void_pixels;
        } else if (!last_background) {
            AddPixel(last->mask, i);
        }
    }
    std::vector<ClassMask> out;
    for (auto& [key, mask] : by_key) {
        if (!mask.mask.runs.empty()) {
            out.push_back(std::move(mask));
        }
    }
    return out;
}

}  // namespace

Result<ParsedImport> ParseMasks(const std::vector<ImportFile>& files) {
    // The mask files: Cityscapes' one per image (the preferred kind), else the PNGs in mask
    // folders when there are any (so images zipped alongside are not read as masks), else all.
    std::map<std::string, std::pair<Cityscapes, const ImportFile*>> cityscapes;
    bool any_in_mask_folder = false;
    bool any_in_masks_folder = false;  // Kaggle's and Datumaro's "masks/" beside "images/"
    for (const ImportFile& file : files) {
        const Cityscapes kind = CityscapesKind(file.path);
        if (kind != Cityscapes::kNone) {
            const std::string key = file.path.substr(0, file.path.rfind(kGtFine));
            auto [it, fresh] = cityscapes.try_emplace(key, kind, &file);
            if (!fresh && kind < it->second.first) {
                it->second = {kind, &file};
            }
        }
        const bool png = ImportEndsWith(file.path, ".png");
        any_in_mask_folder = any_in_mask_folder || (png && InMaskFolder(file.path));
        any_in_masks_folder = any_in_masks_folder || (png && InMasksFolder(file.path));
    }
    std::vector<std::pair<Cityscapes, const ImportFile*>> masks;
    for (const ImportFile& file : files) {
        const Cityscapes kind = CityscapesKind(file.path);
        if (!cityscapes.empty()) {
            auto it = cityscapes.find(file.path.substr(0, file.path.rfind(kGtFine)));
            if (kind != Cityscapes::kNone && it->second.second == &file) {
                masks.emplace_back(kind, &file);
            }
        } else if (ImportEndsWith(file.path, ".png") &&
                   (!any_in_mask_folder || InMaskFolder(file.path))) {
            masks.emplace_back(kind, &file);
        }
    }
    if (masks.empty()) {
        return Error::InvalidArgument("no mask .png file in the upload");
    }
    TESSERA_ASSIGN_OR_RETURN(std::optional<MaskLabelMap> given, GivenLabelMap(files));
    const MaskLabelMap camvid = StandardCamVidMap();
    const MaskLabelMap city_ids = StandardCityscapesMap();
    const MaskLabelMap city_train = StandardCityscapesTrainMap();
    const MaskLabelMap binary = BinaryObjectMap();

    ParsedImport out;
    int row = 0;
    for (const auto& [kind, file] : masks) {
        ++row;
        const MaskLabelMap* map = given ? &*given : nullptr;
        if (map == nullptr) {
            if (kind == Cityscapes::kTrainIds) {
                map = &city_train;
            } else if (kind != Cityscapes::kNone) {
                map = &city_ids;
            } else if (IsCamVidAnnotation(file->path)) {
                map = &camvid;
            } else if (any_in_masks_folder) {
                map = &binary;
            } else {
                return Error::InvalidArgument(
                    "mask upload needs a label map: labelmap.txt, dataset_meta.json, "
                    "label_colors.txt, labelmap.csv or class_names.txt (CamVid and Cityscapes "
                    "layouts have standard ones)");
            }
        }
        auto png = DecodeMaskPng(file->bytes);
        if (!png.ok() && png.error().code == ErrorCode::kPayloadTooLarge) {
            // A limit on what the upload may cost stops it whole, like the zip limits.
            return Error{ErrorCode::kPayloadTooLarge, file->path + ": " + png.error().message, {}};
        }
        if (!png.ok()) {
            out.errors.push_back({row, file->path + ": " + png.error().message});
            continue;
        }
        std::int64_t void_pixels = 0;
        auto classes = Classify(*png, *map, kind == Cityscapes::kInstanceIds, void_pixels);
        if (!classes.ok()) {
            out.errors.push_back({row, file->path + ": " + classes.error().message});
            continue;
        }
        ImportRecord record;
        record.row = row;
        record.name = ImageNameOf(file->path, kind);
        record.match_stem = true;
        record.size = ImageSize{png->width, png->height};
        record.file = file->path;
        record.void_pixels = void_pixels;
        for (ClassMask& mask : *classes) {
            Shape shape;
            shape.label = map->classes[mask.label].name;
            shape.geometry = std::move(mask.mask);
            record.shapes.push_back(std::move(shape));
        }
        out.records.push_back(std::move(record));
    }
    return out;
}

}  // namespace tessera
