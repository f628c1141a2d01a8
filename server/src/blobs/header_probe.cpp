#include "blobs/header_probe.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "blobs/image_format.hpp"

namespace tessera {
namespace {

using Outcome = HeaderProbe::Outcome;

// Larger sides go to the decoder: libpng refuses them by default, libjpeg stops at 65,500.
constexpr std::uint64_t kMaxSide = 1000000;
constexpr std::uint64_t kMaxJpegSide = 65500;

// Bounds-checked big- or little-endian reads; callers check Has() first.
class Bytes {
public:
    Bytes(std::string_view data, bool little_endian) : data_(data), little_(little_endian) {}
    bool Has(std::uint64_t at, std::uint64_t count) const {
        return at <= data_.size() && count <= data_.size() - at;
    }
    std::uint64_t Read(std::uint64_t at, std::size_t width) const {
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < width; ++i) {
            const std::size_t index = little_ ? width - 1 - i : i;
            value = (value << 8) | static_cast<unsigned char>(data_[at + index]);
        }
        return value;
    }
    std::uint32_t U8(std::uint64_t at) const { return static_cast<unsigned char>(data_[at]); }
    std::uint32_t U16(std::uint64_t at) const { return static_cast<std::uint32_t>(Read(at, 2)); }
    std::uint32_t U32(std::uint64_t at) const { return static_cast<std::uint32_t>(Read(at, 4)); }
    std::uint64_t U64(std::uint64_t at) const { return Read(at, 8); }
    std::string_view View(std::uint64_t at, std::uint64_t count) const {
        return data_.substr(at, count);
    }
    std::uint64_t size() const { return data_.size(); }

private:
    std::string_view data_;
    bool little_;
};

HeaderProbe Undecided(std::string why) {
    HeaderProbe probe;
    probe.outcome = Outcome::kUndecided;
    probe.why = std::move(why);
    return probe;
}

HeaderProbe Decided(std::uint64_t width, std::uint64_t height, bool swap, const char* format,
                    std::int64_t file_size) {
    HeaderProbe probe;
    probe.outcome = Outcome::kDecided;
    probe.info.width = static_cast<int>(swap ? height : width);
    probe.info.height = static_cast<int>(swap ? width : height);
    probe.info.format = format;
    probe.info.size_bytes = file_size;
    return probe;
}

// The header goes on past the bytes held: ask for them (with some read-ahead, so that a chain
// of segments is not read a few bytes at a time), unless the file itself ends first.
HeaderProbe NeedBytes(std::uint64_t end, std::uint64_t held, std::int64_t file_size) {
    const auto size = static_cast<std::uint64_t>(file_size);
    if (held >= size || end > size) {
        return Undecided("the header runs past the end of the file");
    }
    if (end > static_cast<std::uint64_t>(kMaxHeaderProbeBytes)) {
        return Undecided("the header is larger than the probe reads");
    }
    constexpr std::uint64_t kReadAhead = 4096;
    HeaderProbe probe;
    probe.outcome = Outcome::kNeedMore;
    probe.bytes_needed =
        static_cast<std::int64_t>(std::min({size, static_cast<std::uint64_t>(kMaxHeaderProbeBytes),
                                            std::max(end + kReadAhead, 2 * held)}));
    return probe;
}

// ---- JPEG: markers up to the first scan, as libjpeg's jpeg_read_header reads them ----------

struct JpegHeader {
    bool saw_sof = false;
    std::uint64_t width = 0, height = 0;
    std::array<std::uint32_t, 4> component_ids{};
    std::uint32_t components = 0;
    int exif_segments = 0;
    std::uint32_t orientation = 1;
};

// "" when fine, else why the decoder should judge it.
std::string ParseSof(const Bytes& b, std::uint64_t body, std::uint64_t length, JpegHeader& h) {
    if (h.saw_sof) {
        return "JPEG with two frame headers";
    }
    if (length < 6) {
        return "JPEG frame header too short";
    }
    const std::uint32_t precision = b.U8(body);
    h.height = b.U16(body + 1);
    h.width = b.U16(body + 3);
    h.components = b.U8(body + 5);
    if (precision != 8) {
        return "JPEG of " + std::to_string(precision) + " bits a sample";
    }
    if (h.width == 0 || h.height == 0 || h.width > kMaxJpegSide || h.height > kMaxJpegSide) {
        return "JPEG frame size out of range";
    }
    if (h.components != 1 && h.components != 3 && h.components != 4) {
        return "JPEG with " + std::to_string(h.components) + " components";
    }
    if (length != 6 + 3 * std::uint64_t{h.components}) {
        return "JPEG frame header length does not match its components";
    }
    for (std::uint32_t i = 0; i < h.components; ++i) {
        const std::uint64_t at = body + 6 + 3 * std::uint64_t{i};
        const std::uint32_t id = b.U8(at);
        const std::uint32_t sampling = b.U8(at + 1);
        const std::uint32_t hs = sampling >> 4;
        const std::uint32_t vs = sampling & 0x0F;
        if (hs < 1 || hs > 4 || vs < 1 || vs > 4) {
            return "JPEG sampling factors out of range";
        }
        if (std::find(h.component_ids.begin(), h.component_ids.begin() + i, id) !=
            h.component_ids.begin() + i) {
            return "JPEG with repeated component ids";
        }
        h.component_ids.at(i) = id;
    }
    h.saw_sof = true;
    return "";
}

std::string ParseSos(const Bytes& b, std::uint64_t body, std::uint64_t length,
                     const JpegHeader& h) {
    if (!h.saw_sof || length < 1) {
        return "JPEG scan before its frame header";
    }
    const std::uint32_t n = b.U8(body);
    if (n < 1 || n > 4 || length != 4 + 2 * std::uint64_t{n}) {
        return "JPEG scan header length does not match its components";
    }
    std::array<std::uint32_t, 4> seen{};
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t id = b.U8(body + 1 + 2 * std::uint64_t{i});
        const auto* end = h.component_ids.begin() + h.components;
        if (std::find(h.component_ids.begin(), end, id) == end ||
            std::find(seen.begin(), seen.begin() + i, id) != seen.begin() + i) {
            return "JPEG scan names an unknown component";
        }
        seen.at(i) = id;
    }
    return "";
}

