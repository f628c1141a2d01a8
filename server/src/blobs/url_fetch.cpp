#include "blobs/url_fetch.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <system_error>

#include "base/text.hpp"
#include "blobs/download_cache.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

bool IsHostChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// A DNS name or IPv4 literal in lower case: letters, digits, '-' and '.', no empty label.
bool IsHostName(std::string_view host) {
    if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.' ||
        host.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : host) {
        if (!IsHostChar(c)) {
            return false;
        }
    }
    return true;
}

bool IsIpv4(const std::string& text) {
    in_addr address{};
    return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool IsIpv6(const std::string& text) {
    in6_addr address{};
    return inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

bool SpecialIpv4(const unsigned char* b) {
    const auto in = [&](unsigned first, unsigned second_lo, unsigned second_hi) {
        return b[0] == first && b[1] >= second_lo && b[1] <= second_hi;
    };
    return b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224 ||  // this net, private, lo,
           in(100, 64, 127) ||                                       // multicast and reserved
           in(169, 254, 254) || in(172, 16, 31) || in(192, 168, 168) ||
           (b[0] == 192 && b[1] == 0 && b[2] == 0) ||  // IETF protocol assignments
           in(198, 18, 19);                            // benchmarking
}

std::string HexHash(std::string_view text) {
    std::array<unsigned char, crypto_generichash_BYTES> hash{};
    crypto_generichash(hash.data(), hash.size(),
                       reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr,
                       0);
    std::string hex(hash.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
    hex.pop_back();
    return hex;
}

// The URL for messages: scheme, host and path, without the query (it may hold a token).
std::string Shown(std::string_view url) {
    return std::string(url.substr(0, url.find_first_of("?#")));
}

}  // namespace

Result<FetchAllowList> ParseFetchAllowList(const std::vector<std::string>& entries,
                                           const std::string& field) {
    FetchAllowList out;
    for (const std::string& raw : entries) {
        std::string entry = Lower(Trim(raw));
        if (entry.empty()) {
            continue;
        }
        if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']') {
            entry = entry.substr(1, entry.size() - 2);
        }
        const bool wildcard = entry.starts_with("*.") && IsHostName(entry.substr(2)) &&
                              entry.find('.', 2) != std::string::npos;
        if (wildcard) {
            out.suffixes.push_back(entry.substr(1));
        } else if (IsIpv6(entry) || IsHostName(entry)) {
            out.exact.push_back(entry);
        } else {
            return Error::InvalidArgument(
                field + ": \"" + raw +
                    "\" is not a host name, an IP address or *.domain (no scheme, port or path; "
                    "*.domain needs a dot after the domain's first label)",
                field);
        }
    }
    return out;
}

Result<FetchUrl> ParseFetchUrl(std::string_view url) {
    FetchUrl out;
    std::string_view rest;
    const std::string lower = Lower(url.substr(0, 8));
    if (lower.starts_with("https://")) {
        out.https = true;
        rest = url.substr(8);
    } else if (lower.starts_with("http://")) {
        rest = url.substr(7);
    } else {
        return Error::InvalidArgument("only http and https URLs are fetched");
    }
    if (HasControlCharacter(url) || url.find_first_of(" \\") != std::string_view::npos) {
        return Error::InvalidArgument("the URL holds a space, backslash or control character");
    }
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) {
        return Error::InvalidArgument("URLs with credentials (user:password@) are refused");
    }
    std::string_view port;
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return Error::InvalidArgument("the URL's IPv6 address has no closing ]");
        }
        out.host = Lower(authority.substr(1, close - 1));
        if (!IsIpv6(out.host)) {
            return Error::InvalidArgument("the URL's IPv6 address is malformed");
        }
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(':')) {
            return Error::InvalidArgument("the URL's host is malformed");
        }
        port = after.empty() ? after : after.substr(1);
    } else {
        const std::size_t colon = authority.find(':');
        out.host = Lower(authority.substr(0, colon));
        port = colon == std::string_view::npos ? std::string_view() : authority.substr(colon + 1);
        if (!IsHostName(out.host)) {
            return Error::InvalidArgument("the URL's host is malformed");
        }
    }
    out.port = out.https ? 443 : 80;
    if (!port.empty()) {
        int value = 0;
        for (char c : port) {
            if (c < '0' || c > '9' || value > 65535) {
                return Error::InvalidArgument("the URL's port is malformed");
            }
            value = value * 10 + (c - '0');
        }
        if (value < 1 || value > 65535) {
            return Error::InvalidArgument("the URL's port is malformed");
        }
        out.port = value;
    }
    return out;
}

