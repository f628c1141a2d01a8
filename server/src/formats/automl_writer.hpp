#pragma once
// Azure AutoML image JSONL for drawing projects (docs/formats/jsonl.md), one line per image:
//   object detection:      "label": [{"label", "topX", "topY", "bottomX", "bottomY", "isCrowd"}]
//   instance segmentation: "label": [{"label", "isCrowd", "polygon": [[x1, y1, x2, y2, ...]]}]
// Coordinates normalised to 0-1 by the image size; corners, not width/height. AutoML has no
// mask form, so a mask shape is kInternal (the export service refuses semantic projects first).
#include <string>

#include "base/byte_sink.hpp"
#include "formats/export_image.hpp"

namespace tessera {

// One line without its "\n".
Result<std::string> AutoMlShapesLine(const ExportImage& image);

class AutoMlWriter {
public:
    explicit AutoMlWriter(ByteSink& out) : out_(out) {}
    Status WriteImage(const ExportImage& image);

private:
    ByteSink& out_;
};

}  // namespace tessera
