#pragma once
// Internal to blobs: writing one tile pyramid folder with libvips dzsave, and reading it back.
// TilePyramid (tile_pyramid.hpp) decides when and where; this file knows the folder's layout.
#include <filesystem>
#include <functional>

#include "base/result.hpp"
#include "blobs/tile_pyramid.hpp"

namespace tessera::blobs_internal {

// Writes the pyramid of `source` into the existing, empty folder `dir`: the DeepZoom tiles and
// the index file. on_progress gets the fraction done (0-1) as libvips reports it, possibly from
// a libvips thread; `stop` is asked as often and abandons the build (kUnavailable) when true.
// kFailedPrecondition when the source cannot be decoded, kInternal when dzsave's level count
// disagrees with PyramidLevels or the index cannot be written. Leaves `dir` half-written on
// error: the caller removes it.
Status WritePyramid(const SourceFile& source, const std::filesystem::path& dir,
                    const TileSpec& spec, const std::function<void(double)>& on_progress,
                    const std::function<bool()>& stop);

// The index of a finished pyramid folder; kInternal when it is unreadable.
Result<PyramidInfo> ReadPyramidInfo(const std::filesystem::path& dir);

// Where the tile of our level/col/row lies in a finished folder (DeepZoom counts levels up).
std::filesystem::path TilePathIn(const std::filesystem::path& dir, const PyramidInfo& info,
                                 int level, int col, int row);

}  // namespace tessera::blobs_internal
