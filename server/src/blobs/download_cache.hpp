#pragma once
// The size bound shared by the on-disk caches of downloaded images (Azure blobs, fetched
// URLs): what is cached, and evicting the least recently used copies when over the limit.
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace tessera {

// Bytes of the regular files under `dir`, leaving out files ending in `sidecar` (".etag"), which
// describe a copy rather than hold one. 0 for a folder that cannot be read.
std::uint64_t CachedBytes(const std::filesystem::path& dir, std::string_view sidecar = {});

// Removes the least recently written copies under `dir` until at most 90% of `limit_bytes`
// remain (a margin, so that the next downloads do not evict again at once), never `keep` nor a
// download in progress (".part-" in its name), and returns the bytes left. A reader holding a
// removed copy keeps reading its descriptor; the next fetch downloads it again.
std::uint64_t EvictLeastRecentlyUsed(const std::filesystem::path& dir, std::uint64_t limit_bytes,
                                     const std::filesystem::path& keep,
                                     std::string_view sidecar = {});

}  // namespace tessera
