#pragma once
// A local-folder datasource seen through ImageSource: WalkLocalSource lists it (same order,
// pattern, extensions and link rules), SourceFile reads it (every read refuses a path that
// resolves outside the root, however the folder changed since the listing).
#include <filesystem>
#include <string>

#include "blobs/image_source.hpp"
#include "blobs/local_source.hpp"

namespace tessera {

class LocalImageSource final : public ImageSource {
public:
    // `root` must be canonical (ProjectService::ResolveLocalPath made it so); `pattern` is the
    // project's glob.
    LocalImageSource(std::filesystem::path root, std::string pattern);

    // Each entry's size and version ("<mtime_ns>-<size>", of the link's target for a link that
    // stays inside root) come from one stat during the walk. A file that vanished between the
    // folder read and its stat is counted in `skipped`, as are refused links, links to folders
    // and folders that could not be read.
    Result<SourceListing> List(const std::function<bool(const SourceEntry&)>& on_entry,
                               std::int64_t max_entries = 0) override;
    // List, reading only folders changed since `scan.previous` (local_source.hpp): refresh.
    Result<SourceListing> ListChanged(FolderScan& scan,
                                      const std::function<bool(const SourceEntry&)>& on_entry);
    Result<std::string> ReadPrefix(std::string_view relative_path, std::size_t count) override;
    Result<SourceFile> Open(std::string_view relative_path) override;

    const std::filesystem::path& root() const { return root_; }

private:
    Result<SourceListing> Walk(const std::function<bool(const SourceEntry&)>& on_entry,
                               std::int64_t max_entries, FolderScan* scan);

    std::filesystem::path root_;
    std::string pattern_;
};

// "<mtime_ns>-<size>": what SourceEntry::version holds for a local file.
std::string LocalFileVersion(std::uint64_t mtime_ns, std::int64_t size);

}  // namespace tessera
