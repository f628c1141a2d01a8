#include "ml/embedding_codec.hpp"

#include <bit>
#include <cstdint>

namespace tessera::ml {

namespace {

std::uint16_t ToHalf(float value) {
    const auto bits = std::bit_cast<std::uint32_t>(value);
    const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000U);
    const std::uint32_t exponent = (bits >> 23) & 0xffU;
    std::uint32_t mantissa = bits & 0x7fffffU;
    if (exponent == 0xff) {  // infinity or NaN (kept a NaN)
        return static_cast<std::uint16_t>(sign | 0x7c00U | (mantissa != 0 ? 0x200U : 0U));
    }
    const int half_exponent = static_cast<int>(exponent) - 127 + 15;
    if (half_exponent >= 31) {
        return static_cast<std::uint16_t>(sign | 0x7c00U);
    }
    if (half_exponent <= 0) {  // subnormal in float16, or zero
        if (half_exponent < -10) {
            return sign;
        }
        mantissa |= 0x800000U;
        const auto shift = static_cast<std::uint32_t>(14 - half_exponent);
        std::uint32_t half = mantissa >> shift;
        const std::uint32_t rest = mantissa & ((1U << shift) - 1U);
        const std::uint32_t halfway = 1U << (shift - 1U);
        if (rest > halfway || (rest == halfway && (half & 1U) != 0)) {
            ++half;
        }
        return static_cast<std::uint16_t>(sign | half);
    }
    std::uint32_t half = (static_cast<std::uint32_t>(half_exponent) << 10) | (mantissa >> 13);
    const std::uint32_t rest = mantissa & 0x1fffU;
    if (rest > 0x1000U || (rest == 0x1000U && (half & 1U) != 0)) {
        ++half;  // may carry into the exponent, up to infinity: still correct
    }
    return static_cast<std::uint16_t>(sign | half);
}

float FromHalf(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000U) << 16;
    std::uint32_t exponent = (h >> 10) & 0x1fU;
    std::uint32_t mantissa = h & 0x3ffU;
    if (exponent == 0) {
        if (mantissa == 0) {
            return std::bit_cast<float>(sign);
        }
        exponent = 1;
        while ((mantissa & 0x400U) == 0) {  // normalize the subnormal
            mantissa <<= 1;
            --exponent;
        }
        mantissa &= 0x3ffU;
        return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
    }
    if (exponent == 31) {
        return std::bit_cast<float>(sign | 0x7f800000U | (mantissa << 13));
    }
    return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

}  // namespace

std::string EncodeFloat16(std::span<const float> values) {
    std::string out;
    out.reserve(values.size() * 2);
    for (const float v : values) {
        const std::uint16_t h = ToHalf(v);
        out += static_cast<char>(h & 0xffU);
        out += static_cast<char>(h >> 8);
    }
    return out;
}

std::vector<float> DecodeFloat16(std::string_view bytes) {
    if (bytes.size() % 2 != 0) {
        return {};
    }
    std::vector<float> out(bytes.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto lo = static_cast<std::uint8_t>(bytes[2 * i]);
        const auto hi = static_cast<std::uint8_t>(bytes[2 * i + 1]);
        out[i] = FromHalf(static_cast<std::uint16_t>(lo | (hi << 8)));
    }
    return out;
}

}  // namespace tessera::ml
