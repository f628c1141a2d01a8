#pragma once
// Tile pyramids for images too large to send whole. libvips writes a DeepZoom folder (512 px
// JPEG tiles, no overlap) into a disk cache, ahead of time (a job calls Info) or in the
// background when a viewer asks first (Poll); tiles are then served straight from those files.
// Level 0 is full resolution; each level halves (rounding up) until the whole image fits in one
// tile. See docs/design/tiles.md.
//
// The build streams the source top to bottom (libvips sequential access), so a 40,000 x 40,000
// TIFF never sits in memory whole. A pyramid folder is named after the caller's key plus the
// source's mtime and size (an edited source gets a fresh pyramid, and the old one is removed
// once the new one is in place) and appears atomically: written under a temp name, then
// renamed. One build runs at a time per TilePyramid; while it runs, a small marker file next to
// its folder carries its progress, so other processes sharing the cache can report it too.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "base/result.hpp"
#include "blobs/cache_key.hpp"
#include "blobs/source_file.hpp"

namespace tessera {

struct PyramidInfo {
    int width = 0;  // full resolution, EXIF orientation applied
    int height = 0;
    int tile_size = 0;
    int levels = 0;  // >= 1; level levels-1 fits in one tile

    // Size of a level (ceil(width / 2^level)) and how many tiles it has across and down.
    int LevelWidth(int level) const;
    int LevelHeight(int level) const;
    int Columns(int level) const;
    int Rows(int level) const;
};

// The number of levels for an image of this size: 1 when it already fits in one tile.
int PyramidLevels(int width, int height, int tile_size);

struct TileSpec {
    int tile_size = 512;
    int quality = 85;  // JPEG quality
};

struct TileFile {
    std::filesystem::path path;  // a JPEG ready to send
    std::string version;         // changes whenever the pyramid is rebuilt; [A-Za-z0-9._-]
};

// What Poll found: a finished pyramid, or one being built (or queued to be).
struct PyramidStatus {
    bool ready = false;
    double progress = 0;  // 0-1 while building; libvips' own estimate
    PyramidInfo info;     // when ready
};

class TilePyramid {
public:
    using StopFn = std::function<bool()>;

    // cache_dir is created on demand. Needs InitVips (blobs/vips_init.hpp).
    explicit TilePyramid(std::filesystem::path cache_dir, TileSpec spec = {});
    // Stops the background build (its temp folder is removed) and drops the queued ones.
    ~TilePyramid();
    TilePyramid(const TilePyramid&) = delete;
    TilePyramid& operator=(const TilePyramid&) = delete;

    // All methods are thread-safe. A key's group and name are 1-120 characters of
    // [A-Za-z0-9._-], not starting with '.'.
    // Every call opens the source through SourceFile (source_file.hpp), also to name the
    // pyramid, so a source that now resolves outside its root is neither built nor served.
    // Errors shared by all: kInvalidArgument for a bad key, kNotFound when the source is gone,
    // kPermissionDenied when it resolves outside its root, kFailedPrecondition (with the
    // reason) when the source cannot be decoded, kInternal when the cache cannot be written.
    // Messages name no source path.

    // Builds the pyramid on the calling thread unless it exists, and describes it. Waits for a
    // build of the same pyramid already running (here, or in another process sharing the
    // cache) and for any other build of this object to finish first. `stop` is asked during
    // the build; when it answers true the build is abandoned with kUnavailable.
    Result<PyramidInfo> Info(const SourceRef& source, const CacheKey& key, const StopFn& stop = {});
    // Never waits for a build: ready with the info when the pyramid exists, else its build's
    // progress. When nobody is building it, queues a build on this object's background thread
    // (the most recently polled pyramid is built first). A build that failed is reported as
    // its error (decoding errors until the source changes; others once, then retried).
    Result<PyramidStatus> Poll(const SourceRef& source, const CacheKey& key);
    // A tile of a finished pyramid. Never builds: kUnavailable when the pyramid is not built
    // yet, kNotFound when level/col/row is outside it.
    Result<TileFile> Tile(const SourceRef& source, const CacheKey& key, int level, int col,
                          int row);
    // Removes every pyramid of the group (a deleted project's); returns how many files and
    // folders went.
    Result<std::uintmax_t> RemoveGroup(const std::string& group);

    const std::filesystem::path& cache_dir() const { return cache_dir_; }
    const TileSpec& spec() const { return spec_; }

private:
    struct Queued {
        SourceRef source;
        CacheKey key;
        std::string target;
    };

    Status CheckRequest(const SourceRef& source, const CacheKey& key) const;
    std::filesystem::path CachePath(const SourceFile& source, const CacheKey& key) const;
    // `urgent` builds (a viewer is waiting) get the build slot before the job's next one.
    Result<PyramidInfo> Ensure(const SourceRef& source, const CacheKey& key, const StopFn& stop,
                               bool urgent);
    class SlotGuard;
    // Waits while another process's build of `target` is alive; true when it finished it.
    bool WaitForOtherProcess(const std::filesystem::path& target, const StopFn& stop);
    Status Build(const SourceFile& source, const std::filesystem::path& target, const StopFn& stop);
    void SetProgress(const std::string& target, double progress);
    void RememberFailure(const std::string& target, const Error& error);
    void BackgroundLoop();

    std::filesystem::path cache_dir_;
    TileSpec spec_;
    std::mutex mu_;
    std::condition_variable done_;
    std::condition_variable slot_free_;
    bool building_ = false;   // GUARDED_BY(mu_): the one build slot is taken
    int urgent_waiting_ = 0;  // GUARDED_BY(mu_): urgent builds waiting for the slot
    std::condition_variable queue_changed_;
    std::map<std::string, double> in_flight_;  // GUARDED_BY(mu_): target folder -> progress
    std::map<std::string, Error> failed_;      // GUARDED_BY(mu_): target folder -> why
    std::deque<Queued> queue_;                 // GUARDED_BY(mu_): newest first
    std::set<std::string> queued_;             // GUARDED_BY(mu_): targets in queue_ or building
    std::thread background_;                   // started by the first Poll that queues
    std::atomic<bool> stopping_{false};
};

}  // namespace tessera
