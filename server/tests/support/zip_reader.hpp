#pragma once
// A small independent ZIP reader for tests: walks the central directory (ZIP64 aware),
// inflates each entry and checks its CRC and sizes against the directory.
#include <map>
#include <string>

namespace tessera::testing {

// name -> content. Records a gtest failure and returns what it could read on damage.
std::map<std::string, std::string> ReadZip(const std::string& zip);

// Runs `unzip -t` and `python3 -m zipfile -t` on the bytes when those tools exist. Returns how
// many external checks ran (each one that ran and failed adds a gtest failure).
int CheckZipWithExternalTools(const std::string& zip);

}  // namespace tessera::testing