std::string ParseDht(const Bytes& b, std::uint64_t body, std::uint64_t length) {
    std::uint64_t at = body;
    std::uint64_t left = length;
    while (left > 0) {
        if (left < 17) {
            return "JPEG Huffman table cut short";
        }
        const std::uint32_t index = b.U8(at);
        if ((index & 0x0F) > 3 || (index >> 4) > 1) {
            return "JPEG Huffman table index out of range";
        }
        std::uint64_t count = 0;
        for (int i = 1; i <= 16; ++i) {
            count += b.U8(at + static_cast<std::uint64_t>(i));
        }
        if (count > 256 || count > left - 17) {
            return "JPEG Huffman table too long";
        }
        at += 17 + count;
        left -= 17 + count;
    }
    return "";
}

std::string ParseDqt(const Bytes& b, std::uint64_t body, std::uint64_t length) {
    std::uint64_t at = body;
    std::uint64_t left = length;
    while (left > 0) {
        const std::uint32_t spec = b.U8(at);
        if ((spec & 0x0F) > 3 || (spec >> 4) > 1) {
            return "JPEG quantization table index out of range";
        }
        const std::uint64_t size = 1 + 64 * ((spec >> 4) == 1 ? 2 : 1);
        if (left < size) {
            return "JPEG quantization table cut short";
        }
        at += size;
        left -= size;
    }
    return "";
}

// The orientation libvips takes from EXIF: IFD0's Orientation (tag 0x112). `tiff` is the TIFF
// structure after "Exif\0\0".
std::string ParseExifOrientation(const Bytes& segment, std::uint64_t tiff, std::uint64_t length,
                                 JpegHeader& h) {
    if (length < 8) {
        return "EXIF too short";
    }
    const std::string_view order = segment.View(tiff, 2);
    if (order != "II" && order != "MM") {
        return "EXIF byte order unknown";
    }
    const Bytes b(segment.View(tiff, length), order == "II");
    if (b.U16(2) != 42) {
        return "EXIF without the TIFF magic number";
    }
    const std::uint64_t ifd = b.U32(4);
    if (!b.Has(ifd, 2)) {
        return "EXIF directory outside the segment";
    }
    const std::uint64_t entries = b.U16(ifd);
    if (!b.Has(ifd + 2, 12 * entries)) {
        return "EXIF directory runs past the segment";
    }
    bool found = false;
    for (std::uint64_t i = 0; i < entries; ++i) {
        const std::uint64_t at = ifd + 2 + 12 * i;
        if (b.U16(at) != 0x0112) {
            continue;
        }
        const std::uint32_t type = b.U16(at + 2);
        if (found || b.U32(at + 4) != 1 || (type != 3 && type != 4)) {
            return "EXIF orientation of an unusual form";
        }
        found = true;
        h.orientation = type == 3 ? b.U16(at + 8) : b.U32(at + 8);
        if (h.orientation < 1 || h.orientation > 8) {
            return "EXIF orientation out of range";
        }
    }
    return "";
}

