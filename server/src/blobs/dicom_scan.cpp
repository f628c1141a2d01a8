#include "blobs/dicom_scan.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <optional>
#include <string_view>

#include <zlib.h>

namespace tessera::blobs_internal {
namespace {

constexpr std::uint32_t kUndefined = 0xFFFFFFFF;
constexpr int kMaxDepth = 32;
constexpr std::int64_t kPreamble = 128;

enum class Encoding { kExplicitLittle, kImplicitLittle, kExplicitBig };

// VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 7.1.2).
bool HasLongLength(std::string_view vr) {
    constexpr std::array<std::string_view, 13> kLong{"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                                     "UC", "UN", "UR", "UT", "SV", "UV"};
    for (std::string_view v : kLong) {
        if (vr == v) {
            return true;
        }
    }
    return false;
}

bool LooksLikeVr(std::string_view vr) {
    return vr.size() == 2 && std::isupper(static_cast<unsigned char>(vr[0])) != 0 &&
           std::isupper(static_cast<unsigned char>(vr[1])) != 0;
}

// The outcome of walking a list of elements: where it ended, or that it cannot be followed.
struct Walk {
    std::int64_t end = 0;
    bool followed = true;
};

class Scanner {
public:
    explicit Scanner(const DicomByteReader& read) : read_(read) {}

    // The elements from `at` to `end` (or to an item delimiter), at most `count` of them
    // (-1: no limit). Nothing in them may run past `end`.
    Result<Walk> Elements(std::int64_t at, std::int64_t end, Encoding enc, int depth,
                          int count = -1) {
        if (depth > kMaxDepth) {
            return Error::InvalidArgument("corrupt DICOM file: sequences nested over " +
                                          std::to_string(kMaxDepth) + " levels deep");
        }
        for (; at < end && count != 0; --count) {
            const std::string head = read_(at, 12);
            if (head.size() < 8) {
                return Walk{at, false};
            }
            const std::uint32_t group = U16(head, 0, enc);
            const std::uint32_t element = U16(head, 2, enc);
            if (group == 0xFFFE) {
                // An item delimiter ends the item being walked; anything else is DCMTK's to judge.
                return Walk{at + 8, element == 0xE00D};
            }
            std::int64_t header = 8;
            std::uint32_t length = 0;
            std::string_view vr;
            if (enc == Encoding::kImplicitLittle) {
                length = U32(head, 4, enc);
            } else {
                vr = std::string_view(head).substr(4, 2);
                if (!LooksLikeVr(vr)) {
                    return Walk{at, false};
                }
                if (HasLongLength(vr)) {
                    if (head.size() < 12) {
                        return Walk{at, false};
                    }
                    header = 12;
                    length = U32(head, 8, enc);
                } else {
                    length = U16(head, 6, enc);
                }
            }
            const std::int64_t value = at + header;
            if (length == kUndefined) {
                // A sequence, or encapsulated pixel data; an undefined-length UN holds
                // implicit VR little endian (PS3.5 6.2.2).
                const Encoding inner = vr == "UN" ? Encoding::kImplicitLittle : enc;
                TESSERA_ASSIGN_OR_RETURN(Walk items, Items(value, end, inner, depth + 1));
                if (!items.followed) {
                    return items;
                }
                at = items.end;
                continue;
            }
            if (length > end - value) {
                return TooLong(group, element, length);
            }
            at = value + length;
        }
        return Walk{at, true};
    }

private:
    // Items (or fragments) up to the sequence delimiter.
    Result<Walk> Items(std::int64_t at, std::int64_t end, Encoding enc, int depth) {
        while (at < end) {
            const std::string head = read_(at, 8);
            if (head.size() < 8 || U16(head, 0, enc) != 0xFFFE) {
                return Walk{at, false};
            }
            const std::uint32_t element = U16(head, 2, enc);
            const std::uint32_t length = U32(head, 4, enc);
            if (element == 0xE0DD) {
                return Walk{at + 8, true};
            }
            if (element != 0xE000) {
                return Walk{at, false};
            }
            const std::int64_t value = at + 8;
            if (length == kUndefined) {
                TESSERA_ASSIGN_OR_RETURN(Walk inner, Elements(value, end, enc, depth + 1));
                if (!inner.followed) {
                    return inner;
                }
                at = inner.end;
                continue;
            }
            if (length > end - value) {
                return TooLong(0xFFFE, 0xE000, length);
            }
            at = value + length;
        }
        return Walk{at, true};
    }

    static Error TooLong(std::uint32_t group, std::uint32_t element, std::uint32_t length) {
        std::array<char, 16> tag{};
        std::snprintf(tag.data(), tag.size(), "(%04X,%04X)", group, element);
        return Error::InvalidArgument("corrupt DICOM file: element " + std::string(tag.data()) +
                                      " states " + std::to_string(length) +
                                      " bytes, more than the rest of the file");
    }

    static std::uint32_t U16(std::string_view b, std::size_t at, Encoding enc) {
        const auto lo = static_cast<unsigned char>(b[at]);
        const auto hi = static_cast<unsigned char>(b[at + 1]);
        return enc == Encoding::kExplicitBig ? (lo << 8U) | hi : (hi << 8U) | lo;
    }

    static std::uint32_t U32(std::string_view b, std::size_t at, Encoding enc) {
        const std::uint32_t first = U16(b, at, enc);
        const std::uint32_t second = U16(b, at + 2, enc);
        return enc == Encoding::kExplicitBig ? (first << 16U) | second : (second << 16U) | first;
    }

    const DicomByteReader& read_;
};

// The dataset's encoding from the meta header's Transfer Syntax UID; nullopt for deflate and
// anything unknown (DCMTK judges those).
std::optional<Encoding> EncodingOf(std::string uid) {
    while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) {
        uid.pop_back();
    }
    if (uid == "1.2.840.10008.1.2") {
        return Encoding::kImplicitLittle;
    }
    if (uid == "1.2.840.10008.1.2.2") {
        return Encoding::kExplicitBig;
    }
    if (uid == "1.2.840.10008.1.2.1.99") {
        return std::nullopt;  // deflated: walked once inflated
    }
    return Encoding::kExplicitLittle;  // explicit little endian and every compressed syntax
}

// Walks the meta header (group 0002, always explicit VR little endian) and returns where the
// dataset starts and the transfer syntax it names.
Result<Walk> MetaHeader(const DicomByteReader& read, std::int64_t size, std::string& uid) {
    std::int64_t at = kPreamble + 4;
    while (at < size) {
        const std::string head = read(at, 12);
        if (head.size() < 8 || head[0] != 0x02 || head[1] != 0x00) {
            return Walk{at, true};
        }
        std::string_view vr = std::string_view(head).substr(4, 2);
        if (!LooksLikeVr(vr)) {
            return Walk{at, false};
        }
        Scanner one(read);
        TESSERA_ASSIGN_OR_RETURN(Walk next,
                                 one.Elements(at, size, Encoding::kExplicitLittle, 0, 1));
        if (!next.followed) {
            return next;
        }
        if (head[2] == 0x10 && head[3] == 0x00) {  // (0002,0010) Transfer Syntax UID
            const std::int64_t value = at + 8;
            uid =
                read(value, static_cast<std::size_t>(std::min<std::int64_t>(next.end - value, 64)));
        }
        at = next.end;
    }
    return Walk{at, true};
}

// Walks `data` (a whole dataset) in `first`, falling back to the other encodings as DCMTK does.
Status WalkDataset(const DicomByteReader& read, std::int64_t start, std::int64_t size,
                   Encoding first) {
    Scanner scanner(read);
    for (Encoding e :
         {first, Encoding::kImplicitLittle, Encoding::kExplicitLittle, Encoding::kExplicitBig}) {
        TESSERA_ASSIGN_OR_RETURN(Walk walk, scanner.Elements(start, size, e, 0));
        if (walk.followed) {
            return Status::Ok();
        }
    }
    return Status::Ok();  // followed by no encoding: DCMTK's to judge
}

// A deflated dataset (raw deflate after the meta header), inflated in memory to walk it: DCMTK
// loads its values as it inflates them, so their lengths are checked against the inflated
// size, which is bounded.
Result<std::string> Inflate(const DicomByteReader& read, std::int64_t at, std::int64_t size) {
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
        return Error::Internal("cannot start inflating a DICOM dataset");
    }
    std::string out;
    std::array<char, 1 << 16> buffer{};
    int rc = Z_OK;
    while (rc != Z_STREAM_END && at < size) {
        std::string in =
            read(at, static_cast<std::size_t>(std::min<std::int64_t>(size - at, 1 << 16)));
        if (in.empty()) {
            break;
        }
        at += static_cast<std::int64_t>(in.size());
        z.next_in = reinterpret_cast<Bytef*>(in.data());
        z.avail_in = static_cast<uInt>(in.size());
        do {
            z.next_out = reinterpret_cast<Bytef*>(buffer.data());
            z.avail_out = static_cast<uInt>(buffer.size());
            rc = inflate(&z, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
                inflateEnd(&z);
                return Error::InvalidArgument(
                    "corrupt DICOM file: the deflated dataset does not inflate");
            }
            out.append(buffer.data(), buffer.size() - z.avail_out);
            if (static_cast<std::int64_t>(out.size()) > kMaxInflatedDicomBytes) {
                inflateEnd(&z);
                return Error::InvalidArgument("deflated DICOM dataset inflates to over " +
                                              std::to_string(kMaxInflatedDicomBytes >> 20) +
                                              " MiB");
            }
        } while (z.avail_out == 0 && rc != Z_STREAM_END);
    }
    inflateEnd(&z);
    return out;
}

}  // namespace

