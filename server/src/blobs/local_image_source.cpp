#include "blobs/local_image_source.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <utility>

#include "blobs/local_source.hpp"

namespace tessera {

LocalImageSource::LocalImageSource(std::filesystem::path root, std::string pattern)
    : root_(std::move(root)), pattern_(std::move(pattern)) {}

std::string LocalFileVersion(std::uint64_t mtime_ns, std::int64_t size) {
    return std::to_string(mtime_ns) + "-" + std::to_string(size);
}

Result<SourceListing> LocalImageSource::List(
    const std::function<bool(const SourceEntry&)>& on_entry, std::int64_t max_entries) {
    SourceListing listing;
    SourceEntry entry;
    TESSERA_ASSIGN_OR_RETURN(
        WalkStats stats,
        WalkLocalSource(
            root_, pattern_,
            [&](const LocalFile& file) {
                // stat, not lstat: a listed link stays inside root and stands for its target.
                struct stat st {};
                if (::stat(file.absolute_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
                    ++listing.skipped;
                    return true;
                }
                entry.relative_path = file.relative_path;
                entry.size_bytes = static_cast<std::int64_t>(st.st_size);
                entry.version =
                    LocalFileVersion(static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ULL +
                                         static_cast<std::uint64_t>(st.st_mtim.tv_nsec),
                                     entry.size_bytes);
                ++listing.files;
                return on_entry(entry);
            },
            max_entries));
    listing.skipped += stats.refused_links + stats.skipped_dir_links + stats.unreadable_dirs;
    listing.entries = stats.entries;
    listing.stopped = stats.stopped;
    listing.budget_spent = stats.entry_budget_spent;
    return listing;
}

Result<std::string> LocalImageSource::ReadPrefix(std::string_view relative_path,
                                                 std::size_t count) {
    TESSERA_ASSIGN_OR_RETURN(SourceFile file, Open(relative_path));
    const auto size = static_cast<std::size_t>(std::max<std::int64_t>(file.size(), 0));
    return file.ReadPrefix(std::min(count, size));
}

Result<SourceFile> LocalImageSource::Open(std::string_view relative_path) {
    // SourceFile refuses what normalises outside root: "../x", "/etc/x", a link leaving it.
    return SourceFile::Open(SourceRef{root_, root_ / std::filesystem::path(relative_path)});
}

}  // namespace tessera