std::string ParseApp1(const Bytes& b, std::uint64_t body, std::uint64_t length, JpegHeader& h) {
    // libvips takes any APP1 starting "Exif" as EXIF, the last one if several.
    if (length <= 4 || b.View(body, 4) != "Exif") {
        return "";
    }
    if (++h.exif_segments > 1) {
        return "JPEG with several EXIF segments";
    }
    if (length < 6 || b.View(body, 6) != std::string_view("Exif\0\0", 6)) {
        return "EXIF without its standard header";
    }
    return ParseExifOrientation(b, body + 6, length - 6, h);
}

bool IsDecodedSof(std::uint32_t marker) {
    // Baseline, extended, progressive; the same with arithmetic coding.
    return marker == 0xC0 || marker == 0xC1 || marker == 0xC2 || marker == 0xC9 || marker == 0xCA;
}

HeaderProbe ProbeJpeg(std::string_view prefix, std::int64_t file_size) {
    const Bytes b(prefix, false);
    JpegHeader h;
    std::uint64_t pos = 2;
    for (;;) {
        if (!b.Has(pos, 2)) {
            return NeedBytes(pos + 2, b.size(), file_size);
        }
        if (b.U8(pos) != 0xFF) {
            return Undecided("JPEG with stray bytes between markers");
        }
        const std::uint32_t marker = b.U8(pos + 1);
        if (marker == 0xFF) {  // fill byte
            ++pos;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
            pos += 2;
            continue;
        }
        // libjpeg skips APPn, COM and DNL; it refuses every other marker not handled below.
        const bool skipped = (marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE || marker == 0xDC;
        if (!skipped && !IsDecodedSof(marker) && marker != 0xC4 && marker != 0xDB &&
            marker != 0xDD && marker != 0xDA) {
            return Undecided("JPEG marker the decoder must judge");
        }
        if (!b.Has(pos + 2, 2)) {
            return NeedBytes(pos + 4, b.size(), file_size);
        }
        const std::uint64_t length = b.U16(pos + 2);
        if (length < 2) {
            return Undecided("JPEG segment length too short");
        }
        const std::uint64_t body = pos + 4;
        const std::uint64_t body_length = length - 2;
        const std::uint64_t end = pos + 2 + length;
        const bool read_body = IsDecodedSof(marker) || marker == 0xC4 || marker == 0xDB ||
                               marker == 0xDD || marker == 0xDA || marker == 0xE1;
        if (read_body && !b.Has(body, body_length)) {
            return NeedBytes(end, b.size(), file_size);
        }
        std::string problem;
        if (IsDecodedSof(marker)) {
            problem = ParseSof(b, body, body_length, h);
        } else if (marker == 0xC4) {
            problem = ParseDht(b, body, body_length);
        } else if (marker == 0xDB) {
            problem = ParseDqt(b, body, body_length);
        } else if (marker == 0xDD) {
            problem = body_length == 2 ? "" : "JPEG restart interval of the wrong length";
        } else if (marker == 0xE1) {
            problem = ParseApp1(b, body, body_length, h);
        } else if (marker == 0xDA) {
            problem = ParseSos(b, body, body_length, h);
            if (problem.empty()) {
                return Decided(h.width, h.height, h.orientation >= 5, "jpeg", file_size);
            }
        }
        if (!problem.empty()) {
            return Undecided(std::move(problem));
        }
        pos = end;
    }
}

// ---- PNG: IHDR, then the chunks up to the first IDAT, as libpng's png_read_info ----------

constexpr std::array<std::uint32_t, 256> MakeCrcTable() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) {
            c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
        }
        table.at(n) = c;
    }
    return table;
}

