#pragma once
// Label maps of semantic-mask datasets: which class a mask pixel's value or colour stands for.
// Read from the upload (Datumaro/CVAT labelmap.txt, Datumaro dataset_meta.json, CamVid and
// Cityscapes label_colors.txt, Kaggle labelmap.csv, labelme2voc class_names.txt) or one of the
// standard maps of CamVid and Cityscapes when the upload has none (docs/formats/import.md "masks").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace tessera {

struct MaskClass {
    std::string name;
    bool background = false;  // its pixels stay unlabeled
};

struct MaskLabelMap {
    std::string source;  // names the map in error messages: "labelmap.txt", "standard CamVid map"
    std::vector<MaskClass> classes;
    std::map<std::uint32_t, std::size_t> by_value;  // gray/palette pixel value -> class
    std::map<std::uint32_t, std::size_t> by_color;  // 0xRRGGBB -> class (the first with it)

    // Appends a class; `value` is the pixel value that stands for it, `rgb` its colour if any.
    void Add(std::string name, std::uint32_t value, std::optional<std::uint32_t> rgb,
             bool background = false);
};

// "background", "_background_", "void", "unlabeled"/"unlabelled" (any case): names every
// dataset uses for "no class".
bool IsBackgroundName(const std::string& name);

// labelmap.txt: "name:r,g,b:parts:actions" lines, '#' comments; line index = pixel value.
MaskLabelMap ParseDatumaroLabelMap(const std::string& text);
// labelme2voc's class_names.txt: one name a line, line index = pixel value ("_background_"
// first, 0); a leading "__ignore__" line (labelme's labels.txt) is skipped: its pixels are 255.
MaskLabelMap ParseLabelmeClassNames(const std::string& text);
// label_colors.txt: "r g b name" lines; line index = pixel value.
Result<MaskLabelMap> ParseLabelColors(const std::string& text);
// labelmap.csv: a "name,r,g,b" header, then one row per class; row index = pixel value.
Result<MaskLabelMap> ParseLabelMapCsv(const std::string& text);
// dataset_meta.json: "label_map" {"<value>": "<name>"}, optional "segmentation_colors"
// [[r, g, b], ...] in label_map order and "background_label" "<value>".
Result<MaskLabelMap> ParseDatasetMeta(const std::string& text);

// CamVid's 32 classes and colours, Void first (value 0) as Datumaro orders them.
MaskLabelMap StandardCamVidMap();
// Cityscapes label ids (cityscapesScripts labels.py names; the void category, ids 0-6, stays
// unlabeled) and their colours.
MaskLabelMap StandardCityscapesMap();
// Cityscapes train ids 0-18; 255 (ignore) and 19 (Datumaro's "background") stay unlabeled.
MaskLabelMap StandardCityscapesTrainMap();

}  // namespace tessera
