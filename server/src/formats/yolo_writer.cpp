#include "formats/yolo_writer.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

std::string YoloEntryName(const ExportImage& image) {
    return "labels/" + PathStem(image.file_name) + ".txt";
}

Result<std::string> YoloLabels(const ExportImage& image, const ExportCategories& categories) {
    if (image.width <= 0 || image.height <= 0) {
        return Error::Internal("image " + image.file_name + " has no known size to normalise by");
    }
    const double sx = 1.0 / image.width;
    const double sy = 1.0 / image.height;
    std::string text;
    for (const Shape& shape : image.shapes) {
        int index = categories.IndexOf(shape.label);
        if (index < 0) {
            return Error::Internal("image " + image.file_name + " has a shape labeled '" +
                                   shape.label + "', which is not a project label");
        }
        std::string cls = std::to_string(index);
        if (const Box* box = std::get_if<Box>(&shape.geometry)) {
            text += cls + " " + FormatNumber((box->x + box->w / 2) * sx) + " " +
                    FormatNumber((box->y + box->h / 2) * sy) + " " + FormatNumber(box->w * sx) +
                    " " + FormatNumber(box->h * sy) + "\n";
        } else if (const Polygon* polygon = std::get_if<Polygon>(&shape.geometry)) {
            for (const Ring& ring : polygon->rings) {
                text += cls;
                for (const ImagePoint& p : ring) {
                    text += " " + FormatNumber(p.x * sx) + " " + FormatNumber(p.y * sy);
                }
                text += "\n";
            }
        } else {
            return Error::Internal("YOLO text has no form for masks (image " + image.file_name +
                                   ")");
        }
    }
    return text;
}

std::string YoloDataYaml(const ExportCategories& categories) {
    std::string yaml =
        "# Exported by Tessera: labels/ holds one .txt per image, named and foldered like the\n"
        "# image. Put the images under images/ beside labels/ to train.\n"
        "path: .\ntrain: images\nval: images\n";
    yaml += "nc: " + std::to_string(categories.names.size()) + "\nnames:\n";
    for (std::size_t i = 0; i < categories.names.size(); ++i) {
        // A JSON string is a valid YAML double-quoted scalar: safe for any label name.
        yaml += "  " + std::to_string(i) + ": " +
                nlohmann::json(categories.names[i])
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                "\n";
    }
    return yaml;
}

}  // namespace tessera
