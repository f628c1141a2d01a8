#include "formats/cvat_import.hpp"

#include <cmath>
#include <sstream>

#include "formats/xml_import.hpp"

namespace tessera {

namespace {

bool ParseDouble(const std::string& text, double& out) {
    try {
        std::size_t used = 0;
        out = std::stod(text, &used);
        return used == text.size() && std::isfinite(out);
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

Result<Ring> ParseCvatPoints(const std::string& text) {
    Ring ring;
    std::stringstream pairs(text);
    std::string pair;
    while (std::getline(pairs, pair, ';')) {
        const std::size_t comma = pair.find(',');
        ImagePoint p;
        if (comma == std::string::npos || !ParseDouble(pair.substr(0, comma), p.x) ||
            !ParseDouble(pair.substr(comma + 1), p.y)) {
            return Error::InvalidArgument("points must be \"x,y;x,y;...\"");
        }
        ring.push_back(p);
    }
    return ring;
}

Result<ParsedImport> ParseCvat(const std::vector<ImportFile>& files) {
    ParsedImport out;
    bool any = false;
    int row = 0;
    for (const ImportFile& file : files) {
        if (!ImportEndsWith(file.path, ".xml")) {
            continue;
        }
        TESSERA_ASSIGN_OR_RETURN(XmlTree tree, ParseImportXml(file.bytes, file.path));
        auto root = tree.get_child_optional("annotations");
        if (!root) {
            return Error::InvalidArgument(file.path + ": no <annotations> element");
        }
        any = true;
        for (const auto& [tag, image] : *root) {
            if (tag != "image") {
                continue;
            }
            ++row;
            ImportRecord record;
            record.row = row;
            record.name = XmlText(image, "<xmlattr>.name");
            auto width = XmlNumber(image, "<xmlattr>.width");
            auto height = XmlNumber(image, "<xmlattr>.height");
            if (width && height && *width > 0 && *height > 0) {
                record.size = ImageSize{static_cast<int>(*width), static_cast<int>(*height)};
            }
            if (record.name.empty()) {
                out.errors.push_back({row, file.path + ": <image> without a name"});
                continue;
            }
            bool bad = false;
            for (const auto& [kind, shape] : image) {
                const std::string label = XmlText(shape, "<xmlattr>.label");
                const std::string where = record.name + ": " + kind + " \"" + label + "\"";
                if (kind == "box") {
                    auto xtl = XmlNumber(shape, "<xmlattr>.xtl");
                    auto ytl = XmlNumber(shape, "<xmlattr>.ytl");
                    auto xbr = XmlNumber(shape, "<xmlattr>.xbr");
                    auto ybr = XmlNumber(shape, "<xmlattr>.ybr");
                    if (!xtl || !ytl || !xbr || !ybr) {
                        out.errors.push_back({row, where + ": needs numeric xtl, ytl, xbr, ybr"});
                        bad = true;
                        continue;
                    }
                    record.shapes.push_back(MakeBoxShape(label, *xtl, *ytl, *xbr, *ybr));
                } else if (kind == "polygon") {
                    auto ring = ParseCvatPoints(XmlText(shape, "<xmlattr>.points"));
                    if (!ring.ok()) {
                        out.errors.push_back({row, where + ": " + ring.error().message});
                        bad = true;
                        continue;
                    }
                    Shape s;
                    s.label = label;
                    s.geometry = Polygon{{std::move(ring).value()}};
                    record.shapes.push_back(std::move(s));
                }
            }
            if (!bad) {
                out.records.push_back(std::move(record));
            }
        }
    }
    if (!any) {
        return Error::InvalidArgument("no CVAT annotations .xml file in the upload");
    }
    return out;
}

}  // namespace tessera
