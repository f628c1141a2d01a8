#pragma once
// JPEG renditions (display size and thumbnails) of source images, made with libvips on first
// request and kept in a disk cache. A cached file is named after the caller's key plus the
// source's mtime and size, so an edited source gets a fresh rendition and an unchanged one is
// served from disk. Files appear atomically (written to a temp name, then renamed). The
// renditions of one key group (a project) are removed together with RemoveGroup.
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>

#include "base/result.hpp"
#include "blobs/cache_key.hpp"
#include "blobs/dicom_image.hpp"
#include "blobs/source_file.hpp"

namespace tessera {

struct RenditionSpec {
    int max_side = 2048;  // longest side in pixels; smaller images are never enlarged
    int quality = 85;     // JPEG quality
    // DICOM sources only (rendered as PNG): the frame and window. Other sources refuse a
    // frame other than 0 or a window.
    DicomView dicom;

    static RenditionSpec Display() { return {2048, 85, {}}; }
    static RenditionSpec Thumbnail() { return {256, 80, {}}; }
};

// Renditions with a window of the viewer's choosing (the window/level tool asks for many) are
// cached too, but only the latest this many of them: the oldest file goes when one more is made.
inline constexpr std::size_t kMaxWindowRenditions = 256;

class ImageRenderer {
public:
    // cache_dir is created on demand. Needs InitVips (blobs/vips_init.hpp).
    explicit ImageRenderer(std::filesystem::path cache_dir);

    // Thread-safe; concurrent calls for the same rendition render it once. The key names the
    // rendition (e.g. {"p1", "i42-display"}); group and name are 1-120 characters of
    // [A-Za-z0-9._-], not starting with '.'.
    // The source is read only through SourceFile (source_file.hpp), also to name the cached
    // file, so a source that now resolves outside its root is never rendered nor served.
    // Errors: kInvalidArgument for a bad key, kNotFound when the source is gone,
    // kPermissionDenied when it resolves outside its root, kFailedPrecondition (with the reason)
    // when it cannot be decoded, kInternal when the cache cannot be written. Messages name no
    // source path. DICOM (.dcm, .dicom) renditions are PNG, the others JPEG; a frame out of
    // range, or a frame or window for a source that is not DICOM (or a window for a colour
    // one), is kInvalidArgument.
    Result<std::filesystem::path> Render(const SourceRef& source, RenditionSpec spec,
                                         const CacheKey& key);
    // Removes every rendition of the group (a deleted project's); returns how many files and
    // folders went. A render of that group still running may leave its file behind.
    Result<std::uintmax_t> RemoveGroup(const std::string& group);

    const std::filesystem::path& cache_dir() const { return cache_dir_; }

private:
    std::filesystem::path CachePath(const SourceFile& source, const RenditionSpec& spec,
                                    const CacheKey& key, bool dicom) const;
    Status RenderTo(const SourceFile& source, const RenditionSpec& spec,
                    const std::filesystem::path& target);
    Status RenderDicomTo(const SourceFile& source, const RenditionSpec& spec,
                         const std::filesystem::path& target);
    // Remembers a rendition with a chosen window, removing the oldest beyond the bound.
    void KeepWindowRendition(const std::filesystem::path& path);

    std::filesystem::path cache_dir_;
    std::mutex mu_;
    std::condition_variable done_;
    std::set<std::string> in_flight_;  // GUARDED_BY(mu_): cache files being rendered now
    std::deque<std::filesystem::path> window_renditions_;  // GUARDED_BY(mu_): oldest first
};

}  // namespace tessera
