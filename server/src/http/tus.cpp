#include "http/tus.hpp"

#include <array>
#include <charconv>
#include <ctime>

#include "base/base64.hpp"
#include "base/text.hpp"

namespace tessera::http {
// Header values are trimmed of spaces and tabs only (RFC 9110's optional whitespace).
Result<std::map<std::string, std::string>> ParseUploadMetadata(std::string_view header) {
    std::map<std::string, std::string> out;
    while (!TrimmedView(header, kBlanks).empty()) {
        const std::size_t comma = header.find(',');
        const std::string_view pair = TrimmedView(header.substr(0, comma), kBlanks);
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        const std::size_t space = pair.find(' ');
        const std::string key(pair.substr(0, space));
        if (key.empty()) {
            return Error::InvalidArgument("Upload-Metadata has an empty key", "Upload-Metadata");
        }
        std::optional<std::string> value = std::string();
        if (space != std::string_view::npos) {
            value = DecodeBase64(TrimmedView(pair.substr(space + 1), kBlanks));
        }
        if (!value) {
            return Error::InvalidArgument("Upload-Metadata value of '" + key + "' is not base64",
                                          "Upload-Metadata");
        }
        out[key] = std::move(*value);
    }
    return out;
}

Result<std::int64_t> ParseTusNumber(std::string_view value, const std::string& name) {
    value = TrimmedView(value, kBlanks);
    std::int64_t number = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || number < 0) {
        return Error::InvalidArgument(name + " must be a whole number of bytes, 0 or more", name);
    }
    return number;
}

std::string HttpDate(std::int64_t unix_ms) {
    const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    std::array<char, 64> buffer{};
    const std::size_t n =
        std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return {buffer.data(), n};
}

}  // namespace tessera::http
