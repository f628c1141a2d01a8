#include "formats/voc_import.hpp"

#include "formats/xml_import.hpp"

namespace tessera {

Result<ParsedImport> ParseVoc(const std::vector<ImportFile>& files, VocConvention convention) {
    const double first_pixel = convention == VocConvention::kDevkit ? 1 : 0;
    ParsedImport out;
    bool any = false;
    int row = 0;
    for (const ImportFile& file : files) {
        if (!ImportEndsWith(file.path, ".xml")) {
            continue;
        }
        any = true;
        ++row;
        auto tree = ParseImportXml(file.bytes, file.path);
        if (!tree.ok()) {
            out.errors.push_back({row, tree.error().message});
            continue;
        }
        auto root = tree->get_child_optional("annotation");
        if (!root) {
            out.errors.push_back({row, file.path + ": no <annotation> element"});
            continue;
        }
        ImportRecord record;
        record.row = row;
        record.file = file.path;
        record.name = XmlText(*root, "filename");
        if (record.name.empty()) {
            // The annotation file is named after its image; the extension is unknown.
            record.name = ImportStem(file.path);
            record.match_stem = true;
        }
        record.size =
            ImportImageSize(XmlNumber(*root, "size.width"), XmlNumber(*root, "size.height"));
        bool bad = false;
        int index = 0;
        for (const auto& [tag, object] : *root) {
            if (tag != "object") {
                continue;
            }
            const std::string where = file.path + ": object " + std::to_string(index++);
            std::string name = XmlText(object, "name");
            auto xmin = XmlNumber(object, "bndbox.xmin");
            auto ymin = XmlNumber(object, "bndbox.ymin");
            auto xmax = XmlNumber(object, "bndbox.xmax");
            auto ymax = XmlNumber(object, "bndbox.ymax");
            if (name.empty()) {
                out.errors.push_back({row, where + ": no <name>"});
                bad = true;
                continue;
            }
            if (!xmin || !ymin || !xmax || !ymax) {
                // Segmentation-only VOC: the object's pixels are in SegmentationObject PNGs.
                ++record.dropped["object without bndbox"];
                continue;
            }
            if (convention == VocConvention::kCorners && (*xmin == *xmax || *ymin == *ymax)) {
                // A single click saved as a box (BCCD has two): no area between its corners.
                ++record.dropped["zero-area box"];
                continue;
            }
            record.shapes.push_back(MakeBoxShape(std::move(name), *xmin - first_pixel,
                                                 *ymin - first_pixel, *xmax, *ymax));
        }
        if (!bad) {
            out.records.push_back(std::move(record));
        }
    }
    if (!any) {
        return Error::InvalidArgument("no VOC .xml file in the upload");
    }
    return out;
}

}  // namespace tessera