std::uint32_t Crc32(std::string_view bytes) {
    static constexpr std::array<std::uint32_t, 256> kTable = MakeCrcTable();
    std::uint32_t c = 0xFFFFFFFFU;
    for (char ch : bytes) {
        c = kTable.at((c ^ static_cast<unsigned char>(ch)) & 0xFFU) ^ (c >> 8);
    }
    return c ^ 0xFFFFFFFFU;
}

// The chunk at `at` (length, type, data, CRC) is all held: does its CRC match?
bool CrcMatches(const Bytes& b, std::uint64_t at, std::uint64_t length) {
    return Crc32(b.View(at + 4, 4 + length)) == b.U32(at + 8 + length);
}

bool ValidPngDepth(std::uint32_t color_type, std::uint32_t depth) {
    switch (color_type) {
        case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
        case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
        case 2:
        case 4:
        case 6: return depth == 8 || depth == 16;
        default: return false;
    }
}

bool IsLetter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

HeaderProbe ProbePng(std::string_view prefix, std::int64_t file_size) {
    const Bytes b(prefix, false);
    constexpr std::uint64_t kIhdrEnd = 8 + 8 + 13 + 4;
    if (!b.Has(0, kIhdrEnd)) {
        return NeedBytes(kIhdrEnd, b.size(), file_size);
    }
    if (b.U32(8) != 13 || b.View(12, 4) != "IHDR" || !CrcMatches(b, 8, 13)) {
        return Undecided("PNG without a sound IHDR first");
    }
    const std::uint64_t width = b.U32(16);
    const std::uint64_t height = b.U32(20);
    const std::uint32_t depth = b.U8(24);
    const std::uint32_t color_type = b.U8(25);
    if (width == 0 || height == 0 || width > kMaxSide || height > kMaxSide) {
        return Undecided("PNG size out of range");
    }
    if (!ValidPngDepth(color_type, depth) || b.U8(26) != 0 || b.U8(27) != 0 || b.U8(28) > 1) {
        return Undecided("PNG header with invalid fields");
    }
    bool saw_palette = false;
    std::uint64_t pos = kIhdrEnd;
    for (;;) {
        if (!b.Has(pos, 8)) {
            return NeedBytes(pos + 8, b.size(), file_size);
        }
        const std::uint64_t length = b.U32(pos);
        const std::string_view type = b.View(pos + 4, 4);
        if (length > 0x7FFFFFFFU || !std::all_of(type.begin(), type.end(), IsLetter)) {
            return Undecided("PNG chunk with an invalid length or name");
        }
        if (type == "IDAT") {
            if (color_type == 3 && !saw_palette) {
                return Undecided("palette PNG without a palette");
            }
            return Decided(width, height, false, "png", file_size);
        }
        if (type == "eXIf") {
            return Undecided("PNG with EXIF, which may turn it");
        }
        if (type == "PLTE") {
            if (!b.Has(pos, 12 + length)) {
                return NeedBytes(pos + 12 + length, b.size(), file_size);
            }
            const std::uint64_t entries = length / 3;
            if (saw_palette || color_type == 0 || color_type == 4 || !CrcMatches(b, pos, length) ||
                length % 3 != 0 || entries == 0 || entries > 256 ||
                (color_type == 3 && entries > (std::uint64_t{1} << depth))) {
                return Undecided("PNG palette the decoder must judge");
            }
            saw_palette = true;
        } else if (type[0] >= 'A' && type[0] <= 'Z') {  // critical: IHDR again, IEND, unknown
            return Undecided("PNG critical chunk out of place");
        }
        pos += 12 + length;
    }
}

// ---- BMP: file header and DIB header; the pixels must all be in the file -----------------

