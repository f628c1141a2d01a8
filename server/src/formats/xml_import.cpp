#include "formats/xml_import.hpp"

#include <boost/property_tree/xml_parser.hpp>
#include <cmath>
#include <sstream>

#include "formats/import_limits.hpp"

namespace tessera {

Result<XmlTree> ParseImportXml(const std::string& bytes, const std::string& path) {
    // The parser underneath recurses once per element: a deep file would overflow the stack.
    TESSERA_TRY(CheckXmlNesting(bytes, path));
    try {
        std::istringstream in(bytes);
        XmlTree tree;
        boost::property_tree::read_xml(in, tree, boost::property_tree::xml_parser::trim_whitespace);
        return tree;
    } catch (const std::exception& e) {
        return Error::InvalidArgument(path + ": not valid XML: " + e.what());
    }
}

std::optional<double> XmlNumber(const XmlTree& node, const std::string& key) {
    auto text = node.get_optional<std::string>(key);
    if (!text || text->empty()) {
        return std::nullopt;
    }
    try {
        std::size_t used = 0;
        double v = std::stod(*text, &used);
        if (used != text->size() || !std::isfinite(v)) {
            return std::nullopt;
        }
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string XmlText(const XmlTree& node, const std::string& key) {
    return node.get<std::string>(key, "");
}

}  // namespace tessera
