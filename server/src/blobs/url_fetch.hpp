#pragma once
// Images named by http(s) URLs (manifest rows), fetched only from hosts the admin allows
// (`tessera serve --fetch-allowed-host`, docs/formats/manifests.md), with the guards against
// server-side request forgery a fetcher on a server needs:
//   - only http and https; a URL holding credentials (user:pass@) is refused;
//   - the host must be listed: exactly ("images.example.com", "10.0.0.7", "[fd00::1]") or by a
//     wildcard of its parent domain ("*.example.com");
//   - the host is resolved once, every address checked, and the connection pinned to the
//     checked address (CURLOPT_RESOLVE, no proxy), so DNS rebinding cannot switch it;
//   - loopback, private, link-local (the cloud metadata address 169.254.169.254 among them),
//     shared, multicast and unspecified addresses are refused unless that exact host or IP is
//     listed (a wildcard never reaches them);
//   - no redirect is followed (a 3xx is an error naming it); a size cap and timeouts.
// Fetched files are kept in a disk cache under the data dir, one file per URL, bounded like the
// blob cache (least recently used files removed past the limit).
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "blobs/http_transport.hpp"
#include "blobs/image_source.hpp"

namespace tessera {

// The admin's list, as parsed: host names in lower case, IPv6 literals without brackets.
struct FetchAllowList {
    std::vector<std::string> exact;     // host names and IP literals
    std::vector<std::string> suffixes;  // "*.example.com" kept as ".example.com"
    bool empty() const { return exact.empty() && suffixes.empty(); }
};

// Entries: a host name, an IPv4 or IPv6 literal ("[::1]" or "::1") or "*.domain". kInvalidArgument
// (field `field`) naming a malformed entry (a scheme, a path, a port, a bare "*").
Result<FetchAllowList> ParseFetchAllowList(const std::vector<std::string>& entries,
                                           const std::string& field);

struct FetchUrl {
    bool https = false;
    std::string host;  // lower case; an IPv6 literal without brackets
    int port = 0;      // 80 or 443 unless given
};

// kInvalidArgument for anything but http(s)://host[:port][/path], or a URL with credentials.
Result<FetchUrl> ParseFetchUrl(std::string_view url);

enum class HostMatch { kNone, kWildcard, kExact };
HostMatch MatchFetchHost(const FetchAllowList& allowed, std::string_view host);

// True for an address no fetch may reach unless its host is listed exactly: loopback,
// RFC 1918 and unique-local, link-local (cloud metadata), shared (100.64/10), "this network",
// multicast, reserved and broadcast; IPv4-mapped and NAT64 IPv6 forms are judged as IPv4.
// `address` is numeric text ("10.0.0.1", "fe80::1"); anything unparsable counts as special.
bool IsSpecialAddress(std::string_view address);

struct UrlFetcherOptions {
    std::filesystem::path cache_dir;                     // created when missing
    std::uint64_t max_bytes = std::uint64_t{256} << 20;  // one file
    // The whole cache: past it the least recently used files are removed (as for blobs).
    std::uint64_t cache_limit_bytes = std::uint64_t{8} << 30;
};

// Resolves a host name to numeric addresses (getaddrinfo in the server; a fake in tests).
using HostResolver = std::function<Result<std::vector<std::string>>(const std::string& host)>;
HostResolver SystemHostResolver();

class UrlFetcher {
public:
    // `transport` should have connect, stall and total timeouts (MakeCurlTransport options).
    UrlFetcher(FetchAllowList allowed, std::shared_ptr<HttpTransport> transport,
               HostResolver resolver, UrlFetcherOptions options);

    bool enabled() const { return !allowed_.empty(); }

    // Whether `url` may be fetched at all (its form and host), without a request:
    // kInvalidArgument naming why not. What a manifest row is checked against.
    Status Check(std::string_view url) const;

    // The file at `url`, from the cache or fetched now. kPermissionDenied for a refused host or
    // address, kNotFound for a 404/410, kInvalidArgument for a redirect or an oversized file,
    // kUnavailable when the host cannot be reached. Thread-safe.
    Result<SourceRef> Fetch(std::string_view url);

private:
    Result<std::string> PinnedAddress(const FetchUrl& url, HostMatch match) const;
    // Removes least recently used files until the cache is below 90% of its limit.
    void Evict(const std::filesystem::path& keep);

    FetchAllowList allowed_;
    std::shared_ptr<HttpTransport> transport_;
    HostResolver resolver_;
    UrlFetcherOptions options_;
    std::atomic<std::uint64_t> cached_bytes_{0};
    std::mutex evict_mu_;
};

// The URLs of a manifest as an ImageSource for the ingest pipeline: the relative path is the
// URL. Nothing to list; reads fetch into the cache first.
class UrlImageSource final : public ImageSource {
public:
    explicit UrlImageSource(UrlFetcher& fetcher) : fetcher_(fetcher) {}
    Result<SourceListing> List(const std::function<bool(const SourceEntry&)>& on_entry,
                               std::int64_t max_entries = 0) override;
    Result<std::string> ReadPrefix(std::string_view url, std::size_t count) override;
    Result<SourceFile> Open(std::string_view url) override;

private:
    UrlFetcher& fetcher_;
};

}  // namespace tessera
