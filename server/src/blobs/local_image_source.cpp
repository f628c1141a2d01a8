#include "blobs/local_image_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "blobs/local_source.hpp"

namespace tessera {

LocalImageSource::LocalImageSource(std::filesystem::path root, std::string pattern)
    : root_(std::move(root)), pattern_(std::move(pattern)) {}

std::string LocalFileVersion(std::uint64_t mtime_ns, std::int64_t size) {
    return std::to_string(mtime_ns) + "-" + std::to_string(size);
}

namespace {

// stat() of each listed file relative to an open descriptor of its folder: one path component
// to resolve instead of the whole path, which matters at a million files. Files of one folder
// are listed together, so the descriptor changes once a folder.
class FolderStat {
public:
    FolderStat() = default;
    FolderStat(const FolderStat&) = delete;
    FolderStat& operator=(const FolderStat&) = delete;
    ~FolderStat() { Close(); }

    // stat, not lstat: a listed link stays inside root and stands for its target.
    bool Stat(const std::filesystem::path& file, struct stat& st) {
        // Plain string work: std::filesystem's parent_path() and comparisons parse components.
        const std::string& path = file.native();
        const auto slash = path.rfind('/');
        if (slash == std::string::npos) {
            return ::stat(path.c_str(), &st) == 0;
        }
        const std::string_view folder(path.data(), slash);
        if (fd_ < 0 || folder != folder_) {
            Close();
            folder_ = folder;
            fd_ = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (fd_ < 0) {
            return ::stat(path.c_str(), &st) == 0;
        }
        return ::fstatat(fd_, path.c_str() + slash + 1, &st, 0) == 0;
    }

private:
    void Close() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

    int fd_ = -1;
    std::string folder_;
};

}  // namespace

Result<SourceListing> LocalImageSource::List(
    const std::function<bool(const SourceEntry&)>& on_entry, std::int64_t max_entries) {
    return Walk(on_entry, max_entries, nullptr);
}

Result<SourceListing> LocalImageSource::ListChanged(
    FolderScan& scan, const std::function<bool(const SourceEntry&)>& on_entry) {
    return Walk(on_entry, 0, &scan);
}

Result<SourceListing> LocalImageSource::Walk(
    const std::function<bool(const SourceEntry&)>& on_entry, std::int64_t max_entries,
    FolderScan* scan) {
    SourceListing listing;
    SourceEntry entry;
    FolderStat folder;
    TESSERA_ASSIGN_OR_RETURN(
        WalkStats stats, WalkLocalSource(
                             root_, pattern_,
                             [&](const LocalFile& file) {
                                 struct stat st {};
                                 if (!folder.Stat(file.absolute_path, st) || !S_ISREG(st.st_mode)) {
                                     ++listing.skipped;
                                     return true;
                                 }
                                 entry.relative_path = file.relative_path;
                                 entry.size_bytes = static_cast<std::int64_t>(st.st_size);
                                 entry.version = LocalFileVersion(
                                     static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ULL +
                                         static_cast<std::uint64_t>(st.st_mtim.tv_nsec),
                                     entry.size_bytes);
                                 ++listing.files;
                                 return on_entry(entry);
                             },
                             max_entries, scan));
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
