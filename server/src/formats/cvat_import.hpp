#pragma once
// CVAT for images 1.1 XML: <image name width height> with <box label xtl ytl xbr ybr> and
// <polygon label points="x,y;x,y;..."> in pixels (CVAT's corners are continuous coordinates,
// the same as ours). Polylines, points, cuboids, ellipses and tags are not shapes we draw:
// they are skipped.
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera {

Result<ParsedImport> ParseCvat(const std::vector<ImportFile>& files);

// "x1,y1;x2,y2;..." to points; kInvalidArgument for anything else.
Result<Ring> ParseCvatPoints(const std::string& text);

}  // namespace tessera
