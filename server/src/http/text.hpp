#pragma once
// Small string helpers for header values. Boost 1.74's beast::string_view is boost's own type,
// so conversions live here too.
#include <boost/utility/string_view.hpp>
#include <cctype>
#include <string_view>

#include "base/text.hpp"

namespace tessera::http {

inline std::string_view Sv(boost::string_view text) {
    return {text.data(), text.size()};
}

inline bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// HTTP's optional whitespace (RFC 9110 OWS): spaces and tabs.
inline std::string_view TrimSpace(std::string_view text) {
    return TrimmedView(text, kBlanks);
}

}  // namespace tessera::http
