#pragma once
// Naming of on-disk cache entries, shared by the rendition cache and the tile pyramids.
#include <cstdint>
#include <filesystem>
#include <string>

#include "base/result.hpp"
#include "blobs/cache_key.hpp"
#include "blobs/source_file.hpp"

namespace tessera::blobs_internal {

// Keys become file names: 1-120 characters of [A-Za-z0-9._-], not starting with '.'.
bool IsSafeKey(const std::string& key);
// FNV-1a of the key as two hex digits: spreads entries over 256 folders so none holds
// millions of files.
std::string ShardOf(const std::string& key);
std::string Hex(std::uint64_t value);
// A suffix unique within this host for a file or folder being written before its rename.
std::string TempSuffix();

// kInvalidArgument unless both parts are safe keys.
Status CheckKey(const CacheKey& key);
// <cache_dir>/<group>/<shard of name>: the folder holding the key's entries.
std::filesystem::path ShardDir(const std::filesystem::path& cache_dir, const CacheKey& key);
// The entry name for one version of an opened source: <name>_<mtime hex>_<size hex>_<spec>.
std::string VersionedName(const SourceFile& source, const std::string& name,
                          const std::string& spec);
// True when `entry` names another version (other mtime or size, same spec) of the same key as
// `current`, both as made by VersionedName. Temp and marker files never match.
bool IsOtherVersion(const std::string& entry, const std::string& current, const std::string& name);
// Removes <cache_dir>/<group> and everything in it; returns how many files and folders went.
Result<std::uintmax_t> RemoveGroup(const std::filesystem::path& cache_dir,
                                   const std::string& group);

}  // namespace tessera::blobs_internal
