#include "formats/csv_writer.hpp"

namespace tessera {

void AppendCsvField(std::string& out, std::string_view value) {
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(value);
        return;
    }
    out += '"';
    for (char c : value) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
}

std::string CsvField(std::string_view value) {
    std::string out;
    AppendCsvField(out, value);
    return out;
}

Status CsvWriter::WriteHeader() {
    return out_.Write("image_url,label,labeler,labeled_at\r\n");
}

Status CsvWriter::WriteRecord(const ExportRecord& record) {
    labels_.clear();
    for (const auto& label : record.labels) {
        if (!labels_.empty()) {
            labels_ += ',';
        }
        labels_ += label;
    }
    line_.clear();
    AppendCsvField(line_, record.image_url);
    line_ += ',';
    AppendCsvField(line_, labels_);
    line_ += ',';
    AppendCsvField(line_, record.labeler);
    line_ += ',';
    AppendCsvField(line_, record.labeled_at);
    line_ += "\r\n";
    return out_.Write(line_);
}

}  // namespace tessera
