#include "blobs/download_cache.hpp"

#include <algorithm>
#include <string>
#include <system_error>
#include <vector>

namespace tessera {
namespace {

namespace fs = std::filesystem;

bool IsSidecar(const fs::path& path, std::string_view sidecar) {
    return !sidecar.empty() && path.string().ends_with(sidecar);
}

}  // namespace

std::uint64_t CachedBytes(const fs::path& dir, std::string_view sidecar) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code entry_ec;
        if (it->is_regular_file(entry_ec) && !IsSidecar(it->path(), sidecar)) {
            total += it->file_size(entry_ec);
        }
    }
    return total;
}

std::uint64_t EvictLeastRecentlyUsed(const fs::path& dir, std::uint64_t limit_bytes,
                                     const fs::path& keep, std::string_view sidecar) {
    struct Copy {
        fs::file_time_type used;
        std::uint64_t size;
        fs::path path;
    };
    std::vector<Copy> copies;
    std::uint64_t total = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code entry_ec;
        if (!it->is_regular_file(entry_ec) || IsSidecar(it->path(), sidecar)) {
            continue;
        }
        const std::uint64_t size = it->file_size(entry_ec);
        total += size;
        if (it->path() != keep && it->path().string().find(".part-") == std::string::npos) {
            copies.push_back({it->last_write_time(entry_ec), size, it->path()});
        }
    }
    std::sort(copies.begin(), copies.end(),
              [](const Copy& a, const Copy& b) { return a.used < b.used; });
    const std::uint64_t goal = limit_bytes / 10 * 9;
    for (const Copy& copy : copies) {
        if (total <= goal) {
            break;
        }
        if (fs::remove(copy.path, ec)) {
            total -= copy.size;
        }
    }
    return total;
}

}  // namespace tessera
