#include "blobs/cache_keys.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>

namespace tessera::blobs_internal {

namespace {
constexpr std::size_t kMaxKeyLength = 120;
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

}  // namespace tessera::blobs_internal