HostMatch MatchFetchHost(const FetchAllowList& allowed, std::string_view host) {
    for (const std::string& exact : allowed.exact) {
        if (exact == host) {
            return HostMatch::kExact;
        }
    }
    for (const std::string& suffix : allowed.suffixes) {
        if (host.size() > suffix.size() && host.ends_with(suffix)) {
            return HostMatch::kWildcard;
        }
    }
    return HostMatch::kNone;
}

bool IsSpecialAddress(std::string_view address) {
    const std::string text(address);
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        return SpecialIpv4(reinterpret_cast<const unsigned char*>(&v4.s_addr));
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) {
        return true;
    }
    const unsigned char* b = v6.s6_addr;
    static constexpr std::array<unsigned char, 12> kMapped = {0, 0, 0, 0, 0,    0,
                                                              0, 0, 0, 0, 0xff, 0xff};
    static constexpr std::array<unsigned char, 12> kNat64 = {0, 0x64, 0xff, 0x9b, 0, 0,
                                                             0, 0,    0,    0,    0, 0};
    if (std::memcmp(b, kMapped.data(), kMapped.size()) == 0 ||
        std::memcmp(b, kNat64.data(), kNat64.size()) == 0) {
        return SpecialIpv4(b + 12);
    }
    bool zero_prefix = true;  // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
    for (int i = 0; i < 12; ++i) {
        zero_prefix = zero_prefix && b[i] == 0;
    }
    return zero_prefix || (b[0] & 0xfe) == 0xfc ||     // unique local (fd00:ec2::254 too)
           (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||  // link-local
           (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) ||  // site-local (deprecated)
           b[0] == 0xff ||                             // multicast
           (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);  // documentation
}

HostResolver SystemHostResolver() {
    return [](const std::string& host) -> Result<std::vector<std::string>> {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
            return Error::Unavailable("the host " + host + " cannot be resolved");
        }
        std::vector<std::string> out;
        for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
            std::array<char, NI_MAXHOST> text{};
            if (getnameinfo(a->ai_addr, a->ai_addrlen, text.data(), text.size(), nullptr, 0,
                            NI_NUMERICHOST) == 0) {
                out.emplace_back(text.data());
            }
        }
        freeaddrinfo(found);
        return out;
    };
}

UrlFetcher::UrlFetcher(FetchAllowList allowed, std::shared_ptr<HttpTransport> transport,
                       HostResolver resolver, UrlFetcherOptions options)
    : allowed_(std::move(allowed)),
      transport_(std::move(transport)),
      resolver_(std::move(resolver)),
      options_(std::move(options)) {
    cached_bytes_ = CachedBytes(options_.cache_dir);
}

void UrlFetcher::Evict(const fs::path& keep) {
    std::lock_guard lock(evict_mu_);
    cached_bytes_ = EvictLeastRecentlyUsed(options_.cache_dir, options_.cache_limit_bytes, keep);
}

Status UrlFetcher::Check(std::string_view url) const {
    if (!enabled()) {
        return Error::InvalidArgument(
            "fetching http(s) URLs is off: the admin allows no host (tessera serve "
            "--fetch-allowed-host); copy the images under an allowed root and reference them by "
            "relative path or a mapped datastore");
    }
    TESSERA_ASSIGN_OR_RETURN(FetchUrl parsed, ParseFetchUrl(url));
    if (MatchFetchHost(allowed_, parsed.host) == HostMatch::kNone) {
        return Error::InvalidArgument("the host " + parsed.host +
                                      " is not one the server may fetch from (the admin's "
                                      "--fetch-allowed-host list)");
    }
    return Status::Ok();
}

