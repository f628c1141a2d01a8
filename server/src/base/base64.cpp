#include "base/base64.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace tessera {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int ValueOf(char c) {
    const std::size_t at = kAlphabet.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
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

}  // namespace tessera
