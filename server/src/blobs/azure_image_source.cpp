#include "blobs/azure_image_source.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <system_error>
#include <vector>

#include "base/text.hpp"
#include "blobs/download_cache.hpp"
#include "blobs/local_source.hpp"

namespace tessera {
namespace {

// Beside each cached copy, the ETag it was downloaded at (not a copy: not counted or evicted).
constexpr std::string_view kEtagSuffix = ".etag";

namespace fs = std::filesystem;

std::string HexHash(std::string_view text, std::size_t bytes) {
    std::array<unsigned char, crypto_generichash_BYTES> hash{};
    crypto_generichash(hash.data(), hash.size(),
                       reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr,
                       0);
    std::string hex(bytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), hash.data(), bytes);
    hex.pop_back();
    return hex;
}

// The lower-case extension of the blob's name (".dcm"): decoders may go by it.
std::string Extension(std::string_view name) {
    auto slash = name.rfind('/');
    std::string_view leaf = slash == std::string_view::npos ? name : name.substr(slash + 1);
    auto dot = leaf.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || leaf.size() - dot > 8) {
        return {};
    }
    return Lower(leaf.substr(dot));
}

std::string ReadSmallFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string text;
    std::getline(in, text);
    return text;
}

// Writes `text` to `path` through a temporary file and a rename, so readers never see half.
bool WriteFileAtomically(const fs::path& path, std::string_view text) {
    fs::path temp = path;
    temp += ".part";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out) {
            return false;
        }
    }
    std::error_code ec;
    fs::rename(temp, path, ec);
    return !ec;
}

void Touch(const fs::path& path) {
    // The mtime is the copy's last use: eviction removes the oldest first.
    utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
}

}  // namespace

bool IsSafeBlobPath(std::string_view relative_path) {
    if (relative_path.empty() || HasControlCharacter(relative_path) ||
        relative_path.find('\\') != std::string_view::npos) {
        return false;
    }
    std::size_t start = 0;
    while (start <= relative_path.size()) {
        std::size_t end = relative_path.find('/', start);
        if (end == std::string_view::npos) {
            end = relative_path.size();
        }
        std::string_view segment = relative_path.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") {
            return false;
        }
        start = end + 1;
    }
    return true;
}

Result<std::unique_ptr<AzureImageSource>> AzureImageSource::Create(
    AzureBlobClient client, std::string_view prefix, std::string_view pattern,
    AzureImageSourceOptions options) {
    std::string normalized(prefix);
    while (normalized.starts_with('/')) {
        normalized.erase(0, 1);
    }
    if (!normalized.empty() && !normalized.ends_with('/')) {
        normalized += '/';
    }
    if (!normalized.empty() &&
        !IsSafeBlobPath(std::string_view(normalized).substr(0, normalized.size() - 1))) {
        return Error::InvalidArgument(
            "prefix must be a folder path in the container, without "
            "empty, '.' or '..' parts",
            "prefix");
    }
    TESSERA_ASSIGN_OR_RETURN(Glob glob, Glob::Parse(pattern));
    std::error_code ec;
    fs::create_directories(options.cache_dir, ec);
    fs::path canonical = fs::canonical(options.cache_dir, ec);
    if (ec) {
        return Error::Internal("cannot create the blob cache folder " + options.cache_dir.string());
    }
    options.cache_dir = canonical;
    options.max_blob_bytes = std::min(options.max_blob_bytes, options.cache_limit_bytes);
    auto source = std::unique_ptr<AzureImageSource>(new AzureImageSource(
        std::move(client), std::move(normalized), std::move(glob), std::move(options)));
    source->cached_bytes_ = CachedBytes(source->options_.cache_dir, kEtagSuffix);
    return source;
}

AzureImageSource::AzureImageSource(AzureBlobClient client, std::string prefix, Glob glob,
                                   AzureImageSourceOptions options)
    : client_(std::move(client)),
      prefix_(std::move(prefix)),
      glob_(std::move(glob)),
      options_(std::move(options)) {}

Result<std::string> AzureImageSource::BlobName(std::string_view relative_path) const {
    if (!IsSafeBlobPath(relative_path)) {
        return Error::NotFound("no such blob in the datasource");
    }
    return prefix_ + std::string(relative_path);
}

