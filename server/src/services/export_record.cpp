#include "services/export_record.hpp"

#include <cstdio>
#include <ctime>

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
    if (!root.empty() && root.back() == '/') {
        return root + relative;
    }
    return root + "/" + relative;
}

}  // namespace

std::string FormatIsoUtc(TimeMs ms) {
    TimeMs secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int millis = static_cast<int>(ms - secs * 1000);
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

Result<ExportRecord> MakeExportRecord(const Project& project, const ExportRow& row) {
    auto labels = ParseClassificationPayload(row.annotation.payload_json);
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
