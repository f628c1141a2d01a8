#include "formats/jsonl_writer.hpp"

#include <array>
#include <charconv>
#include <cstdint>

namespace tessera {
namespace {

constexpr std::uint8_t kUtf8Accept = 0;
constexpr std::uint8_t kUtf8Reject = 1;

// Bjoern Hoehrmann's UTF-8 DFA (http://bjoern.hoehrmann.de/utf-8/decoder/dfa/), the table
// nlohmann's serializer uses, so overlong forms, surrogates and code points past U+10FFFF are
// rejected exactly where it rejects them.
constexpr std::array<std::uint8_t, 400> kUtf8Dfa = {
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,  // 00..1F
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,  // 20..3F
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,  // 40..5F
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,  // 60..7F
    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    9,   9,   9,   9,   9,   9,   9,   9,   9,   9,   9,   9,   9,   9,   9,   9,  // 80..9F
    7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,
    7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,   7,  // A0..BF
    8,   8,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,
    2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,    // C0..DF
    0xA, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x4, 0x3, 0x3,  // E0..EF
    0xB, 0x6, 0x6, 0x6, 0x5, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8,  // F0..FF
    0x0, 0x1, 0x2, 0x3, 0x5, 0x8, 0x7, 0x1, 0x1, 0x1, 0x4, 0x6, 0x1, 0x1, 0x1, 0x1,  // s0..s0
    1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
    1,   0,   1,   1,   1,   1,   1,   0,   1,   0,   1,   1,   1,   1,   1,   1,  // s1..s2
    1,   2,   1,   1,   1,   1,   1,   2,   1,   2,   1,   1,   1,   1,   1,   1,
    1,   1,   1,   1,   1,   1,   1,   2,   1,   1,   1,   1,   1,   1,   1,   1,  // s3..s4
    1,   2,   1,   1,   1,   1,   1,   1,   1,   2,   1,   1,   1,   1,   1,   1,
    1,   1,   1,   1,   1,   1,   1,   3,   1,   3,   1,   1,   1,   1,   1,   1,  // s5..s6
    1,   3,   1,   1,   1,   1,   1,   3,   1,   3,   1,   1,   1,   1,   1,   1,
    1,   3,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,  // s7..s8
};

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::uint8_t Utf8Step(std::uint8_t state, unsigned char byte) {
    return kUtf8Dfa[256u + state * 16u + kUtf8Dfa[byte]];
}

// True for the ASCII bytes that go out as they are.
bool Plain(unsigned char c) {
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void AppendEscapedAscii(std::string& out, unsigned char c) {
    switch (c) {
        case '"': out += "\\\""; return;
        case '\\': out += "\\\\"; return;
        case '\b': out += "\\b"; return;
        case '\t': out += "\\t"; return;
        case '\n': out += "\\n"; return;
        case '\f': out += "\\f"; return;
        case '\r': out += "\\r"; return;
        default: break;
    }
    constexpr char kHex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
    out.append(esc, sizeof esc);
}

void AppendInt(std::string& out, int value) {
    char buf[16];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, end);
}

void AppendKey(std::string& out, std::string_view quoted_key_and_colon) {
    out.append(quoted_key_and_colon);
}

void AppendLine(std::string& out, const ExportRecord& record) {
    AppendKey(out, "{\"image_url\":");
    AppendJsonString(out, record.image_url);
    AppendKey(out, ",\"label\":");
    if (record.multi_label) {
        out += '[';
        for (std::size_t i = 0; i < record.labels.size(); ++i) {
            if (i > 0) {
                out += ',';
            }
            AppendJsonString(out, record.labels[i]);
        }
        out += ']';
    } else {
        AppendJsonString(out, record.labels.empty() ? std::string_view() : record.labels.front());
    }
    AppendKey(out, ",\"image_details\":{\"format\":");
    AppendJsonString(out, record.image_format);
    AppendKey(out, ",\"width\":");
    AppendInt(out, record.width);
    AppendKey(out, ",\"height\":");
    AppendInt(out, record.height);
    AppendKey(out, "},\"labeler\":");
    AppendJsonString(out, record.labeler);
    AppendKey(out, ",\"labeled_at\":");
    AppendJsonString(out, record.labeled_at);
    out += '}';
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
    out += '"';
    const std::size_t n = value.size();
    std::size_t i = 0;
    while (i < n) {
        std::size_t run = i;
        while (run < n && Plain(static_cast<unsigned char>(value[run]))) {
            ++run;
        }
        out.append(value.data() + i, run - i);
        i = run;
        if (i == n) {
            break;
        }
        auto c = static_cast<unsigned char>(value[i]);
        if (c < 0x80) {
            AppendEscapedAscii(out, c);
            ++i;
            continue;
        }
        // A multi-byte sequence: copy it when the DFA accepts it. On a reject, drop what was
        // read of it and write U+FFFD; the rejecting byte is read again as the start of the
        // next sequence unless it was the first byte (as nlohmann does).
        const std::size_t start = i;
        std::uint8_t state = kUtf8Accept;
        for (;;) {
            if (i == n) {  // the string ends inside a sequence
                out.append(kReplacement);
                break;
            }
            state = Utf8Step(state, static_cast<unsigned char>(value[i]));
            if (state == kUtf8Accept) {
                ++i;
                out.append(value.data() + start, i - start);
                break;
            }
            if (state == kUtf8Reject) {
                if (i == start) {
                    ++i;
                }
                out.append(kReplacement);
                break;
            }
            ++i;
        }
    }
    out += '"';
}

std::string JsonlLine(const ExportRecord& record) {
    std::string line;
    line.reserve(256);
    AppendLine(line, record);
    return line;
}

Status JsonlWriter::WriteRecord(const ExportRecord& record) {
    line_.clear();
    AppendLine(line_, record);
    line_ += '\n';
    return out_.Write(line_);
}

}  // namespace tessera
