#pragma once
// XML reading for the importers (VOC, CVAT, LabelMe): Boost.PropertyTree's parser, with its
// exceptions turned into errors here.
#include <boost/property_tree/ptree.hpp>
#include <optional>
#include <string>

#include "base/result.hpp"

namespace tessera {

using XmlTree = boost::property_tree::ptree;

Result<XmlTree> ParseImportXml(const std::string& bytes, const std::string& path);

// A number from a child's text or an attribute ("<xmlattr>.name"); nullopt when absent or not
// a finite number.
std::optional<double> XmlNumber(const XmlTree& node, const std::string& key);
std::string XmlText(const XmlTree& node, const std::string& key);

}  // namespace tessera
