#include "base/text.hpp"

#include <algorithm>
#include <cctype>

namespace tessera {

std::string_view TrimmedView(std::string_view text, std::string_view strip) {
    const std::size_t begin = text.find_first_not_of(strip);
    if (begin == std::string_view::npos) {
        return {};
    }
    const std::size_t end = text.find_last_not_of(strip);
    return text.substr(begin, end - begin + 1);
}

std::string Trim(std::string_view text, std::string_view strip) {
    return std::string(TrimmedView(text, strip));
}

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string FolderOf(std::string_view path) {
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash + 1));
}

}  // namespace tessera
