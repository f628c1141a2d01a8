#pragma once
// Lists the image files of a local-folder datasource: those under `root` whose relative path
// matches the project's glob and whose extension we accept. Streams one file at a time, in a
// stable order (names sorted bytewise, folder by folder, depth first), so the same folder
// always yields the same sequence and item_limit picks the same files.
//
// Memory: one folder's names per level of depth are held while it is listed; nothing else
// accumulates, so ten million files spread over folders stream in small memory.
//
// Symlinks: a link to a file inside root is listed under the link's own path. A link whose
// target leaves root (or is broken) is refused and counted. Links to folders are not followed
// (they would repeat files or loop) and are counted.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/result.hpp"
#include "domain/model.hpp"

namespace tessera {

struct LocalFile {
    std::string relative_path;  // '/'-separated, relative to root
    std::filesystem::path absolute_path;
};

struct WalkStats {
    std::int64_t files = 0;              // handed to the callback
    std::int64_t refused_links = 0;      // symlinks leaving root, or broken
    std::int64_t skipped_dir_links = 0;  // symlinks to folders inside root
    std::int64_t unreadable_dirs = 0;    // folders we could not list (permissions, too deep)
    bool stopped = false;                // the callback asked to stop
    std::int64_t entries = 0;            // directory entries looked at
    bool entry_budget_spent = false;     // stopped at max_entries
};

// An incremental walk (docs/design/datasources.md): a folder whose mtime and ctime still equal
// its stamp in `previous` is not read; its files are taken to be those it had (entries added,
// removed or renamed change a folder's times), and its sub-folders are those `previous` holds
// under it. Every folder reached is still stat'ed.
struct FolderScan {
    std::vector<FolderStamp> previous;  // in: the stamps the last walk left
    // in: a folder whose times are at or after this (ns since the epoch) gets kReadAgain: an entry
    // added within the same clock tick as the stamp would not change it.
    std::int64_t racy_after_ns = 0;
    // out: every folder reached, with its times, or kReadAgain for one that must be read next
    // time (it holds links, whose targets change without the folder, or could not be read).
    std::vector<FolderStamp> current;
    std::unordered_set<std::string> unchanged;  // out: the folders not read
};

// .jpg .jpeg .jpe .jfif .png .bmp .tif .tiff .dcm .dicom, in any letter case.
bool HasAcceptedExtension(std::string_view file_name);

// `root` must be canonical (ProjectService::ResolveLocalPath did that and the permission
// check). The callback returns false to stop. `max_entries` (0: none) stops the walk after that
// many directory entries, matching or not: a preview must not walk a huge tree for a pattern
// that matches little. kInvalidArgument for a bad pattern; kNotFound when root is not a
// readable folder.
Result<WalkStats> WalkLocalSource(const std::filesystem::path& root, std::string_view pattern,
                                  const std::function<bool(const LocalFile&)>& on_file,
                                  std::int64_t max_entries = 0, FolderScan* scan = nullptr);

}  // namespace tessera
