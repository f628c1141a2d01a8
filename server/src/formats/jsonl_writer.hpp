#pragma once
// JSON Lines in the Azure AutoML image classification schema (docs/formats/jsonl.md): one
// object per labeled item, keys in a fixed order, "\n" after every line.
#include <string>
#include <string_view>

#include "base/byte_sink.hpp"
#include "formats/export_record.hpp"

namespace tessera {

// One line without its "\n". Bytes that are not UTF-8 (file names may hold any) become U+FFFD.
std::string JsonlLine(const ExportRecord& record);

// Appends `value` to `out` as a JSON string literal, quotes included, byte for byte as
// nlohmann::json::dump(-1, ' ', false, error_handler_t::replace) writes it: `"` `\` and the
// control characters escaped (\b \t \n \f \r, else \u00xx), valid UTF-8 copied, each invalid
// sequence replaced by U+FFFD.
void AppendJsonString(std::string& out, std::string_view value);

class JsonlWriter {
public:
    explicit JsonlWriter(ByteSink& out) : out_(out) {}
    Status WriteRecord(const ExportRecord& record);

private:
    ByteSink& out_;
    std::string line_;  // reused for every record: one Write per line, no allocation per row
};

}  // namespace tessera
