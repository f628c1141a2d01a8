#include "formats/mask_label_map_import.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "base/text.hpp"
#include "formats/import_limits.hpp"
#include "formats/import_record_import.hpp"

namespace tessera {

namespace {

std::uint32_t Rgb(int r, int g, int b) {
    return (static_cast<std::uint32_t>(r) << 16) | (static_cast<std::uint32_t>(g) << 8) |
           static_cast<std::uint32_t>(b);
}

bool IsByte(long v) {
    return v >= 0 && v <= 255;
}

// Lines without comments and blank lines, trimmed.
std::vector<std::string> ContentLines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        line = Trim(line);
        if (!line.empty() && line[0] != '#') {
            out.push_back(line);
        }
    }
    return out;
}

struct Standard {
    const char* name;
    int r, g, b;
};

}  // namespace

void MaskLabelMap::Add(std::string name, std::uint32_t value, std::optional<std::uint32_t> rgb,
                       bool background) {
    const std::size_t index = classes.size();
    background = background || IsBackgroundName(name);
    classes.push_back({std::move(name), background});
    by_value.try_emplace(value, index);
    if (rgb) {
        by_color.try_emplace(*rgb, index);
    }
}

bool IsBackgroundName(const std::string& name) {
    const std::string lower = Lower(name);
    return lower == "background" || lower == "_background_" || lower == "void" ||
           lower == "unlabeled" || lower == "unlabelled";
}

MaskLabelMap ParseDatumaroLabelMap(const std::string& text) {
    MaskLabelMap map;
    map.source = "labelmap.txt";
    for (const std::string& line : ContentLines(text)) {
        const std::size_t colon = line.find(':');
        std::optional<std::uint32_t> rgb;
        if (colon != std::string::npos) {
            const std::string color = line.substr(colon + 1, line.find(':', colon + 1) - colon - 1);
            int r = -1, g = -1, b = -1;
            if (std::sscanf(color.c_str(), "%d,%d,%d", &r, &g, &b) == 3 && IsByte(r) && IsByte(g) &&
                IsByte(b)) {
                rgb = Rgb(r, g, b);
            }
        }
        map.Add(line.substr(0, colon), static_cast<std::uint32_t>(map.classes.size()), rgb);
    }
    return map;
}

MaskLabelMap ParseLabelmeClassNames(const std::string& text) {
    MaskLabelMap map;
    map.source = "class_names.txt";
    std::vector<std::string> names = ContentLines(text);
    // labelme2voc drops "__ignore__" (-1, written as 255) from the file; a labels.txt given
    // instead still starts with it.
    if (!names.empty() && names[0] == "__ignore__") {
        names.erase(names.begin());
    }
    for (std::string& name : names) {
        map.Add(std::move(name), static_cast<std::uint32_t>(map.classes.size()), std::nullopt);
    }
    return map;
}

Result<MaskLabelMap> ParseLabelColors(const std::string& text) {
    MaskLabelMap map;
    map.source = "label_colors.txt";
    for (const std::string& line : ContentLines(text)) {
        std::istringstream in(line);
        long r = -1, g = -1, b = -1;
        std::string name;
        if (!(in >> r >> g >> b) || !IsByte(r) || !IsByte(g) || !IsByte(b) ||
            !std::getline(in, name) || Trim(name).empty()) {
            return Error::InvalidArgument("label_colors.txt: \"" + line +
                                          "\" is not \"<r> <g> <b> <name>\"");
        }
        map.Add(Trim(name), static_cast<std::uint32_t>(map.classes.size()),
                Rgb(static_cast<int>(r), static_cast<int>(g), static_cast<int>(b)));
    }
    return map;
}