HeaderProbe ProbeBmp(std::string_view prefix, std::int64_t file_size) {
    const Bytes b(prefix, true);
    if (!b.Has(0, 18)) {
        return NeedBytes(18, b.size(), file_size);
    }
    const std::uint64_t dib = b.U32(14);
    const bool core = dib == 12;
    if (!core && dib != 40 && dib != 52 && dib != 56 && dib != 108 && dib != 124) {
        return Undecided("BMP header of an unusual size");
    }
    if (!b.Has(0, 14 + dib)) {
        return NeedBytes(14 + dib, b.size(), file_size);
    }
    std::int64_t width = 0, height = 0;
    std::uint32_t planes = 0, bits = 0, compression = 0, colors = 0, important = 0;
    if (core) {
        width = b.U16(18);
        height = b.U16(20);
        planes = b.U16(22);
        bits = b.U16(24);
    } else {
        width = static_cast<std::int32_t>(b.U32(18));
        height = static_cast<std::int32_t>(b.U32(22));
        planes = b.U16(26);
        bits = b.U16(28);
        compression = b.U32(30);
        colors = b.U32(46);
        important = b.U32(50);
    }
    height = height < 0 ? -height : height;
    const bool known_bits =
        bits == 1 || bits == 4 || bits == 8 || bits == 24 || (!core && (bits == 16 || bits == 32));
    const bool known_compression =
        compression == 0 || (compression == 3 && (bits == 16 || bits == 32));
    if (width <= 0 || height == 0 || planes != 1 || !known_bits || !known_compression) {
        return Undecided("BMP layout the decoder must judge");
    }
    const std::uint64_t max_colors = bits <= 8 ? std::uint64_t{1} << bits : 0;
    if (colors > max_colors || important > std::max<std::uint64_t>(colors, max_colors)) {
        return Undecided("BMP palette size out of range");
    }
    if (width * height > blobs_internal::kMaxBmpPixels ||
        file_size > blobs_internal::kMaxBmpBytes) {
        return Undecided("BMP over the size limits");  // the decoder's check names the limit
    }
    const std::uint64_t palette = (colors != 0 ? colors : max_colors) * (core ? 3 : 4) +
                                  (compression == 3 && dib == 40 ? 12 : 0);
    const std::uint64_t offset = b.U32(10);
    const auto row = ((static_cast<std::uint64_t>(width) * bits + 31) / 32) * 4;
    const std::uint64_t pixels = row * static_cast<std::uint64_t>(height);
    const auto size = static_cast<std::uint64_t>(file_size);
    if (offset < 14 + dib + palette || offset > size || pixels > size - offset || b.U32(2) > size) {
        return Undecided("BMP pixels not where its header says");
    }
    return Decided(static_cast<std::uint64_t>(width), static_cast<std::uint64_t>(height), false,
                   "bmp", file_size);
}

// ---- TIFF: the first directory, classic or BigTIFF --------------------------------------

struct TiffEntry {
    std::uint32_t type = 0;
    std::uint64_t count = 0;
    std::uint64_t value_at = 0;  // where the values are: in the entry, or at its offset
};

std::uint64_t TiffTypeSize(std::uint32_t type) {
    switch (type) {
        case 1:
        case 2:
        case 6:
        case 7: return 1;
        case 3:
        case 8: return 2;
        case 4:
        case 9:
        case 11:
        case 13: return 4;
        case 5:
        case 10:
        case 12:
        case 16:
        case 17:
        case 18: return 8;
        default: return 0;
    }
}

class TiffReader {
public:
    TiffReader(std::string_view prefix, std::int64_t file_size, bool little, bool big)
        : b_(prefix, little), file_size_(static_cast<std::uint64_t>(file_size)), big_(big) {}

    HeaderProbe Probe(std::int64_t file_size);

private:
    // Value `index` of an unsigned SHORT/LONG/LONG8 entry; nullopt with why_ or need_ set.
    std::optional<std::uint64_t> Value(const TiffEntry& e, std::uint64_t index);
    std::optional<std::uint64_t> Single(std::uint32_t tag, std::uint64_t fallback);
    const TiffEntry* Find(std::uint32_t tag) const;
    std::string CheckLayout();

    Bytes b_;
    std::uint64_t file_size_;
    bool big_;
    std::vector<std::pair<std::uint32_t, TiffEntry>> entries_;
    std::string why_;
    std::uint64_t need_ = 0;
};

const TiffEntry* TiffReader::Find(std::uint32_t tag) const {
    for (const auto& [t, e] : entries_) {
        if (t == tag) {
            return &e;
        }
    }
    return nullptr;
}

