#pragma once
// JSON Lines in the Azure AutoML image classification schema (docs/formats/jsonl.md): one
// object per labeled item, keys in a fixed order, "\n" after every line.
#include <string>

#include "services/export_record.hpp"
#include "services/export_service.hpp"

namespace tessera {

// One line without its "\n". Bytes that are not UTF-8 (file names may hold any) become U+FFFD.
std::string JsonlLine(const ExportRecord& record);

class JsonlWriter {
public:
    explicit JsonlWriter(ByteSink& out) : out_(out) {}
    Status WriteRecord(const ExportRecord& record);

private:
    ByteSink& out_;
};

}  // namespace tessera
