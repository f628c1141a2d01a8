#pragma once
// Reads an XML document as a stream of element starts and ends (libexpat underneath), so that a
// reader keeps only what it takes from each element, whatever the file's size. Text content is
// not reported: the streamed formats (CVAT) carry everything in attributes. The whole-tree reader
// for small files is formats/xml_import.
#include <functional>
#include <istream>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace tessera {

// One element's start tag. Valid only during the callback that receives it.
class XmlStartTag {
public:
    XmlStartTag(std::string_view name, const char** attributes, int depth)
        : name_(name), attributes_(attributes), depth_(depth) {}

    std::string_view name() const { return name_; }
    // 1 for the root element, 2 for its children, ...
    int depth() const { return depth_; }
    // The attribute's value with entities replaced; empty when absent.
    std::string_view Attribute(std::string_view name) const;

private:
    std::string_view name_;
    const char** attributes_;  // expat's name, value, name, value, ..., nullptr
    int depth_;
};

struct XmlStreamHandler {
    // An error stops the parse and is returned as it is.
    std::function<Status(const XmlStartTag& tag)> start;
    std::function<Status(std::string_view name, int depth)> end;  // optional
};

// Parses `in` to its end. A malformed or truncated document is kInvalidArgument
// "<path>: not valid XML at line L, column C (byte B): <what>" (L and C from 1, B from 0; at the
// end of the input when the file stops early). Callbacks made before the error stand: callers
// apply nothing until this returned success. A stream that fails to read is kInternal. A tag
// (with its attributes), comment or declaration longer than kMaxXmlTagBytes is kPayloadTooLarge
// "<path>: the tag at byte B is longer than 64 MiB, ..." (formats/import_limits.hpp).
Status StreamXml(std::istream& in, const std::string& path, const XmlStreamHandler& handler);

}  // namespace tessera
