#pragma once
// Reads an uploaded body: a .zip is unpacked (libzip), anything else is one file.
#include <filesystem>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "formats/import_record_import.hpp"

namespace tessera {

// The most a reader that needs a whole file in memory (VOC, YOLO, LabelMe, masks, panoptic)
// takes of one file; the streamed formats (COCO, CVAT, JSONL) have no such limit.
inline constexpr std::size_t kMaxImportEntryBytes = 512u << 20;

// kPayloadTooLarge naming the file, its size and the limit.
Error ImportFileTooLarge(const std::string& name, std::uint64_t size);

bool LooksLikeZip(const std::string& body);

// Every function here refuses, with kPayloadTooLarge and before libzip reads the archive's
// directory, a zip whose end record lists over kMaxZipEntries entries or kMaxZipDirectoryBytes
// of directory (formats/import_limits.hpp).

// Regular files of the archive in archive order (directories and __MACOSX entries left out).
// kInvalidArgument for a corrupt archive, ImportFileTooLarge for an entry over
// kMaxImportEntryBytes.
Result<std::vector<ImportFile>> ReadImportZip(const std::string& body);

// The body as files: unzipped when it is a zip, else one file named `name`.
Result<std::vector<ImportFile>> ReadImportBody(std::string body, const std::string& name);

// The same for an upload on disk: the archive is read from the file entry by entry (libzip
// seeks in it), never loaded whole.
bool FileLooksLikeZip(const std::filesystem::path& path);
Result<std::vector<ImportFile>> ReadImportZipFile(const std::filesystem::path& path);

// Streams every regular entry (archive order, as ReadImportZip lists them) to `visit`, inflating
// as the visitor reads, so memory stays constant whatever the entry's size. A damaged entry
// (bad data, CRC mismatch) is an error naming it even when the visitor succeeded.
using ZipEntryVisitor = std::function<Status(const std::string& name, std::istream& bytes)>;
Status ForEachZipEntry(const std::string& body, const ZipEntryVisitor& visit);
Status ForEachZipEntryInFile(const std::filesystem::path& path, const ZipEntryVisitor& visit);

}  // namespace tessera