Status CheckDicomLengths(const DicomByteReader& read, std::int64_t size) {
    std::int64_t start = 0;
    std::optional<Encoding> enc;
    if (read(kPreamble, 4) == "DICM") {
        std::string uid;
        TESSERA_ASSIGN_OR_RETURN(Walk meta, MetaHeader(read, size, uid));
        if (!meta.followed) {
            return Status::Ok();
        }
        start = meta.end;
        enc = EncodingOf(uid);
    } else {
        // A bare dataset: explicit VR when the first element has one, as DCMTK guesses.
        const std::string head = read(0, 6);
        if (head.size() < 6) {
            return Status::Ok();
        }
        enc = LooksLikeVr(std::string_view(head).substr(4, 2)) ? Encoding::kExplicitLittle
                                                               : Encoding::kImplicitLittle;
    }
    if (enc) {
        return WalkDataset(read, start, size, *enc);
    }
    TESSERA_ASSIGN_OR_RETURN(std::string inflated, Inflate(read, start, size));
    DicomByteReader from_memory = [&inflated](std::int64_t offset, std::size_t count) {
        if (offset < 0 || static_cast<std::size_t>(offset) >= inflated.size()) {
            return std::string();
        }
        return inflated.substr(static_cast<std::size_t>(offset), count);
    };
    return WalkDataset(from_memory, 0, static_cast<std::int64_t>(inflated.size()),
                       Encoding::kExplicitLittle);
}

}  // namespace tessera::blobs_internal
