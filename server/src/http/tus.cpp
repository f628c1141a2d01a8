#include "http/tus.hpp"

#include <array>
#include <charconv>
#include <ctime>

namespace tessera::http {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int ValueOf(char c) {
    const std::size_t at = kAlphabet.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

std::string_view Trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        std::array<int, 4> v{};
        int padding = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const char c = text[i + j];
            if (c == '=' && i + 4 == text.size() && j >= 2) {
                v.at(j) = 0;
                ++padding;
                continue;
            }
            if (padding > 0 || (v.at(j) = ValueOf(c)) < 0) {
                return std::nullopt;
            }
        }
        const auto triple =
            static_cast<std::uint32_t>((v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3]);
        out.push_back(static_cast<char>((triple >> 16) & 0xff));
        if (padding < 2) {
            out.push_back(static_cast<char>((triple >> 8) & 0xff));
        }
        if (padding < 1) {
            out.push_back(static_cast<char>(triple & 0xff));
        }
    }
    return out;
}

std::string EncodeBase64(std::string_view bytes) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t triple = 0;
        for (std::size_t j = 0; j < 3; ++j) {
            triple = (triple << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0U);
        }
        for (std::size_t j = 0; j < 4; ++j) {
            out.push_back(j <= n ? kAlphabet[(triple >> (18 - 6 * j)) & 0x3f] : '=');
        }
    }
    return out;
}

Result<std::map<std::string, std::string>> ParseUploadMetadata(std::string_view header) {
    std::map<std::string, std::string> out;
    while (!Trim(header).empty()) {
        const std::size_t comma = header.find(',');
        const std::string_view pair = Trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        const std::size_t space = pair.find(' ');
        const std::string key(pair.substr(0, space));
        if (key.empty()) {
            return Error::InvalidArgument("Upload-Metadata has an empty key", "Upload-Metadata");
        }
        std::optional<std::string> value = std::string();
        if (space != std::string_view::npos) {
            value = DecodeBase64(Trim(pair.substr(space + 1)));
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
    value = Trim(value);
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