std::optional<std::uint64_t> TiffReader::Value(const TiffEntry& e, std::uint64_t index) {
    const std::uint64_t size = TiffTypeSize(e.type);
    if ((e.type != 3 && e.type != 4 && e.type != 16) || index >= e.count) {
        why_ = "TIFF tag of an unusual type";
        return std::nullopt;
    }
    const std::uint64_t at = e.value_at + index * size;
    if (!b_.Has(at, size)) {
        need_ = at + size;
        return std::nullopt;
    }
    return b_.Read(at, static_cast<std::size_t>(size));
}

std::optional<std::uint64_t> TiffReader::Single(std::uint32_t tag, std::uint64_t fallback) {
    const TiffEntry* e = Find(tag);
    if (e == nullptr) {
        return fallback;
    }
    if (e->count != 1) {
        why_ = "TIFF tag " + std::to_string(tag) + " with several values";
        return std::nullopt;
    }
    return Value(*e, 0);
}

HeaderProbe TiffReader::Probe(std::int64_t file_size) {
    const std::uint64_t header = big_ ? 16 : 8;
    const std::uint64_t word = big_ ? 8 : 4;
    const std::uint64_t entry_size = big_ ? 20 : 12;
    if (!b_.Has(0, header)) {
        return NeedBytes(header, b_.size(), file_size);
    }
    if (big_ && (b_.U16(4) != 8 || b_.U16(6) != 0)) {
        return Undecided("BigTIFF header with an unusual offset size");
    }
    const std::uint64_t ifd = big_ ? b_.U64(8) : b_.U32(4);
    if (ifd < header || ifd >= file_size_) {
        return Undecided("TIFF directory offset out of range");
    }
    const std::uint64_t count_size = big_ ? 8 : 2;
    if (!b_.Has(ifd, count_size)) {
        return NeedBytes(ifd + count_size, b_.size(), file_size);
    }
    const std::uint64_t count = big_ ? b_.U64(ifd) : b_.U16(ifd);
    constexpr std::uint64_t kMaxEntries = 4096;
    if (count == 0 || count > kMaxEntries) {
        return Undecided("TIFF directory with an unusual number of entries");
    }
    if (!b_.Has(ifd + count_size, count * entry_size)) {
        return NeedBytes(ifd + count_size + count * entry_size, b_.size(), file_size);
    }
    std::uint32_t last_tag = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t at = ifd + count_size + i * entry_size;
        const std::uint32_t tag = b_.U16(at);
        TiffEntry e;
        e.type = b_.U16(at + 2);
        e.count = big_ ? b_.U64(at + 4) : b_.U32(at + 4);
        const std::uint64_t size = TiffTypeSize(e.type);
        if ((i > 0 && tag <= last_tag) || size == 0 || e.count == 0 ||
            e.count > file_size_ / size) {
            return Undecided("TIFF directory entries the decoder must judge");
        }
        last_tag = tag;
        e.value_at = at + 4 + word;
        if (e.count * size > word) {
            e.value_at = big_ ? b_.U64(e.value_at) : b_.U32(e.value_at);
            if (e.value_at > file_size_ || e.count * size > file_size_ - e.value_at) {
                return Undecided("TIFF tag values past the end of the file");
            }
        }
        entries_.emplace_back(tag, e);
    }
    const std::optional<std::uint64_t> width = Single(256, 0);
    const std::optional<std::uint64_t> height = width ? Single(257, 0) : std::nullopt;
    const std::optional<std::uint64_t> orientation = height ? Single(274, 1) : std::nullopt;
    std::string layout = orientation ? CheckLayout() : "";
    if (need_ != 0) {
        return NeedBytes(need_, b_.size(), file_size);
    }
    if (!why_.empty() || !layout.empty()) {
        return Undecided(!why_.empty() ? why_ : layout);
    }
    // Each nullopt above set why_ or need_; an unset tag reads as 0, out of range, all the same.
    const std::uint64_t w = width.value_or(0);
    const std::uint64_t h = height.value_or(0);
    const std::uint64_t turn = orientation.value_or(0);
    if (w == 0 || h == 0 || w > kMaxSide || h > kMaxSide) {
        return Undecided("TIFF size out of range");
    }
    if (turn < 1 || turn > 8) {
        return Undecided("TIFF orientation out of range");
    }
    return Decided(w, h, turn >= 5, "tiff", file_size);
}