// Every address the host has must be fine (a name resolving to a public and a private address
// is refused as a whole: which one a later lookup gives is not ours to choose); the first is
// pinned.
Result<std::string> UrlFetcher::PinnedAddress(const FetchUrl& url, HostMatch match) const {
    std::vector<std::string> addresses;
    if (IsIpv6(url.host) || IsIpv4(url.host)) {
        addresses = {url.host};
    } else {
        TESSERA_ASSIGN_OR_RETURN(addresses, resolver_(url.host));
    }
    if (addresses.empty()) {
        return Error::Unavailable("the host " + url.host + " has no address");
    }
    for (const std::string& address : addresses) {
        if (match != HostMatch::kExact && IsSpecialAddress(address)) {
            return Error::PermissionDenied(
                "the host " + url.host + " resolves to " + address +
                ", a loopback, private or link-local address; only a host or IP listed exactly "
                "(not by a wildcard) may reach one");
        }
    }
    const std::string& pinned = addresses.front();
    const std::string host = IsIpv6(url.host) ? "[" + url.host + "]" : url.host;
    return host + ":" + std::to_string(url.port) + ":" +
           (IsIpv6(pinned) ? "[" + pinned + "]" : pinned);
}

Result<SourceRef> UrlFetcher::Fetch(std::string_view url) {
    TESSERA_TRY(Check(url));
    TESSERA_ASSIGN_OR_RETURN(FetchUrl parsed, ParseFetchUrl(url));
    const std::string key = HexHash(url);
    const fs::path shard = options_.cache_dir / key.substr(0, 2);
    const fs::path target = shard / key;
    std::error_code ec;
    if (fs::is_regular_file(target, ec)) {
        fs::last_write_time(target, fs::file_time_type::clock::now(), ec);  // recently used
        return SourceRef{options_.cache_dir, target};
    }
    TESSERA_ASSIGN_OR_RETURN(std::string pinned,
                             PinnedAddress(parsed, MatchFetchHost(allowed_, parsed.host)));
    fs::create_directories(shard, ec);
    std::string temp = (shard / (key + ".part-XXXXXX")).string();
    const int fd = mkstemp(temp.data());
    if (fd < 0) {
        return Error::Internal("cannot write to the URL cache folder");
    }
    std::uint64_t written = 0;
    bool too_large = false;
    bool write_failed = false;
    HttpRequest request;
    request.url = std::string(url);
    request.pinned_address = pinned;
    HttpResponse response = transport_->Send(request, [&](int status, std::string_view chunk) {
        if (status != 200) {
            return true;  // the error page is not kept
        }
        written += chunk.size();
        if (written > options_.max_bytes) {
            too_large = true;
            return false;
        }
        while (!chunk.empty()) {
            const ssize_t n = ::write(fd, chunk.data(), chunk.size());
            if (n <= 0) {
                write_failed = true;
                return false;
            }
            chunk.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    });
    ::close(fd);
    auto failed = [&](Error error) {
        fs::remove(temp, ec);
        return error;
    };
    const std::string shown = Shown(url);
    if (too_large) {
        return failed(Error::InvalidArgument(shown + " is larger than " +
                                             std::to_string(options_.max_bytes >> 20) + " MiB"));
    }
    if (write_failed) {
        return failed(Error::Internal("the URL cache disk is full or unwritable"));
    }
    if (response.status == 0) {
        return failed(Error::Unavailable(shown + " cannot be fetched: " + response.failure));
    }
    if (response.status >= 300 && response.status < 400) {
        return failed(Error::InvalidArgument(shown + " answered a redirect (" +
                                             std::to_string(response.status) +
                                             "); redirects are not followed: use the final URL"));
    }
    if (response.status == 404 || response.status == 410) {
        return failed(
            Error::NotFound(shown + ": no such image (" + std::to_string(response.status) + ")"));
    }
    if (response.status != 200) {
        return failed(Error::Unavailable(shown + " answered " + std::to_string(response.status)));
    }
    fs::rename(temp, target, ec);
    if (ec) {
        return failed(Error::Internal("cannot write to the URL cache folder"));
    }
    if (cached_bytes_.fetch_add(written) + written > options_.cache_limit_bytes) {
        Evict(target);
    }
    return SourceRef{options_.cache_dir, target};
}

Result<SourceListing> UrlImageSource::List(const std::function<bool(const SourceEntry&)>&,
                                           std::int64_t) {
    return SourceListing{};
}

Result<std::string> UrlImageSource::ReadPrefix(std::string_view url, std::size_t count) {
    TESSERA_ASSIGN_OR_RETURN(SourceFile file, Open(url));
    return file.ReadPrefix(count);
}

Result<SourceFile> UrlImageSource::Open(std::string_view url) {
    TESSERA_ASSIGN_OR_RETURN(SourceRef ref, fetcher_.Fetch(url));
    return SourceFile::Open(ref);
}

}  // namespace tessera