Result<SourceListing> AzureImageSource::List(
    const std::function<bool(const SourceEntry&)>& on_entry, std::int64_t max_entries) {
    SourceListing listing;
    std::string marker;
    do {
        TESSERA_ASSIGN_OR_RETURN(AzureBlobPage page, client_.ListBlobs(prefix_, marker));
        for (AzureBlobItem& blob : page.blobs) {
            if (max_entries > 0 && listing.entries >= max_entries) {
                listing.budget_spent = true;
                return listing;
            }
            ++listing.entries;
            if (!blob.name.starts_with(prefix_)) {
                ++listing.skipped;  // a service that ignored the prefix
                continue;
            }
            std::string relative = blob.name.substr(prefix_.size());
            if (!glob_.Matches(relative) || !HasAcceptedExtension(relative)) {
                continue;
            }
            if (!IsSafeBlobPath(relative)) {
                ++listing.skipped;  // "a//b.jpg", "../x.jpg": no safe item or cache path
                continue;
            }
            ++listing.files;
            SourceEntry entry{std::move(relative), blob.size_bytes, std::move(blob.etag)};
            if (!on_entry(entry)) {
                listing.stopped = true;
                return listing;
            }
        }
        marker = std::move(page.next_marker);
    } while (!marker.empty());
    return listing;
}

Result<std::string> AzureImageSource::ReadPrefix(std::string_view relative_path,
                                                 std::size_t count) {
    TESSERA_ASSIGN_OR_RETURN(std::string name, BlobName(relative_path));
    return client_.GetBlob(name, AzureBlobRange{0, count}, count);
}

Result<SourceFile> AzureImageSource::Open(std::string_view relative_path) {
    TESSERA_ASSIGN_OR_RETURN(SourceRef ref, Fetch(relative_path));
    return SourceFile::Open(ref);
}

Result<SourceRef> AzureImageSource::Fetch(std::string_view relative_path) {
    TESSERA_ASSIGN_OR_RETURN(std::string name, BlobName(relative_path));
    const std::string key = HexHash(name, 16);
    const fs::path shard = options_.cache_dir / key.substr(0, 2);
    const fs::path etag_file = shard / (key + std::string(kEtagSuffix));
    const std::string extension = Extension(name);
    auto data_file = [&](std::string_view etag) {
        return shard / (key + "-" + HexHash(etag, 8) + extension);
    };
    std::error_code ec;
    fs::create_directories(shard, ec);

    std::string cached_etag = ReadSmallFile(etag_file);
    if (!cached_etag.empty() && !fs::exists(data_file(cached_etag), ec)) {
        cached_etag.clear();
    }
    std::string temp = (shard / (key + ".part-XXXXXX")).string();
    int fd = mkstemp(temp.data());
    if (fd < 0) {
        return Error::Internal("cannot write to the blob cache folder");
    }
    bool write_failed = false;
    auto sink = [&](std::string_view chunk) {
        while (!chunk.empty()) {
            ssize_t n = ::write(fd, chunk.data(), chunk.size());
            if (n <= 0) {
                write_failed = true;
                return false;
            }
            chunk.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    };
    auto download = client_.DownloadBlob(name, cached_etag, sink, options_.max_blob_bytes);
    ::close(fd);
    if (!download.ok() || download->not_modified) {
        fs::remove(temp, ec);
        if (!download.ok()) {
            return write_failed ? Error::Internal("the blob cache disk is full or unwritable")
                                : download.error();
        }
        Touch(data_file(cached_etag));
        return SourceRef{options_.cache_dir, data_file(cached_etag)};
    }
    const fs::path target = data_file(download->etag);
    fs::rename(temp, target, ec);
    if (ec || !WriteFileAtomically(etag_file, download->etag)) {
        fs::remove(temp, ec);
        return Error::Internal("cannot write to the blob cache folder");
    }
    if (!cached_etag.empty() && cached_etag != download->etag) {
        fs::remove(data_file(cached_etag), ec);  // the blob changed: the old copy is stale
    }
    if (cached_bytes_.fetch_add(static_cast<std::uint64_t>(download->bytes)) +
            static_cast<std::uint64_t>(download->bytes) >
        options_.cache_limit_bytes) {
        Evict(target);
    }
    return SourceRef{options_.cache_dir, target};
}

void AzureImageSource::Evict(const fs::path& keep) {
    std::lock_guard lock(evict_mu_);
    cached_bytes_ =
        EvictLeastRecentlyUsed(options_.cache_dir, options_.cache_limit_bytes, keep, kEtagSuffix);
}

}  // namespace tessera
