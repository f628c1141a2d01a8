#include "formats/masks_import.hpp"

#include <map>
#include <sstream>

#include "formats/png_import.hpp"

namespace tessera {

namespace {

bool IsBackground(const std::string& name) {
    return name == "background" || name == "_background_";
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

}  // namespace

std::vector<LabelMapEntry> ParseLabelMap(const std::string& text) {
    std::vector<LabelMapEntry> out;
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line[0] == '#') {
            continue;
        }
        LabelMapEntry entry;
        const std::size_t colon = line.find(':');
        entry.name = line.substr(0, colon);
        if (colon != std::string::npos) {
            std::string color = line.substr(colon + 1, line.find(':', colon + 1) - colon - 1);
            if (std::sscanf(color.c_str(), "%d,%d,%d", &entry.r, &entry.g, &entry.b) != 3) {
                entry.r = entry.g = entry.b = -1;
            }
        }
        out.push_back(std::move(entry));
    }
    return out;
}

Result<ParsedImport> ParseMasks(const std::vector<ImportFile>& files) {
    std::vector<LabelMapEntry> map;
    for (const ImportFile& file : files) {
        if (ImportLower(ImportBaseName(file.path)) == "labelmap.txt") {
            map = ParseLabelMap(file.bytes);
        }
    }
    if (map.empty()) {
        return Error::InvalidArgument("mask upload needs a labelmap.txt");
    }
    std::map<int, std::size_t> by_color;
    for (std::size_t i = 0; i < map.size(); ++i) {
        if (map[i].r >= 0) {
            by_color[(map[i].r << 16) | (map[i].g << 8) | map[i].b] = i;
        }
    }
    ParsedImport out;
    int row = 0;
    for (const ImportFile& file : files) {
        if (!ImportEndsWith(file.path, ".png")) {
            continue;
        }
        ++row;
        auto png = DecodeMaskPng(file.bytes);
        if (!png.ok()) {
            out.errors.push_back({row, file.path + ": " + png.error().message});
            continue;
        }
        std::vector<MaskRle> masks(map.size());
        const std::int64_t n = static_cast<std::int64_t>(png->width) * png->height;
        std::string bad;
        for (std::int64_t i = 0; i < n && bad.empty(); ++i) {
            std::size_t index = 0;
            if (png->indexed) {
                index = png->pixels[static_cast<std::size_t>(i)];
                if (index >= map.size()) {
                    bad = "pixel value " + std::to_string(index) + " is not in labelmap.txt";
                }
            } else {
                const std::uint8_t* p = &png->pixels[static_cast<std::size_t>(i) * 3];
                auto found = by_color.find((p[0] << 16) | (p[1] << 8) | p[2]);
                if (found == by_color.end()) {
                    bad = "colour " + std::to_string(p[0]) + "," + std::to_string(p[1]) + "," +
                          std::to_string(p[2]) + " is not in labelmap.txt";
                } else {
                    index = found->second;
                }
            }
            if (bad.empty() && !IsBackground(map[index].name)) {
                AddPixel(masks[index], i);
            }
        }
        if (!bad.empty()) {
            out.errors.push_back({row, file.path + ": " + bad});
            continue;
        }
        ImportRecord record;
        record.row = row;
        record.name = file.path.substr(0, file.path.size() - 4);
        record.match_stem = true;
        record.size = ImageSize{png->width, png->height};
        for (std::size_t k = 0; k < masks.size(); ++k) {
            if (!masks[k].runs.empty()) {
                Shape shape;
                shape.label = map[k].name;
                shape.geometry = std::move(masks[k]);
                record.shapes.push_back(std::move(shape));
            }
        }
        out.records.push_back(std::move(record));
    }
    return out;
}

}  // namespace tessera
