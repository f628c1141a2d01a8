#pragma once
// An upload as the import service receives it: bytes in memory (tests, the CLI) or a file on
// disk (the HTTP server streams import bodies to a temp file). Readers of small files take the
// whole upload in memory (ReadAll, each file up to kMaxImportEntryBytes); the COCO, CVAT and
// JSONL readers stream it (ForEach), one file or zip entry at a time, so a file of a million
// annotations is never held whole.
#include <filesystem>
#include <string>
#include <vector>

#include "formats/zip_import.hpp"

namespace tessera {

class ImportUpload {
public:
    // `name` names a non-zip upload (readers pick files by extension).
    static ImportUpload FromBytes(std::string body, std::string name);
    // `path` must exist for as long as the upload is read.
    static ImportUpload FromFile(std::filesystem::path path, std::string name);

    // Every file of the upload in memory: the zip's entries, else the upload itself.
    // kPayloadTooLarge naming the file when one is over kMaxImportEntryBytes.
    Result<std::vector<ImportFile>> ReadAll() const;
    // Each file as a stream, in the order ReadAll lists them.
    Status ForEach(const ZipEntryVisitor& visit) const;

private:
    ImportUpload() = default;

    std::string name_;
    std::string bytes_;           // when in memory
    std::filesystem::path path_;  // when on disk
    bool on_disk_ = false;
};

// Streams files already in memory (tests, ParseCvat over a file list) to `visit` in place.
Status ForEachImportFile(const std::vector<ImportFile>& files, const ZipEntryVisitor& visit);

}  // namespace tessera
