#include "blobs/local_source.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "base/text.hpp"
#include "blobs/glob.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 10> kExtensions = {
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".tif", ".tiff", ".dcm", ".dicom"};
// Deeper trees are almost certainly a loop or an attack, and recursion needs a bound.
constexpr int kMaxDepth = 64;

enum class Kind { kFile, kDir, kLink, kOther };

struct Entry {
    std::string name;
    Kind kind;
};

std::int64_t Nanoseconds(const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// The last walk's folders: their stamps, and the sub-folders of each (what an unchanged folder
// is known to hold without reading it).
class PreviousFolders {
public:
    explicit PreviousFolders(const std::vector<FolderStamp>& stamps) {
        for (const FolderStamp& stamp : stamps) {
            stamps_.emplace(stamp.path, stamp);
            if (stamp.path.empty()) {
                continue;
            }
            const auto slash = stamp.path.rfind('/');
            const std::string parent =
                slash == std::string::npos ? std::string() : stamp.path.substr(0, slash);
            children_[parent].push_back(slash == std::string::npos ? stamp.path
                                                                   : stamp.path.substr(slash + 1));
        }
        for (auto& [parent, names] : children_) {
            std::sort(names.begin(), names.end());
        }
    }

    // Whether `now` equals the folder's stamp (never for kReadAgain or a folder not seen).
    bool Unchanged(const FolderStamp& now) const {
        auto it = stamps_.find(now.path);
        return it != stamps_.end() && it->second.mtime_ns != FolderStamp::kReadAgain &&
               it->second.mtime_ns == now.mtime_ns && it->second.ctime_ns == now.ctime_ns;
    }

    const std::vector<std::string>& Children(const std::string& path) const {
        static const std::vector<std::string> kNone;
        auto it = children_.find(path);
        return it == children_.end() ? kNone : it->second;
    }

private:
    std::unordered_map<std::string, FolderStamp> stamps_;
    std::unordered_map<std::string, std::vector<std::string>> children_;
};

bool IsUnder(const fs::path& path, const fs::path& root) {
    auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    return r == root.end();
}

class Walker {
public:
    Walker(const fs::path& root, const Glob& glob,
           const std::function<bool(const LocalFile&)>& on_file, std::int64_t max_entries,
           FolderScan* scan)
        : root_(root), glob_(glob), on_file_(on_file), max_entries_(max_entries), scan_(scan) {
        if (scan_ != nullptr) {
            previous_.emplace(scan_->previous);
        }
    }

    // Returns false once the callback asked to stop.
    bool WalkDir(const fs::path& dir, const std::string& prefix, Glob::State state, int depth);
    const WalkStats& stats() const { return stats_; }

private:
    std::vector<Entry> List(const fs::path& dir);
    bool Visit(const fs::path& dir, const std::string& prefix, const Entry& entry,
               Glob::State state, int depth);
    bool Emit(const fs::path& path, std::string relative);
    // Incremental walks: stamps `dir`; walks the sub-folders of one whose stamp is unchanged
    // and returns true in *done, else returns the index of its stamp in scan_->current.
    bool StampDir(const fs::path& dir, const std::string& prefix, Glob::State state, int depth,
                  bool* done, std::size_t* stamp_index);

    const fs::path& root_;
    const Glob& glob_;
    const std::function<bool(const LocalFile&)>& on_file_;
    std::int64_t max_entries_;  // 0: no budget
    FolderScan* scan_;          // null: a full walk
    std::optional<PreviousFolders> previous_;
    WalkStats stats_;
};

bool Walker::StampDir(const fs::path& dir, const std::string& prefix, Glob::State state, int depth,
                      bool* done, std::size_t* stamp_index) {
    *done = false;
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        ++stats_.unreadable_dirs;
        *done = true;
        return true;
    }
    FolderStamp stamp{prefix, Nanoseconds(st.st_mtim), Nanoseconds(st.st_ctim)};
    if (previous_->Unchanged(stamp)) {
        scan_->current.push_back(stamp);
        scan_->unchanged.insert(prefix);
        *done = true;
        for (const std::string& name : previous_->Children(prefix)) {
            Glob::State next = glob_.Step(state, name);
            if (next != 0 && glob_.CanContinue(next) &&
                !WalkDir(dir / name, prefix.empty() ? name : prefix + "/" + name, next,
                         depth + 1)) {
                return false;
            }
        }
        return true;
    }
    if (std::max(stamp.mtime_ns, stamp.ctime_ns) >= scan_->racy_after_ns) {
        stamp.mtime_ns = FolderStamp::kReadAgain;
    }
    *stamp_index = scan_->current.size();
    scan_->current.push_back(std::move(stamp));
    return true;
}

