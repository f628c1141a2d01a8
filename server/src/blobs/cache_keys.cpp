#include "blobs/cache_keys.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <system_error>

namespace tessera::blobs_internal {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxKeyLength = 120;

bool IsHex(const std::string& text) {
    return !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Splits "<name>_<mtime>_<size>_<spec>" from the right (names may contain '_', the three
// fields after it may not). False when `entry` does not have that form.
bool SplitVersioned(const std::string& entry, std::string& name, std::string& version,
                    std::string& spec) {
    std::size_t spec_at = entry.rfind('_');
    if (spec_at == std::string::npos || spec_at == 0) {
        return false;
    }
    std::size_t size_at = entry.rfind('_', spec_at - 1);
    if (size_at == std::string::npos || size_at == 0) {
        return false;
    }
    std::size_t mtime_at = entry.rfind('_', size_at - 1);
    if (mtime_at == std::string::npos) {
        return false;
    }
    std::string mtime = entry.substr(mtime_at + 1, size_at - mtime_at - 1);
    std::string size = entry.substr(size_at + 1, spec_at - size_at - 1);
    if (!IsHex(mtime) || !IsHex(size)) {
        return false;
    }
    name = entry.substr(0, mtime_at);
    version = mtime + "_" + size;
    spec = entry.substr(spec_at + 1);
    return true;
}

}  // namespace

bool IsSafeKey(const std::string& key) {
    if (key.empty() || key.size() > kMaxKeyLength || key[0] == '.') {
        return false;
    }
    for (char c : key) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string ShardOf(const std::string& key) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : key) {
        h = (h ^ c) * 1099511628211ULL;
    }
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>(h & 0xff));
    return buf;
}

std::string Hex(std::uint64_t value) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(value));
    return buf;
}

std::string TempSuffix() {
    static std::atomic<std::uint64_t> counter{0};
    return ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

Status CheckKey(const CacheKey& key) {
    if (!IsSafeKey(key.group) || !IsSafeKey(key.name)) {
        return Error::InvalidArgument("bad cache key");
    }
    return Status::Ok();
}

fs::path ShardDir(const fs::path& cache_dir, const CacheKey& key) {
    return cache_dir / key.group / ShardOf(key.name);
}

std::string VersionedName(const SourceFile& source, const std::string& name,
                          const std::string& spec) {
    // The times come from the open descriptor's fstat, not from a second look at the name.
    return name + "_" + Hex(source.mtime_ns()) + "_" +
           Hex(static_cast<std::uint64_t>(source.size())) + "_" + spec;
}

bool IsOtherVersion(const std::string& entry, const std::string& current, const std::string& name) {
    std::string entry_name, entry_version, entry_spec;
    std::string current_name, current_version, current_spec;
    if (entry == current || !SplitVersioned(entry, entry_name, entry_version, entry_spec) ||
        !SplitVersioned(current, current_name, current_version, current_spec)) {
        return false;
    }
    return entry_name == name && current_name == name && entry_spec == current_spec &&
           entry_version != current_version;
}

Result<std::uintmax_t> RemoveGroup(const fs::path& cache_dir, const std::string& group) {
    if (!IsSafeKey(group)) {
        return Error::InvalidArgument("bad cache group");
    }
    std::error_code ec;
    std::uintmax_t removed = fs::remove_all(cache_dir / group, ec);
    if (ec) {
        return Error::Internal("cannot remove cache folder " + (cache_dir / group).string() + ": " +
                               ec.message());
    }
    return removed;
}

}  // namespace tessera::blobs_internal