// The common layouts libvips reads plainly: grey, palette or RGB(A), 1 to 16 bits, strips or
// tiles, uncompressed, LZW, deflate or PackBits. Anything else ("" when fine) goes to libtiff.
std::string TiffReader::CheckLayout() {
    const auto spp = Single(277, 1);
    const auto photometric = spp ? Single(262, 99) : std::nullopt;
    const auto compression = photometric ? Single(259, 1) : std::nullopt;
    const auto planar = compression ? Single(284, 1) : std::nullopt;
    if (!planar) {
        return "";
    }
    std::uint64_t bits = 1;
    if (const TiffEntry* e = Find(258)) {
        if (e->count != 1 && e->count != *spp) {
            return "TIFF BitsPerSample count does not match SamplesPerPixel";
        }
        for (std::uint64_t i = 0; i < e->count; ++i) {
            const auto v = Value(*e, i);
            if (!v) {
                return "";
            }
            if (i > 0 && *v != bits) {
                return "TIFF with samples of different sizes";
            }
            bits = *v;
        }
    }
    if (const TiffEntry* e = Find(339)) {
        for (std::uint64_t i = 0; i < e->count && i < 8; ++i) {
            const auto v = Value(*e, i);
            if (!v) {
                return "";
            }
            if (*v != 1) {
                return "TIFF samples that are not unsigned integers";
            }
        }
    }
    const std::uint64_t c = *compression;
    if (c != 1 && c != 5 && c != 8 && c != 32946 && c != 32773) {
        return "TIFF compression the decoder must judge";
    }
    if (*planar != 1) {
        return "TIFF with separate planes";
    }
    const std::uint64_t p = *photometric;
    const std::uint64_t s = *spp;
    const bool grey = (p == 0 || p == 1) && ((s == 1 && (bits == 1 || bits == 8 || bits == 16)) ||
                                             (s == 2 && (bits == 8 || bits == 16)));
    const bool rgb = p == 2 && (s == 3 || s == 4) && (bits == 8 || bits == 16);
    const bool palette = p == 3 && s == 1 && (bits == 1 || bits == 2 || bits == 4 || bits == 8) &&
                         Find(320) != nullptr;
    if (!grey && !rgb && !palette) {
        return "TIFF colour layout the decoder must judge";
    }
    const bool strips = Find(273) != nullptr && Find(279) != nullptr;
    const bool tiles = Find(324) != nullptr && Find(325) != nullptr;
    if (strips == tiles) {
        return "TIFF without a plain strip or tile layout";
    }
    if (tiles) {
        const auto tw = Single(322, 0);
        const auto th = tw ? Single(323, 0) : std::nullopt;
        if (!th) {
            return "";
        }
        if (*tw == 0 || *th == 0 || *tw % 16 != 0 || *th % 16 != 0) {
            return "TIFF tile size out of range";
        }
    }
    return "";
}

}  // namespace

HeaderProbe ProbeHeader(std::string_view prefix, std::int64_t file_size) {
    if (file_size <= 0 || static_cast<std::uint64_t>(file_size) < prefix.size()) {
        return Undecided("the file is empty or shorter than its prefix");
    }
    // The same order as SniffFormat: "BM" first, then what libvips' loaders recognise.
    if (prefix.size() < 8 && prefix.size() < static_cast<std::uint64_t>(file_size)) {
        return NeedBytes(8, prefix.size(), file_size);
    }
    if (prefix.starts_with("BM")) {
        return ProbeBmp(prefix, file_size);
    }
    if (prefix.starts_with("\xFF\xD8")) {
        return ProbeJpeg(prefix, file_size);
    }
    if (prefix.starts_with("\x89PNG\r\n\x1A\n")) {
        return ProbePng(prefix, file_size);
    }
    if (prefix.starts_with(std::string_view("II*\0", 4)) ||
        prefix.starts_with(std::string_view("MM\0*", 4))) {
        return TiffReader(prefix, file_size, prefix[0] == 'I', false).Probe(file_size);
    }
    if (prefix.starts_with(std::string_view("II+\0", 4)) ||
        prefix.starts_with(std::string_view("MM\0+", 4))) {
        return TiffReader(prefix, file_size, prefix[0] == 'I', true).Probe(file_size);
    }
    return Undecided("not a JPEG, PNG, BMP or TIFF header");
}

}  // namespace tessera
