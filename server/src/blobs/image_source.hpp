#pragma once
// Where a datasource's image files live: a local folder, the project's uploads, an Azure Blob
// container. Ingest, refresh and the image service see only this interface, so the same
// pipeline (list, probe headers in parallel, insert in batches) serves every kind.
// docs/design/datasources.md describes the kinds and how items point at their source.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "blobs/source_file.hpp"

namespace tessera {

struct SourceEntry {
    std::string relative_path;     // '/'-separated, relative to the datasource root: item.path
    std::int64_t size_bytes = -1;  // -1 when the listing does not say
    // Changes whenever the content may have: "<mtime_ns>-<size>" for files, the ETag for blobs.
    std::string version;
};

struct SourceListing {
    std::int64_t files = 0;     // handed to the callback
    std::int64_t skipped = 0;   // entries refused or unreadable (links leaving root, ...)
    std::int64_t entries = 0;   // entries looked at, matching or not
    bool stopped = false;       // the callback asked to stop
    bool budget_spent = false;  // stopped after `max_entries`
};

class ImageSource {
public:
    virtual ~ImageSource() = default;

    // Streams the files that match the datasource's pattern and accepted extensions, in a stable
    // order (the same source lists the same sequence). The callback returns false to stop;
    // `max_entries` (0: no limit) stops after that many entries looked at. Errors name what to
    // fix (kNotFound: the folder or container is gone; kPermissionDenied: the credentials may not
    // list; kUnavailable: the service cannot be reached).
    virtual Result<SourceListing> List(const std::function<bool(const SourceEntry&)>& on_entry,
                                       std::int64_t max_entries = 0) = 0;

    // Up to `count` bytes from the start of the file (a ranged read for blobs): what the header
    // probe needs. Thread-safe: ingest probes several files at once. kNotFound when it is gone.
    virtual Result<std::string> ReadPrefix(std::string_view relative_path, std::size_t count) = 0;

    // The whole file opened for decoding: a local file through SourceFile (which refuses paths
    // resolving outside the root); a remote one fetched into the local cache first. Thread-safe.
    virtual Result<SourceFile> Open(std::string_view relative_path) = 0;
};

}  // namespace tessera
