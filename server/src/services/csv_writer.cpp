#include "services/csv_writer.hpp"

namespace tessera {

std::string CsvField(std::string_view value) {
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string(value);
    }
    std::string out = "\"";
    for (char c : value) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
    return out;
}

Status CsvWriter::WriteHeader() {
    return out_.Write("image_url,label,labeler,labeled_at\r\n");
}

Status CsvWriter::WriteRecord(const ExportRecord& record) {
    std::string labels;
    for (const auto& label : record.labels) {
        labels += (labels.empty() ? "" : ",") + label;
    }
    std::string line = CsvField(record.image_url) + "," + CsvField(labels) + "," +
                       CsvField(record.labeler) + "," + CsvField(record.labeled_at) + "\r\n";
    return out_.Write(line);
}

}  // namespace tessera
