#include "formats/voc_writer.hpp"

#include <algorithm>
#include <cmath>

namespace tessera {
namespace {

std::string XmlText(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // XML 1.0 forbids most control characters even as references.
                bool forbidden = static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n';
                out += forbidden ? '?' : c;
        }
    }
    return out;
}

int RoundPixel(double v) {
    return static_cast<int>(std::floor(v + 0.5));
}

}  // namespace

VocBox ToVocBox(const Box& box, int width, int height) {
    VocBox v;
    v.xmin = std::clamp(RoundPixel(box.x), 0, std::max(0, width - 1));
    v.ymin = std::clamp(RoundPixel(box.y), 0, std::max(0, height - 1));
    v.xmax = std::clamp(RoundPixel(box.x + box.w), v.xmin + 1, std::max(v.xmin + 1, width));
    v.ymax = std::clamp(RoundPixel(box.y + box.h), v.ymin + 1, std::max(v.ymin + 1, height));
    return v;
}

std::string VocEntryName(const ExportImage& image) {
    return "Annotations/" + PathStem(image.file_name) + ".xml";
}

Result<std::string> VocXml(const ExportImage& image) {
    std::string folder;
    std::size_t slash = image.file_name.rfind('/');
    if (slash != std::string::npos) {
        folder = image.file_name.substr(0, slash);
    }
    std::string xml = "<annotation>\n";
    xml += "  <folder>" + XmlText(folder) + "</folder>\n";
    xml += "  <filename>" + XmlText(BaseName(image.file_name)) + "</filename>\n";
    xml += "  <path>" + XmlText(image.image_url) + "</path>\n";
    xml += "  <source>\n    <database>Tessera</database>\n  </source>\n";
    xml += "  <size>\n    <width>" + std::to_string(image.width) + "</width>\n    <height>" +
           std::to_string(image.height) + "</height>\n    <depth>3</depth>\n  </size>\n";
    xml += "  <segmented>0</segmented>\n";
    for (const Shape& shape : image.shapes) {
        const Box* box = std::get_if<Box>(&shape.geometry);
        if (box == nullptr) {
            return Error::Internal("Pascal VOC holds boxes only (image " + image.file_name + ")");
        }
        VocBox v = ToVocBox(*box, image.width, image.height);
        xml += "  <object>\n    <name>" + XmlText(shape.label) + "</name>\n";
        xml += "    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n";
        xml += "    <difficult>0</difficult>\n    <bndbox>\n";
        xml += "      <xmin>" + std::to_string(v.xmin) + "</xmin>\n";
        xml += "      <ymin>" + std::to_string(v.ymin) + "</ymin>\n";
        xml += "      <xmax>" + std::to_string(v.xmax) + "</xmax>\n";
        xml += "      <ymax>" + std::to_string(v.ymax) + "</ymax>\n";
        xml += "    </bndbox>\n  </object>\n";
    }
    xml += "</annotation>\n";
    return xml;
}

}  // namespace tessera
