#pragma once
// Tile pyramids for images too large to send whole. On the first request for an image, libvips
// writes a DeepZoom folder (512 px JPEG tiles, no overlap) into a disk cache; later requests
// are served straight from those files. Level 0 is full resolution; each level halves (rounding
// up) until the whole image fits in one tile. See docs/design/tiles.md.
//
// The build streams the source top to bottom (libvips sequential access), so a 40,000 x 40,000
// TIFF never sits in memory whole. A pyramid folder is named after the caller's key plus the
// source's mtime and size (an edited source gets a fresh pyramid) and appears atomically:
// written under a temp name, then renamed.
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>

#include "base/result.hpp"

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

class TilePyramid {
public:
    // cache_dir is created on demand. Needs InitVips (blobs/vips_init.hpp).
    explicit TilePyramid(std::filesystem::path cache_dir, TileSpec spec = {});

    // Both build the pyramid on first use. Thread-safe; concurrent calls for the same pyramid
    // build it once and the others wait for it. cache_key names the pyramid (e.g. "p1-i42"):
    // 1-120 characters of [A-Za-z0-9._-].
    // Errors: kInvalidArgument for a bad key, kNotFound when the source is gone (or, for Tile,
    // when level/col/row is outside the pyramid), kFailedPrecondition (with the reason) when the
    // source cannot be decoded, kInternal when the cache cannot be written.
    Result<PyramidInfo> Info(const std::filesystem::path& source, const std::string& cache_key);
    Result<TileFile> Tile(const std::filesystem::path& source, const std::string& cache_key,
                          int level, int col, int row);

    const std::filesystem::path& cache_dir() const { return cache_dir_; }

private:
    struct Built {
        std::filesystem::path dir;
        PyramidInfo info;
    };
    Result<Built> Ensure(const std::filesystem::path& source, const std::string& cache_key);
    Result<std::filesystem::path> CachePath(const std::filesystem::path& source,
                                            const std::string& cache_key) const;
    Status Build(const std::filesystem::path& source, const std::filesystem::path& target);

    std::filesystem::path cache_dir_;
    TileSpec spec_;
    std::mutex mu_;
    std::condition_variable done_;
    std::set<std::string> in_flight_;  // GUARDED_BY(mu_): pyramid folders being built now
};

}  // namespace tessera
