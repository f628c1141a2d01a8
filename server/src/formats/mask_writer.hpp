#pragma once
// Semantic masks as indexed PNGs (docs/formats/masks.md): one 8-bit palette PNG per image, the
// pixel value is the class index (0 = background, category i at i + 1, in label-tree order),
// with the Pascal VOC colour map as palette; plus labelmap.txt in the Pascal VOC / CVAT form
// "name:r,g,b::" that names each colour.
#include <string>
#include <vector>

#include "base/byte_sink.hpp"
#include "formats/export_image.hpp"
#include "formats/png_writer.hpp"

namespace tessera {

// An 8-bit PNG holds background and 255 classes.
constexpr std::size_t kMaxMaskClasses = 255;

// The Pascal VOC colour map: entry 0 is black, then (128,0,0), (0,128,0), (128,128,0), ...
std::vector<Rgb> VocPalette(std::size_t entries);

// "# label:color_rgb:parts:actions\nbackground:0,0,0::\nCat:128,0,0::\n..."
std::string LabelMapText(const ExportCategories& categories);

// "SegmentationClass/<path without extension>.png"
std::string MaskEntryName(const ExportImage& image);

// Writes the image's masks as one PNG, row by row. Boxes and polygons are kInternal: a semantic
// answer is stored with its polygons already rasterised into masks.
Status WriteMaskPng(const ExportImage& image, const ExportCategories& categories, ByteSink& out);

}  // namespace tessera
