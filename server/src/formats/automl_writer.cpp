#include "formats/automl_writer.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

Result<std::string> AutoMlShapesLine(const ExportImage& image) {
    if (image.width <= 0 || image.height <= 0) {
        return Error::Internal("image " + image.file_name + " has no known size to normalise by");
    }
    const double sx = 1.0 / image.width;
    const double sy = 1.0 / image.height;
    nlohmann::ordered_json labels = nlohmann::ordered_json::array();
    bool any_confidence = false;
    nlohmann::ordered_json confidences = nlohmann::ordered_json::array();
    for (const Shape& shape : image.shapes) {
        nlohmann::ordered_json entry;
        entry["label"] = shape.label;
        if (const Box* box = std::get_if<Box>(&shape.geometry)) {
            entry["topX"] = box->x * sx;
            entry["topY"] = box->y * sy;
            entry["bottomX"] = (box->x + box->w) * sx;
            entry["bottomY"] = (box->y + box->h) * sy;
            entry["isCrowd"] = 0;
        } else if (const Polygon* polygon = std::get_if<Polygon>(&shape.geometry)) {
            entry["isCrowd"] = 0;
            nlohmann::ordered_json rings = nlohmann::ordered_json::array();
            for (const Ring& ring : polygon->rings) {
                nlohmann::ordered_json flat = nlohmann::ordered_json::array();
                for (const ImagePoint& p : ring) {
                    flat.push_back(p.x * sx);
                    flat.push_back(p.y * sy);
                }
                rings.push_back(std::move(flat));
            }
            entry["polygon"] = std::move(rings);
        } else {
            return Error::Internal("AutoML JSONL has no form for masks (image " + image.file_name +
                                   ")");
        }
        labels.push_back(std::move(entry));
        any_confidence = any_confidence || shape.confidence.has_value();
        confidences.push_back(shape.confidence.value_or(1.0));
    }
    nlohmann::ordered_json line;
    // Key order as in the classification JSONL (docs/formats/jsonl.md).
    line["image_url"] = image.image_url;
    line["label"] = std::move(labels);
    line["image_details"] = {
        {"format", image.format}, {"width", image.width}, {"height", image.height}};
    // Prelabel confidences travel the way Azure's labeled datasets carry them; a human
    // answer has none, and then the column is left out.
    if (any_confidence) {
        line["label_confidence"] = std::move(confidences);
    }
    line["labeler"] = image.labeler;
    line["labeled_at"] = image.labeled_at;
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Status AutoMlWriter::WriteImage(const ExportImage& image) {
    TESSERA_ASSIGN_OR_RETURN(std::string line, AutoMlShapesLine(image));
    line += "\n";
    return out_.Write(line);
}

}  // namespace tessera
