#pragma once
// Reads an uploaded body: a .zip is unpacked (libzip), anything else is one file.
#include <string>
#include <vector>

#include "base/result.hpp"
#include "formats/import_record_import.hpp"

namespace tessera {

inline constexpr std::size_t kMaxImportEntryBytes = 512u << 20;

bool LooksLikeZip(const std::string& body);

// Regular files of the archive in archive order (directories and __MACOSX entries left out).
// kInvalidArgument for a corrupt archive or an entry over kMaxImportEntryBytes.
Result<std::vector<ImportFile>> ReadImportZip(const std::string& body);

// The body as files: unzipped when it is a zip, else one file named `name`.
Result<std::vector<ImportFile>> ReadImportBody(std::string body, const std::string& name);

}  // namespace tessera
