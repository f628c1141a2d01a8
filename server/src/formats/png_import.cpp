#include "formats/png_import.hpp"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "formats/import_limits.hpp"

namespace tessera {

namespace {

std::uint32_t Be32(const std::string& b, std::size_t at) {
    return (std::uint32_t{static_cast<std::uint8_t>(b[at])} << 24) |
           (std::uint32_t{static_cast<std::uint8_t>(b[at + 1])} << 16) |
           (std::uint32_t{static_cast<std::uint8_t>(b[at + 2])} << 8) |
           std::uint32_t{static_cast<std::uint8_t>(b[at + 3])};
}

Result<std::string> Inflate(const std::string& data, std::size_t expected) {
    std::string out(expected, '\0');
    z_stream z{};
    if (inflateInit(&z) != Z_OK) {
        return Error::Internal("zlib init failed");
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    const std::size_t got = out.size() - z.avail_out;
    inflateEnd(&z);
    if ((rc != Z_STREAM_END && rc != Z_BUF_ERROR) || got != expected) {
        return Error::InvalidArgument("PNG image data is corrupt or truncated");
    }
    return out;
}

int Paeth(int a, int b, int c) {
    const int p = a + b - c;
    const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    if (pa <= pb && pa <= pc) {
        return a;
    }
    return pb <= pc ? b : c;
}

// Undoes the per-row filters in place; returns the raw rows (without filter bytes).
Result<std::vector<std::uint8_t>> Unfilter(const std::string& data, std::size_t stride, int height,
                                           std::size_t bpp) {
    std::vector<std::uint8_t> out(stride * static_cast<std::size_t>(height));
    for (int y = 0; y < height; ++y) {
        const std::size_t in_at = static_cast<std::size_t>(y) * (stride + 1);
        const int filter = static_cast<std::uint8_t>(data[in_at]);
        std::uint8_t* row = &out[static_cast<std::size_t>(y) * stride];
        const std::uint8_t* prev = y > 0 ? row - stride : nullptr;
        std::memcpy(row, data.data() + in_at + 1, stride);
        for (std::size_t x = 0; x < stride; ++x) {
            const int a = x >= bpp ? row[x - bpp] : 0;
            const int b = prev ? prev[x] : 0;
            const int c = prev && x >= bpp ? prev[x - bpp] : 0;
            int add = 0;
            switch (filter) {
                case 0: add = 0; break;
                case 1: add = a; break;
                case 2: add = b; break;
                case 3: add = (a + b) / 2; break;
                case 4: add = Paeth(a, b, c); break;
                default: return Error::InvalidArgument("PNG row filter unknown");
            }
            row[x] = static_cast<std::uint8_t>(row[x] + add);
        }
    }
    return out;
}

}  // namespace

Result<DecodedPng> DecodeMaskPng(const std::string& bytes) {
    if (bytes.size() < 8 || std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) != 0) {
        return Error::InvalidArgument("not a PNG file");
    }
    int width = 0, height = 0, depth = 0, color = -1, interlace = 0;
    std::string idat;
    for (std::size_t at = 8; at + 8 <= bytes.size();) {
        const std::uint32_t length = Be32(bytes, at);
        const std::string type = bytes.substr(at + 4, 4);
        if (at + 12 + std::size_t{length} > bytes.size()) {
            return Error::InvalidArgument("PNG chunk truncated");
        }
        const std::size_t body = at + 8;
        if (type == "IHDR" && length >= 13) {
            width = static_cast<int>(Be32(bytes, body));
            height = static_cast<int>(Be32(bytes, body + 4));
            depth = static_cast<std::uint8_t>(bytes[body + 8]);
            color = static_cast<std::uint8_t>(bytes[body + 9]);
            interlace = static_cast<std::uint8_t>(bytes[body + 12]);
        } else if (type == "IDAT") {
            idat.append(bytes, body, length);
        } else if (type == "IEND") {
            break;
        }
        at = body + length + 4;
    }
    if (width <= 0 || height <= 0) {
        return Error::InvalidArgument("PNG size missing or invalid");
    }
    if (static_cast<std::int64_t>(width) * height > kMaxMaskPixels) {
        // Decoding holds every pixel in memory, so the limit bounds what one upload can cost;
        // it is checked on the header, before anything is inflated.
        return Error{ErrorCode::kPayloadTooLarge,
                     "PNG mask of " + std::to_string(width) + " x " + std::to_string(height) +
                         " pixels is over the limit of " + std::to_string(kMaxMaskPixels) +
                         " pixels a mask",
                     {}};
    }
    if (interlace != 0) {
        return Error::InvalidArgument("interlaced PNG masks are not supported");
    }
    std::size_t channels = 0;
    const bool low_depth = depth == 1 || depth == 2 || depth == 4 || depth == 8;
    // 16-bit gray carries class or instance ids above 255 (Cityscapes, Kaggle).
    const bool gray16 = color == 0 && depth == 16;
    if (((color == 0 || color == 3) && low_depth) || gray16) {
        channels = 1;
    } else if (color == 2 && depth == 8) {
        channels = 3;
    } else if (color == 6 && depth == 8) {
        channels = 4;
    } else {
        return Error::InvalidArgument(
            "PNG mask must be gray (up to 16-bit), palette, 8-bit RGB or 8-bit RGBA");
    }
    const std::size_t bits = channels * static_cast<std::size_t>(depth);
    const std::size_t stride = (static_cast<std::size_t>(width) * bits + 7) / 8;
    std::vector<std::uint8_t> rows;
    {
        TESSERA_ASSIGN_OR_RETURN(std::string raw,
                                 Inflate(idat, (stride + 1) * static_cast<std::size_t>(height)));
        std::string().swap(idat);
        TESSERA_ASSIGN_OR_RETURN(rows, Unfilter(raw, stride, height, (bits + 7) / 8));
    }  // the inflated copy goes before the pixels are made
    DecodedPng out;
    out.width = width;
    out.height = height;
    out.indexed = channels == 1;
    out.bytes_per_value = out.indexed ? (depth == 16 ? 2 : 1) : 3;
    const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    out.pixels.resize(n * static_cast<std::size_t>(out.bytes_per_value));
    for (int y = 0; y < height; ++y) {
        const std::uint8_t* row = &rows[static_cast<std::size_t>(y) * stride];
        for (int x = 0; x < width; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * width + x;
            if (channels == 1 && depth == 16) {
                std::memcpy(&out.pixels[i * 2], row + static_cast<std::size_t>(x) * 2, 2);
            } else if (channels == 1) {
                const std::size_t bit = static_cast<std::size_t>(x) * depth;
                const int shift = 8 - depth - static_cast<int>(bit % 8);
                out.pixels[i] =
                    static_cast<std::uint8_t>((row[bit / 8] >> shift) & ((1 << depth) - 1));
            } else {
                std::memcpy(&out.pixels[i * 3], row + x * channels, 3);
            }
        }
    }
    return out;
}

}  // namespace tessera