std::vector<Entry> Walker::List(const fs::path& dir) {
    std::vector<Entry> entries;
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        ++stats_.unreadable_dirs;
        return entries;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        // The entry's type as readdir reported it (d_type): no stat per entry, which at a
        // million files is most of a walk. Filesystems without d_type fall back to lstat.
        std::error_code type_ec;
        Kind kind = Kind::kOther;
        if (it->is_symlink(type_ec)) {
            kind = Kind::kLink;
        } else if (!type_ec && it->is_directory(type_ec)) {
            kind = Kind::kDir;
        } else if (!type_ec && it->is_regular_file(type_ec)) {
            kind = Kind::kFile;
        }
        if (type_ec) {
            continue;
        }
        entries.push_back({it->path().filename().string(), kind});
    }
    if (ec) {
        ++stats_.unreadable_dirs;
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
    return entries;
}

bool Walker::WalkDir(const fs::path& dir, const std::string& prefix, Glob::State state, int depth) {
    if (depth > kMaxDepth) {
        ++stats_.unreadable_dirs;
        return true;
    }
    std::size_t stamp_index = 0;
    if (scan_ != nullptr) {
        bool done = false;
        if (!StampDir(dir, prefix, state, depth, &done, &stamp_index)) {
            return false;
        }
        if (done) {
            return true;
        }
    }
    const std::int64_t unreadable_before = stats_.unreadable_dirs;
    std::vector<Entry> entries = List(dir);
    if (scan_ != nullptr) {
        // A link's target changes without its folder; an unreadable folder was not listed.
        const bool links = std::any_of(entries.begin(), entries.end(),
                                       [](const Entry& e) { return e.kind == Kind::kLink; });
        if (links || stats_.unreadable_dirs != unreadable_before) {
            scan_->current[stamp_index].mtime_ns = FolderStamp::kReadAgain;
        }
    }
    for (const Entry& entry : entries) {
        if (max_entries_ > 0 && stats_.entries >= max_entries_) {
            stats_.entry_budget_spent = true;
            return false;
        }
        ++stats_.entries;
        if (!Visit(dir, prefix, entry, state, depth)) {
            return false;
        }
    }
    return true;
}

bool Walker::Visit(const fs::path& dir, const std::string& prefix, const Entry& entry,
                   Glob::State state, int depth) {
    Glob::State next = glob_.Step(state, entry.name);
    if (next == 0) {
        return true;
    }
    fs::path path = dir / entry.name;
    std::string relative = prefix.empty() ? entry.name : prefix + "/" + entry.name;
    bool wanted_file = glob_.Accepts(next) && HasAcceptedExtension(entry.name);
    switch (entry.kind) {
        case Kind::kFile: return wanted_file ? Emit(path, std::move(relative)) : true;
        case Kind::kDir:
            return glob_.CanContinue(next) ? WalkDir(path, relative, next, depth + 1) : true;
        case Kind::kOther: return true;
        case Kind::kLink: break;
    }
    if (!wanted_file && !glob_.CanContinue(next)) {
        return true;
    }
    std::error_code ec;
    fs::path target = fs::canonical(path, ec);
    if (ec || !IsUnder(target, root_)) {
        ++stats_.refused_links;
        return true;
    }
    auto status = fs::status(target, ec);
    if (!ec && fs::is_directory(status)) {
        ++stats_.skipped_dir_links;
        return true;
    }
    if (!ec && fs::is_regular_file(status) && wanted_file) {
        return Emit(path, std::move(relative));
    }
    return true;
}

bool Walker::Emit(const fs::path& path, std::string relative) {
    ++stats_.files;
    if (!on_file_(LocalFile{std::move(relative), path})) {
        stats_.stopped = true;
        return false;
    }
    return true;
}

}  // namespace

bool HasAcceptedExtension(std::string_view file_name) {
    auto dot = file_name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
        return false;
    }
    const std::string ext = Lower(file_name.substr(dot));
    return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

Result<WalkStats> WalkLocalSource(const fs::path& root, std::string_view pattern,
                                  const std::function<bool(const LocalFile&)>& on_file,
                                  std::int64_t max_entries, FolderScan* scan) {
    TESSERA_ASSIGN_OR_RETURN(Glob glob, Glob::Parse(pattern));
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        return Error::NotFound("datasource folder does not exist: " + root.string());
    }
    Walker walker(root, glob, on_file, max_entries, scan);
    walker.WalkDir(root, "", glob.Start(), 0);
    return walker.stats();
}

}  // namespace tessera
