#pragma once
// An Azure Blob Storage container (under a prefix, filtered by a glob) as an ImageSource.
// Listing follows continuation markers one page at a time; SourceEntry.version is the ETag.
// ReadPrefix is a ranged GET. Open downloads the blob into a disk cache under the data dir,
// keyed by the blob's name and ETag, and opens the cached copy through SourceFile: a later Open
// sends If-None-Match and reuses the copy while the blob is unchanged. The cache is bounded:
// past its limit the least recently used copies are removed. docs/design/azure_blob.md.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "blobs/azure_blob_client.hpp"
#include "blobs/glob.hpp"
#include "blobs/image_source.hpp"

namespace tessera {

struct AzureImageSourceOptions {
    std::filesystem::path cache_dir;  // created when missing; one folder per datasource
    std::uint64_t cache_limit_bytes = std::uint64_t{8} << 30;
    // The largest blob Open downloads (also capped by the cache limit).
    std::uint64_t max_blob_bytes = std::uint64_t{2} << 30;
};

class AzureImageSource final : public ImageSource {
public:
    // `prefix` is a folder in the container ("" for all of it; a missing trailing '/' is added);
    // relative paths and the glob `pattern` ("" is "**/*.*") are taken below it.
    // kInvalidArgument for a bad pattern or prefix; kInternal when the cache folder cannot be
    // made.
    static Result<std::unique_ptr<AzureImageSource>> Create(AzureBlobClient client,
                                                            std::string_view prefix,
                                                            std::string_view pattern,
                                                            AzureImageSourceOptions options);

    Result<SourceListing> List(const std::function<bool(const SourceEntry&)>& on_entry,
                               std::int64_t max_entries = 0) override;
    Result<std::string> ReadPrefix(std::string_view relative_path, std::size_t count) override;
    Result<SourceFile> Open(std::string_view relative_path) override;
    // What Open opens: the current copy in the cache (downloaded or revalidated now), as a
    // SourceRef for code that opens files itself (the renderer, the prober).
    Result<SourceRef> Fetch(std::string_view relative_path);

    // The prefix as used ("photos/2024/"), for messages and the datasource's description.
    const std::string& prefix() const { return prefix_; }

private:
    AzureImageSource(AzureBlobClient client, std::string prefix, Glob glob,
                     AzureImageSourceOptions options);

    Result<std::string> BlobName(std::string_view relative_path) const;
    // Removes least recently used copies until the cache is below 90% of its limit.
    void Evict(const std::filesystem::path& keep);

    AzureBlobClient client_;
    std::string prefix_;
    Glob glob_;
    AzureImageSourceOptions options_;
    std::atomic<std::uint64_t> cached_bytes_{0};
    std::mutex evict_mu_;
};

// True when a relative blob path is safe to use as a cache and item path: no empty, "." or
// ".." segment, no control character or backslash.
bool IsSafeBlobPath(std::string_view relative_path);

}  // namespace tessera
