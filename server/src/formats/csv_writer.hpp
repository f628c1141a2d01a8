#pragma once
// CSV export (docs/formats/csv.md): RFC 4180, CRLF line ends, header
// image_url,label,labeler,labeled_at. Multi-label answers join their labels with ',' inside one
// quoted field.
#include <string>
#include <string_view>

#include "base/byte_sink.hpp"
#include "formats/export_record.hpp"

namespace tessera {

// Quotes the field when it holds a comma, quote, CR or LF (quotes doubled); else as is.
std::string CsvField(std::string_view value);
// The same, appended to `out`.
void AppendCsvField(std::string& out, std::string_view value);

class CsvWriter {
public:
    explicit CsvWriter(ByteSink& out) : out_(out) {}
    Status WriteHeader();
    Status WriteRecord(const ExportRecord& record);

private:
    ByteSink& out_;
    std::string labels_;  // reused per record
    std::string line_;    // reused per record: one Write per line
};

}  // namespace tessera
