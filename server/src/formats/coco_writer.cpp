#include "formats/coco_writer.hpp"

#include <nlohmann/json.hpp>

#include "formats/coco_rle_writer.hpp"

namespace tessera {
namespace {

std::string JsonString(const std::string& s) {
    // File names may hold bytes that are not UTF-8; they become U+FFFD rather than failing.
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct Scale {
    double x = 1;
    double y = 1;
};

}  // namespace

CocoWriter::CocoWriter(ByteSink& out, CocoExportFlavor flavor, ExportCategories categories)
    : out_(out), flavor_(flavor), categories_(std::move(categories)) {}

Status CocoWriter::Expect(Stage stage) const {
    if (stage_ != stage) {
        return Error::Internal("COCO writer called out of order");
    }
    return Status::Ok();
}

Status CocoWriter::Begin() {
    TESSERA_TRY(Expect(Stage::kNew));
    std::string head =
        "{\"info\": {\"description\": \"Exported by Tessera\", \"version\": \"1.0\"},\n";
    head += "\"licenses\": [],\n\"categories\": [";
    for (std::size_t i = 0; i < categories_.names.size(); ++i) {
        head += i == 0 ? "\n" : ",\n";
        head += "{\"id\": " + std::to_string(i + 1) +
                ", \"name\": " + JsonString(categories_.names[i]) + ", \"supercategory\": \"\"}";
    }
    head += "],\n\"images\": [";
    stage_ = Stage::kImages;
    first_ = true;
    return out_.Write(head);
}

Status CocoWriter::WriteImage(const ExportImage& image) {
    TESSERA_TRY(Expect(Stage::kImages));
    bool azure = flavor_ == CocoExportFlavor::kAzure;
    std::string line = first_ ? "\n" : ",\n";
    first_ = false;
    line += "{\"id\": " + std::to_string(image.id) +
            ", \"file_name\": " + JsonString(image.file_name) +
            ", \"width\": " + std::to_string(azure ? 0 : image.width) +
            ", \"height\": " + std::to_string(azure ? 0 : image.height) + "}";
    return out_.Write(line);
}

Status CocoWriter::BeginAnnotations() {
    TESSERA_TRY(Expect(Stage::kImages));
    stage_ = Stage::kAnnotations;
    first_ = true;
    return out_.Write("],\n\"annotations\": [");
}

Status CocoWriter::WriteAnnotations(const ExportImage& image) {
    TESSERA_TRY(Expect(Stage::kAnnotations));
    if (flavor_ == CocoExportFlavor::kAzure && (image.width <= 0 || image.height <= 0)) {
        return Error::Internal("image " + image.file_name + " has no known size to normalise by");
    }
    for (const Shape& shape : image.shapes) {
        int index = categories_.IndexOf(shape.label);
        if (index < 0) {
            return Error::Internal("image " + image.file_name + " has a shape labeled '" +
                                   shape.label + "', which is not a project label");
        }
        TESSERA_TRY(WriteShape(image, shape, index + 1));
    }
    return Status::Ok();
}

Status CocoWriter::WriteShape(const ExportImage& image, const Shape& shape, int category_id) {
    Scale s;
    if (flavor_ == CocoExportFlavor::kAzure) {
        s = {1.0 / image.width, 1.0 / image.height};
    }
    std::string line = first_ ? "\n" : ",\n";
    first_ = false;
    line += "{\"id\": " + std::to_string(next_annotation_id_++) +
            ", \"image_id\": " + std::to_string(image.id) +
            ", \"category_id\": " + std::to_string(category_id);
    auto bbox = [&](const Bounds& b) {
        return "[" + FormatNumber(b.x0 * s.x) + ", " + FormatNumber(b.y0 * s.y) + ", " +
               FormatNumber((b.x1 - b.x0) * s.x) + ", " + FormatNumber((b.y1 - b.y0) * s.y) + "]";
    };
    if (const Box* box = std::get_if<Box>(&shape.geometry)) {
        line += ", \"bbox\": " + bbox(ShapeBounds(*box)) + ", \"segmentation\": []" +
                ", \"area\": " + FormatNumber(box->w * box->h * s.x * s.y) + ", \"iscrowd\": 0";
    } else if (const Polygon* polygon = std::get_if<Polygon>(&shape.geometry)) {
        line += ", \"bbox\": " + bbox(ShapeBounds(*polygon)) + ", \"segmentation\": [";
        for (std::size_t r = 0; r < polygon->rings.size(); ++r) {
            line += r == 0 ? "[" : ", [";
            const Ring& ring = polygon->rings[r];
            for (std::size_t i = 0; i < ring.size(); ++i) {
                line += (i == 0 ? "" : ", ") + FormatNumber(ring[i].x * s.x) + ", " +
                        FormatNumber(ring[i].y * s.y);
            }
            line += "]";
        }
        line +=
            "], \"area\": " + FormatNumber(PolygonArea(*polygon) * s.x * s.y) + ", \"iscrowd\": 0";
    } else {
        const MaskRle& mask = std::get<MaskRle>(shape.geometry);
        TESSERA_ASSIGN_OR_RETURN(std::vector<RowSpan> spans,
                                 MaskRowSpans(mask, image.width, image.height));
        std::int64_t pixels = 0;
        for (const RowSpan& span : spans) {
            pixels += span.x1 - span.x0;
        }
        line += ", \"bbox\": " + bbox(ShapeBounds(spans)) + ", \"segmentation\": {\"size\": [" +
                std::to_string(image.height) + ", " + std::to_string(image.width) +
                "], \"counts\": [";
        TESSERA_TRY(out_.Write(line));
        line.clear();
        // Counts can be long for a ragged mask: stream them through a bounded buffer.
        bool first_count = true;
        Status written = ForEachColumnMajorCount(spans, image.width, image.height,
                                                 [&](std::int64_t count) -> Status {
                                                     line += first_count ? "" : ", ";
                                                     first_count = false;
                                                     line += std::to_string(count);
                                                     if (line.size() >= std::size_t{64} * 1024) {
                                                         TESSERA_TRY(out_.Write(line));
                                                         line.clear();
                                                     }
                                                     return Status::Ok();
                                                 });
        TESSERA_TRY(written);
        line += "]}, \"area\": " + FormatNumber(static_cast<double>(pixels) * s.x * s.y) +
                ", \"iscrowd\": 1";
    }
    if (shape.confidence) {
        line += ", \"score\": " + FormatNumber(*shape.confidence);
    }
    line += "}";
    return out_.Write(line);
}

Status CocoWriter::Finish() {
    TESSERA_TRY(Expect(Stage::kAnnotations));
    stage_ = Stage::kDone;
    return out_.Write("]}\n");
}

}  // namespace tessera
