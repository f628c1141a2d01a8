#include "services/jsonl_writer.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

std::string JsonlLine(const ExportRecord& record) {
    nlohmann::ordered_json line;
    line["image_url"] = record.image_url;
    if (record.multi_label) {
        line["label"] = record.labels;
    } else {
        line["label"] = record.labels.empty() ? std::string() : record.labels.front();
    }
    line["image_details"] = {
        {"format", record.image_format}, {"width", record.width}, {"height", record.height}};
    line["labeler"] = record.labeler;
    line["labeled_at"] = record.labeled_at;
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Status JsonlWriter::WriteRecord(const ExportRecord& record) {
    return out_.Write(JsonlLine(record) + "\n");
}

}  // namespace tessera
