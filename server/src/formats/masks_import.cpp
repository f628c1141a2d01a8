#include "formats/masks_import.hpp"

#include <map>

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
        const std::string lower = ImportLower(folder);
        if (lower == "segmentationclass" || lower == "masks" || lower == "mask" ||
            lower == "gtfine" || (lower.size() > 5 && lower.ends_with("annot"))) {
            return true;
        }
    }
    return false;
}

// Kaggle's and Datumaro's "masks/" folder beside "images/".
bool InMasksFolder(const std::string& path) {
    for (const std::string& folder : Folders(path)) {
        const std::string lower = ImportLower(folder);
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
        const std::string lower = ImportLower(folder);
        if (lower == "masks" || lower == "mask") {
            folder = "images";
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
    const ImportFile* found[4] = {};
    static constexpr const char* kNames[] = {"labelmap.txt", "dataset_meta.json",
                                             "label_colors.txt", "labelmap.csv"};
    for (const ImportFile& file : files) {
        const std::string base = ImportLower(ImportBaseName(file.path));
        for (int k = 0; k < 4; ++k) {
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

// One mask per class of the map (empty for classes without pixels).
Result<std::vector<MaskRle>> Classify(const DecodedPng& png, const MaskLabelMap& map,
                                      bool instance_ids) {
    const auto& lookup = png.indexed ? map.by_value : map.by_color;
    std::vector<MaskRle> masks(map.classes.size());
    const std::int64_t n = static_cast<std::int64_t>(png.width) * png.height;
    std::uint32_t last_value = 0;
    std::size_t last_class = 0;
    bool have_last = false;
    for (std::int64_t i = 0; i < n; ++i) {
        std::uint32_t v = png.Value(static_cast<std::size_t>(i));
        if (instance_ids && v >= 1000) {
            v /= 1000;  // Cityscapes instance ids: label id * 1000 + instance number
        }
        if (!have_last || v != last_value) {
            auto found = lookup.find(v);
            if (found == lookup.end()) {
                return Error::InvalidArgument(DescribeValue(png, v) + " is not in " + map.source);
            }
            last_value = v;
            last_class = found->second;
            have_last = true;
        }
        if (!map.classes[last_class].background) {
            AddPixel(masks[last_class], i);
        }
    }
    return masks;
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
                    "label_colors.txt or labelmap.csv (CamVid and Cityscapes layouts have "
                    "standard ones)");
            }
        }
        auto png = DecodeMaskPng(file->bytes);
        if (!png.ok()) {
            out.errors.push_back({row, file->path + ": " + png.error().message});
            continue;
        }
        auto classes = Classify(*png, *map, kind == Cityscapes::kInstanceIds);
        if (!classes.ok()) {
            out.errors.push_back({row, file->path + ": " + classes.error().message});
            continue;
        }
        ImportRecord record;
        record.row = row;
        record.name = ImageNameOf(file->path, kind);
        record.match_stem = true;
        record.size = ImageSize{png->width, png->height};
        for (std::size_t k = 0; k < classes->size(); ++k) {
            if (!(*classes)[k].runs.empty()) {
                Shape shape;
                shape.label = map->classes[k].name;
                shape.geometry = std::move((*classes)[k]);
                record.shapes.push_back(std::move(shape));
            }
        }
        out.records.push_back(std::move(record));
    }
    return out;
}

}  // namespace tessera
