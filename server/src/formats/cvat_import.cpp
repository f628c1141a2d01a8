#include "formats/cvat_import.hpp"

#include <cmath>
#include <map>
#include <set>
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

std::optional<int> XmlInt(const XmlTree& node, const std::string& key) {
    auto v = XmlNumber(node, key);
    if (!v || *v != std::floor(*v) || std::abs(*v) > 1e9) {
        return std::nullopt;
    }
    return static_cast<int>(*v);
}

// Extends the last run when `start` continues it.
void AddRun(MaskRle& mask, std::int64_t start, std::int64_t length) {
    const std::size_t n = mask.runs.size();
    if (n >= 2 && mask.runs[n - 2] + mask.runs[n - 1] == start) {
        mask.runs[n - 1] += length;
    } else {
        mask.runs.push_back(start);
        mask.runs.push_back(length);
    }
}

Result<Shape> ParseCvatMask(const XmlTree& shape, const std::optional<ImageSize>& image) {
    if (!image) {
        return Error::InvalidArgument("a mask needs the <image>'s width and height");
    }
    auto left = XmlInt(shape, "<xmlattr>.left");
    auto top = XmlInt(shape, "<xmlattr>.top");
    auto width = XmlInt(shape, "<xmlattr>.width");
    auto height = XmlInt(shape, "<xmlattr>.height");
    if (!left || !top || !width || !height || *width <= 0 || *height <= 0) {
        return Error::InvalidArgument("needs whole-pixel left, top and positive width, height");
    }
    TESSERA_ASSIGN_OR_RETURN(MaskRle mask, CvatMaskToImage(XmlText(shape, "<xmlattr>.rle"), *left,
                                                           *top, *width, *height, *image));
    Shape out;
    out.label = XmlText(shape, "<xmlattr>.label");
    out.geometry = std::move(mask);
    return out;
}

// Image names that occur in more than one subset of the upload.
std::set<std::string> NamesInSeveralSubsets(const std::vector<XmlTree>& roots) {
    std::map<std::string, std::set<std::string>> subsets;
    for (const XmlTree& root : roots) {
        for (const auto& [tag, image] : root) {
            if (tag == "image") {
                subsets[XmlText(image, "<xmlattr>.name")].insert(
                    XmlText(image, "<xmlattr>.subset"));
            }
        }
    }
    std::set<std::string> out;
    for (const auto& [name, in] : subsets) {
        if (in.size() > 1) {
            out.insert(name);
        }
    }
    return out;
}

}  // namespace

Result<MaskRle> CvatMaskToImage(const std::string& rle, int left, int top, int box_width,
                                int box_height, ImageSize image) {
    MaskRle mask;
    const std::int64_t box_pixels = std::int64_t{box_width} * box_height;
    std::int64_t at = 0;  // index into the box, row-major
    bool set = false;     // CVAT starts with a run of unset pixels
    std::stringstream counts(rle);
    std::string token;
    while (std::getline(counts, token, ',')) {
        double count = 0;
        const std::size_t first = token.find_first_not_of(" \t\r\n");
        const std::size_t last = token.find_last_not_of(" \t\r\n");
        if (first == std::string::npos ||
            !ParseDouble(token.substr(first, last - first + 1), count) || count < 0 ||
            count != std::floor(count)) {
            return Error::InvalidArgument("mask rle must be comma-separated whole counts");
        }
        const auto n = static_cast<std::int64_t>(count);
        if (n > box_pixels - at) {
            return Error::InvalidArgument("mask rle covers more than its " +
                                          std::to_string(box_width) + "x" +
                                          std::to_string(box_height) + " box");
        }
        // A set run may span several box rows: cut it at each row's end.
        for (std::int64_t i = at; set && i < at + n;) {
            const std::int64_t row = i / box_width;
            const std::int64_t col = i % box_width;
            const std::int64_t take = std::min<std::int64_t>(box_width - col, at + n - i);
            const std::int64_t y = top + row;
            const std::int64_t x0 = std::max<std::int64_t>(left + col, 0);
            const std::int64_t x1 = std::min<std::int64_t>(left + col + take, image.width);
            if (y >= 0 && y < image.height && x1 > x0) {
                AddRun(mask, y * image.width + x0, x1 - x0);
            }
            i += take;
        }
        at += n;
        set = !set;
    }
    return mask;
}

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
    std::vector<XmlTree> roots;
    std::vector<std::string> paths;
    for (const ImportFile& file : files) {
        if (!ImportEndsWith(file.path, ".xml")) {
            continue;
        }
        TESSERA_ASSIGN_OR_RETURN(XmlTree tree, ParseImportXml(file.bytes, file.path));
        auto root = tree.get_child_optional("annotations");
        if (!root) {
            return Error::InvalidArgument(file.path + ": no <annotations> element");
        }
        roots.push_back(std::move(*root));
        paths.push_back(file.path);
    }
    if (roots.empty()) {
        return Error::InvalidArgument("no CVAT annotations .xml file in the upload");
    }
    const std::set<std::string> repeated = NamesInSeveralSubsets(roots);
    ParsedImport out;
    int row = 0;
    for (std::size_t f = 0; f < roots.size(); ++f) {
        for (const auto& [tag, image] : roots[f]) {
            if (tag != "image") {
                continue;
            }
            ++row;
            ImportRecord record;
            record.row = row;
            const std::string name = XmlText(image, "<xmlattr>.name");
            const std::string subset = XmlText(image, "<xmlattr>.subset");
            record.name = subset.empty() ? name : subset + "/" + name;
            if (repeated.contains(name)) {
                record.path_only_reason = "\"" + name +
                                          "\" is in several subsets of the upload; no item "
                                          "path ends with \"" +
                                          record.name + "\"";
            }
            auto width = XmlNumber(image, "<xmlattr>.width");
            auto height = XmlNumber(image, "<xmlattr>.height");
            if (width && height && *width > 0 && *height > 0) {
                record.size = ImageSize{static_cast<int>(*width), static_cast<int>(*height)};
            }
            if (name.empty()) {
                out.errors.push_back({row, paths[f] + ": <image> without a name"});
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
                } else if (kind == "mask") {
                    auto mask = ParseCvatMask(shape, record.size);
                    if (!mask.ok()) {
                        out.errors.push_back({row, where + ": " + mask.error().message});
                        bad = true;
                        continue;
                    }
                    if (!std::get<MaskRle>(mask->geometry).runs.empty()) {
                        record.shapes.push_back(std::move(mask).value());
                    }
                }
            }
            if (!bad) {
                out.records.push_back(std::move(record));
            }
        }
    }
    return out;
}

}  // namespace tessera
