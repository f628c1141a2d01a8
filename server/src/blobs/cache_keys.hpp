#pragma once
// Naming of on-disk cache entries, shared by the rendition cache and the tile pyramids.
#include <cstdint>
#include <string>

namespace tessera::blobs_internal {

// Keys become file names: 1-120 characters of [A-Za-z0-9._-], not starting with '.'.
bool IsSafeKey(const std::string& key);
// FNV-1a of the key as two hex digits: spreads entries over 256 folders so none holds
// millions of files.
std::string ShardOf(const std::string& key);
std::string Hex(std::uint64_t value);
// A suffix unique within this host for a file or folder being written before its rename.
std::string TempSuffix();

}  // namespace tessera::blobs_internal