Result<MaskLabelMap> ParseLabelMapCsv(const std::string& text) {
    MaskLabelMap map;
    map.source = "labelmap.csv";
    const std::vector<std::string> lines = ContentLines(text);
    for (std::size_t i = 1; i < lines.size(); ++i) {  // line 0 is the header
        std::vector<std::string> cells;
        std::stringstream in(lines[i]);
        std::string cell;
        while (std::getline(in, cell, ',')) {
            cells.push_back(Trim(cell));
        }
        int r = -1, g = -1, b = -1;
        if (cells.size() != 4 || cells[0].empty() ||
            std::sscanf((cells[1] + " " + cells[2] + " " + cells[3]).c_str(), "%d %d %d", &r, &g,
                        &b) != 3 ||
            !IsByte(r) || !IsByte(g) || !IsByte(b)) {
            return Error::InvalidArgument("labelmap.csv line " + std::to_string(i + 1) +
                                          ": expected \"name,r,g,b\"");
        }
        map.Add(cells[0], static_cast<std::uint32_t>(map.classes.size()), Rgb(r, g, b));
    }
    return map;
}

Result<MaskLabelMap> ParseDatasetMeta(const std::string& text) {
    // ordered_json: colours follow label_map's order in the file, not sorted keys.
    TESSERA_TRY(CheckJsonNesting(text, "dataset_meta.json"));
    auto meta = nlohmann::ordered_json::parse(text, nullptr, false);
    if (meta.is_discarded() || !meta.is_object() || !meta.contains("label_map") ||
        !meta["label_map"].is_object()) {
        return Error::InvalidArgument("dataset_meta.json needs a \"label_map\" object");
    }
    std::string background;
    if (meta.contains("background_label")) {
        const auto& bg = meta["background_label"];
        background = bg.is_string() ? bg.get<std::string>() : bg.dump();
    }
    const auto& colors = meta.contains("segmentation_colors") ? meta["segmentation_colors"]
                                                              : nlohmann::ordered_json::array();
    MaskLabelMap map;
    map.source = "dataset_meta.json";
    std::size_t k = 0;
    for (const auto& [key, name] : meta["label_map"].items()) {
        char* end = nullptr;
        const unsigned long value = std::strtoul(key.c_str(), &end, 10);
        if (key.empty() || *end != '\0' || value > 0xffff || !name.is_string()) {
            return Error::InvalidArgument("dataset_meta.json: label_map entry \"" + key +
                                          "\" must map a pixel value to a name");
        }
        std::optional<std::uint32_t> rgb;
        if (colors.is_array() && k < colors.size()) {
            const auto& c = colors[k];
            if (!c.is_array() || c.size() != 3 || !c[0].is_number_integer() ||
                !c[1].is_number_integer() || !c[2].is_number_integer() ||
                !IsByte(c[0].get<long>()) || !IsByte(c[1].get<long>()) ||
                !IsByte(c[2].get<long>())) {
                return Error::InvalidArgument("dataset_meta.json: segmentation_colors[" +
                                              std::to_string(k) + "] is not [r, g, b]");
            }
            rgb = Rgb(c[0].get<int>(), c[1].get<int>(), c[2].get<int>());
        }
        map.Add(name.get<std::string>(), static_cast<std::uint32_t>(value), rgb, key == background);
        ++k;
    }
    return map;
}

MaskLabelMap StandardCamVidMap() {
    static constexpr Standard kClasses[] = {
        {"Void", 0, 0, 0},
        {"Animal", 64, 128, 64},
        {"Archway", 192, 0, 128},
        {"Bicyclist", 0, 128, 192},
        {"Bridge", 0, 128, 64},
        {"Building", 128, 0, 0},
        {"Car", 64, 0, 128},
        {"CartLuggagePram", 64, 0, 192},
        {"Child", 192, 128, 64},
        {"Column_Pole", 192, 192, 128},
        {"Fence", 64, 64, 128},
        {"LaneMkgsDriv", 128, 0, 192},
        {"LaneMkgsNonDriv", 192, 0, 64},
        {"Misc_Text", 128, 128, 64},
        {"MotorcycleScooter", 192, 0, 192},
        {"OtherMoving", 128, 64, 64},
        {"ParkingBlock", 64, 192, 128},
        {"Pedestrian", 64, 64, 0},
        {"Road", 128, 64, 128},
        {"RoadShoulder", 128, 128, 192},
        {"Sidewalk", 0, 0, 192},
        {"SignSymbol", 192, 128, 128},
        {"Sky", 128, 128, 128},
        {"SUVPickupTruck", 64, 128, 192},
        {"TrafficCone", 0, 0, 64},
        {"TrafficLight", 0, 64, 64},
        {"Train", 192, 64, 128},
        {"Tree", 128, 128, 0},
        {"Truck_Bus", 192, 128, 192},
        {"Tunnel", 64, 0, 64},
        {"VegetationMisc", 192, 192, 0},
        {"Wall", 64, 192, 0},
    };
    MaskLabelMap map;
    map.source = "the standard CamVid map";
    for (const Standard& c : kClasses) {
        map.Add(c.name, static_cast<std::uint32_t>(map.classes.size()), Rgb(c.r, c.g, c.b));
    }
    return map;
}

