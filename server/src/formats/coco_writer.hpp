#pragma once
// COCO instances JSON, streamed: categories first, then every image, then every annotation, so
// a caller makes two passes over its rows and nothing is held whole (docs/formats/coco.md).
//   pixel flavour: bbox [x, y, w, h] and polygons in pixels, real image width/height.
//   azure flavour: as Azure ML labeling exported it: bbox and polygons normalised to 0-1,
//                  images[].width/height written as 0.
// Masks become uncompressed COCO RLE (column-major counts starting with background, iscrowd 1)
// in both flavours; RLE "size" always holds the real [height, width].
#include <cstdint>

#include "base/byte_sink.hpp"
#include "formats/export_image.hpp"

namespace tessera {

enum class CocoExportFlavor { kPixel, kAzure };

class CocoWriter {
public:
    CocoWriter(ByteSink& out, CocoExportFlavor flavor, ExportCategories categories);

    // Call in this order: Begin, WriteImage* , BeginAnnotations, WriteAnnotations*, Finish.
    // Out of order calls return kInternal.
    Status Begin();
    Status WriteImage(const ExportImage& image);
    Status BeginAnnotations();
    Status WriteAnnotations(const ExportImage& image);
    Status Finish();

private:
    enum class Stage { kNew, kImages, kAnnotations, kDone };
    Status Expect(Stage stage) const;
    Status WriteShape(const ExportImage& image, const Shape& shape, int category_id);

    ByteSink& out_;
    CocoExportFlavor flavor_;
    ExportCategories categories_;
    Stage stage_ = Stage::kNew;
    bool first_ = true;  // no comma before the next array element
    std::int64_t next_annotation_id_ = 1;
};

}  // namespace tessera
