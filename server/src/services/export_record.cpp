#include "services/export_record.hpp"

#include <cstdio>
#include <ctime>
#include <optional>
#include <string_view>

#include "domain/classification.hpp"

namespace tessera {
namespace {

std::string AutoMlFormat(const std::string& format) {
    if (format == "jpeg") {
        return "jpg";
    }
    return format;
}

std::string JoinPath(const std::string& root, const std::string& relative) {
    std::string joined;
    joined.reserve(root.size() + 1 + relative.size());
    joined += root;
    if (root.empty() || root.back() != '/') {
        joined += '/';
    }
    joined += relative;
    return joined;
}

bool IsJsonSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The canonical classification payload {"labels":["A","B"]} read without building a DOM.
// Takes only the plain shape: the one key, strings of printable ASCII without escapes.
// Anything else (escapes, non-ASCII, other keys, odd nesting) gives nullopt, and the caller
// falls back to the full parser, which also decides what is malformed.
std::optional<std::vector<std::string>> ParsePlainLabels(std::string_view s) {
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < s.size() && IsJsonSpace(s[i])) {
            ++i;
        }
    };
    auto expect = [&](std::string_view token) {
        skip_space();
        if (s.substr(i, token.size()) != token) {
            return false;
        }
        i += token.size();
        return true;
    };
    if (!expect("{") || !expect("\"labels\"") || !expect(":") || !expect("[")) {
        return std::nullopt;
    }
    std::vector<std::string> labels;
    skip_space();
    if (i < s.size() && s[i] == ']') {
        ++i;
    } else {
        for (;;) {
            if (!expect("\"")) {
                return std::nullopt;
            }
            std::size_t start = i;
            while (i < s.size() && s[i] != '"') {
                auto c = static_cast<unsigned char>(s[i]);
                if (c < 0x20 || c >= 0x80 || c == '\\') {
                    return std::nullopt;
                }
                ++i;
            }
            if (i == s.size()) {
                return std::nullopt;
            }
            labels.emplace_back(s.substr(start, i - start));
            ++i;  // closing quote
            skip_space();
            if (i < s.size() && s[i] == ',') {
                ++i;
                continue;
            }
            if (i < s.size() && s[i] == ']') {
                ++i;
                break;
            }
            return std::nullopt;
        }
    }
    if (!expect("}")) {
        return std::nullopt;
    }
    skip_space();
    if (i != s.size()) {
        return std::nullopt;
    }
    return labels;
}

Result<std::vector<std::string>> ParseLabels(const std::string& payload_json) {
    if (auto plain = ParsePlainLabels(payload_json)) {
        return std::move(*plain);
    }
    return ParseClassificationPayload(payload_json);
}

void PutDigits(char* at, unsigned value, int width) {
    for (int k = width - 1; k >= 0; --k) {
        at[k] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

}  // namespace

std::string FormatIsoUtc(TimeMs ms) {
    TimeMs secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int millis = static_cast<int>(ms - secs * 1000);
    // Years 0000-9999 (what labeled_at holds): civil date from days since the epoch (Howard
    // Hinnant's days_from_civil inverse), no gmtime_r or snprintf per row.
    constexpr TimeMs kMinSecs = -62'167'219'200;  // 0000-01-01T00:00:00Z
    constexpr TimeMs kMaxSecs = 253'402'300'799;  // 9999-12-31T23:59:59Z
    if (secs >= kMinSecs && secs <= kMaxSecs) {
        TimeMs days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
        auto sod = static_cast<unsigned>(secs - days * 86400);
        TimeMs z = days + 719468;
        TimeMs era = (z >= 0 ? z : z - 146096) / 146097;
        auto doe = static_cast<unsigned>(z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned day = doy - (153 * mp + 2) / 5 + 1;
        unsigned month = mp < 10 ? mp + 3 : mp - 9;
        auto year = static_cast<unsigned>(static_cast<TimeMs>(yoe) + era * 400 + (month <= 2));
        std::string out = "0000-00-00T00:00:00.000Z";
        PutDigits(&out[0], year, 4);
        PutDigits(&out[5], month, 2);
        PutDigits(&out[8], day, 2);
        PutDigits(&out[11], sod / 3600, 2);
        PutDigits(&out[14], sod / 60 % 60, 2);
        PutDigits(&out[17], sod % 60, 2);
        PutDigits(&out[20], static_cast<unsigned>(millis), 3);
        return out;
    }
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

Result<ExportRecord> MakeExportRecord(const Project& project, const ExportRow& row) {
    auto labels = ParseLabels(row.annotation.payload_json);
    if (!labels.ok() || labels->empty()) {
        return Error::Internal("item " + std::to_string(row.item.id) +
                               " has a malformed stored answer");
    }
    ExportRecord record;
    record.image_url = JoinPath(project.datasource.path, row.item.path);
    record.multi_label = project.task_type == TaskType::kMultilabel;
    record.labels = std::move(labels).value();
    if (!record.multi_label) {
        record.labels.resize(1);
    }
    record.image_format = AutoMlFormat(row.item.format);
    record.width = row.item.width;
    record.height = row.item.height;
    record.labeler = row.author;
    record.labeled_at = FormatIsoUtc(row.annotation.updated_at);
    return record;
}

}  // namespace tessera