MaskLabelMap StandardCityscapesMap() {
    // Index = Cityscapes label id.
    static constexpr Standard kClasses[] = {
        {"unlabeled", 0, 0, 0},
        {"ego vehicle", 0, 0, 0},
        {"rectification border", 0, 0, 0},
        {"out of roi", 0, 0, 0},
        {"static", 0, 0, 0},
        {"dynamic", 111, 74, 0},
        {"ground", 81, 0, 81},
        {"road", 128, 64, 128},
        {"sidewalk", 244, 35, 232},
        {"parking", 250, 170, 160},
        {"rail track", 230, 150, 140},
        {"building", 70, 70, 70},
        {"wall", 102, 102, 156},
        {"fence", 190, 153, 153},
        {"guard rail", 180, 165, 180},
        {"bridge", 150, 100, 100},
        {"tunnel", 150, 120, 90},
        {"pole", 153, 153, 153},
        {"polegroup", 153, 153, 153},
        {"traffic light", 250, 170, 30},
        {"traffic sign", 220, 220, 0},
        {"vegetation", 107, 142, 35},
        {"terrain", 152, 251, 152},
        {"sky", 70, 130, 180},
        {"person", 220, 20, 60},
        {"rider", 255, 0, 0},
        {"car", 0, 0, 142},
        {"truck", 0, 0, 70},
        {"bus", 0, 60, 100},
        {"caravan", 0, 0, 90},
        {"trailer", 0, 0, 110},
        {"train", 0, 80, 100},
        {"motorcycle", 0, 0, 230},
        {"bicycle", 119, 11, 32},
    };
    constexpr std::uint32_t kLastVoidId = 6;  // cityscapesScripts' "void" category: 0-6
    MaskLabelMap map;
    map.source = "the standard Cityscapes label ids";
    for (const Standard& c : kClasses) {
        const auto id = static_cast<std::uint32_t>(map.classes.size());
        map.Add(c.name, id, Rgb(c.r, c.g, c.b), id <= kLastVoidId);
    }
    return map;
}

MaskLabelMap StandardCityscapesTrainMap() {
    static constexpr const char* kClasses[] = {
        "road",         "sidewalk",   "building", "wall",       "fence",  "pole",  "traffic light",
        "traffic sign", "vegetation", "terrain",  "sky",        "person", "rider", "car",
        "truck",        "bus",        "train",    "motorcycle", "bicycle"};
    const MaskLabelMap ids = StandardCityscapesMap();
    MaskLabelMap map;
    map.source = "the standard Cityscapes train ids";
    for (const char* name : kClasses) {
        std::optional<std::uint32_t> rgb;
        for (const auto& [color, index] : ids.by_color) {
            if (ids.classes[index].name == name) {
                rgb = color;
            }
        }
        map.Add(name, static_cast<std::uint32_t>(map.classes.size()), rgb);
    }
    map.Add("background", 19, std::nullopt, true);   // Datumaro writes 19 for background
    map.Add("background", 255, std::nullopt, true);  // cityscapesScripts' ignore
    return map;
}

}  // namespace tessera
