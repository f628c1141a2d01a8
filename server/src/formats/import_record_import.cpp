#include "formats/import_record_import.hpp"

#include <algorithm>
#include <cctype>

namespace tessera {

std::string ImportBaseName(std::string_view path) {
    const std::size_t slash = path.find_last_of("/\\");
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string ImportStem(std::string_view path) {
    std::string base = ImportBaseName(path);
    const std::size_t dot = base.find_last_of('.');
    if (dot != std::string::npos && dot > 0) {
        base.resize(dot);
    }
    return base;
}

std::string ImportLower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool ImportEndsWith(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           ImportLower(text.substr(text.size() - suffix.size())) == ImportLower(suffix);
}

Shape MakeBoxShape(std::string label, double x0, double y0, double x1, double y1) {
    Shape shape;
    shape.label = std::move(label);
    shape.geometry = Box{std::min(x0, x1), std::min(y0, y1), std::abs(x1 - x0), std::abs(y1 - y0)};
    return shape;
}

}  // namespace tessera
