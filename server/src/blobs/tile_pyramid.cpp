#include "blobs/tile_pyramid.hpp"

#include <unistd.h>
#include <vips/vips8>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <system_error>

#include "blobs/cache_keys.hpp"
#include "blobs/image_format.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using blobs_internal::OneLine;

constexpr const char* kInfoFile = "pyramid.txt";
constexpr const char* kDzName = "p";  // dzsave writes p.dzi and p_files/<dz level>/<col>_<row>

using blobs_internal::Hex;
using blobs_internal::IsSafeKey;
using blobs_internal::ShardOf;
using blobs_internal::TempSuffix;
using blobs_internal::ToDisplayable;

int CeilShift(int value, int level) {
    std::int64_t divisor = std::int64_t{1} << level;
    return static_cast<int>((value + divisor - 1) / divisor);
}

int CeilDiv(int value, int divisor) {
    return (value + divisor - 1) / divisor;
}

// Sequential access lets libvips decode the source strip by strip while dzsave consumes it.
// Rotating by EXIF orientation needs random access; only small camera JPEGs carry it.
vips::VImage OpenOriented(const fs::path& source) {
    vips::VImage image = vips::VImage::new_from_file(
        source.c_str(), vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
    if (vips_image_get_orientation(image.get_image()) <= 1) {
        return image;
    }
    return vips::VImage::new_from_file(source.c_str()).autorot();
}

Result<PyramidInfo> ReadInfo(const fs::path& dir) {
    std::ifstream in(dir / kInfoFile);
    PyramidInfo info;
    if (!(in >> info.width >> info.height >> info.tile_size >> info.levels) || info.width < 1 ||
        info.height < 1 || info.tile_size < 1 || info.levels < 1) {
        return Error::Internal("tile pyramid index is unreadable: " + dir.string());
    }
    return info;
}

Status WriteInfo(const fs::path& dir, const PyramidInfo& info) {
    std::ofstream out(dir / kInfoFile);
    out << info.width << ' ' << info.height << ' ' << info.tile_size << ' ' << info.levels << '\n';
    out.close();
    if (!out) {
        return Error::Internal("cannot write the tile pyramid index");
    }
    return Status::Ok();
}

// dzsave numbers levels from the smallest (0) up; ours count down from full resolution.
int CountDzLevels(const fs::path& dz_files) {
    int count = 0;
    std::error_code ec;
    while (fs::is_directory(dz_files / std::to_string(count), ec)) {
        ++count;
    }
    return count;
}

}  // namespace

int PyramidInfo::LevelWidth(int level) const {
    return CeilShift(width, level);
}
int PyramidInfo::LevelHeight(int level) const {
    return CeilShift(height, level);
}
int PyramidInfo::Columns(int level) const {
    return CeilDiv(LevelWidth(level), tile_size);
}
int PyramidInfo::Rows(int level) const {
    return CeilDiv(LevelHeight(level), tile_size);
}

int PyramidLevels(int width, int height, int tile_size) {
    int levels = 1;
    while (CeilShift(width, levels - 1) > tile_size || CeilShift(height, levels - 1) > tile_size) {
        ++levels;
    }
    return levels;
}

TilePyramid::TilePyramid(fs::path cache_dir, TileSpec spec)
    : cache_dir_(std::move(cache_dir)), spec_(spec) {}

Result<fs::path> TilePyramid::CachePath(const fs::path& source,
                                        const std::string& cache_key) const {
    std::error_code ec;
    auto status = fs::status(source, ec);
    if (ec || !fs::is_regular_file(status)) {
        return Error::NotFound("source image is missing: " + source.string());
    }
    auto size = fs::file_size(source, ec);
    auto mtime = fs::last_write_time(source, ec);
    if (ec) {
        return Error::NotFound("source image is unreadable: " + ec.message());
    }
    auto mtime_ticks = static_cast<std::uint64_t>(mtime.time_since_epoch().count());
    std::string name = cache_key + "_" + Hex(mtime_ticks) + "_" + Hex(size) + "_t" +
                       std::to_string(spec_.tile_size) + "q" + std::to_string(spec_.quality);
    return cache_dir_ / ShardOf(cache_key) / name;
}

Result<TilePyramid::Built> TilePyramid::Ensure(const fs::path& source,
                                               const std::string& cache_key) {
    if (!IsSafeKey(cache_key)) {
        return Error::InvalidArgument("bad tile pyramid cache key");
    }
    if (spec_.tile_size < 16 || spec_.quality < 1 || spec_.quality > 100) {
        return Error::InvalidArgument("bad tile size or quality");
    }
    if (blobs_internal::HasDicomExtension(source)) {
        return Error::FailedPrecondition("DICOM support arrives with a later issue");
    }
    TESSERA_ASSIGN_OR_RETURN(fs::path target, CachePath(source, cache_key));
    std::error_code ec;
    if (!fs::exists(target, ec)) {
        {
            std::unique_lock lock(mu_);
            done_.wait(lock, [&] { return in_flight_.count(target.string()) == 0; });
            if (fs::exists(target, ec)) {
                lock.unlock();
                TESSERA_ASSIGN_OR_RETURN(PyramidInfo info, ReadInfo(target));
                return Built{target, info};
            }
            in_flight_.insert(target.string());
        }
        Status built = Build(source, target);
        {
            std::lock_guard lock(mu_);
            in_flight_.erase(target.string());
        }
        done_.notify_all();
        TESSERA_TRY(built);
    }
    TESSERA_ASSIGN_OR_RETURN(PyramidInfo info, ReadInfo(target));
    return Built{target, info};
}

Status TilePyramid::Build(const fs::path& source, const fs::path& target) {
    auto format = blobs_internal::SniffFormat(source);
    if (!format.ok()) {
        return Error::FailedPrecondition(format.error().message);
    }
    fs::path temp = target;
    temp += TempSuffix();
    std::error_code ec;
    fs::create_directories(temp, ec);
    if (ec) {
        return Error::Internal("cannot create tile cache folder: " + ec.message());
    }
    auto cleanup = [&temp] {
        std::error_code ignored;
        fs::remove_all(temp, ignored);
    };
    PyramidInfo info;
    try {
        vips::VImage image = ToDisplayable(OpenOriented(source));
        info = {image.width(), image.height(), spec_.tile_size,
                PyramidLevels(image.width(), image.height(), spec_.tile_size)};
        std::string suffix = ".jpg[Q=" + std::to_string(spec_.quality) + ",strip]";
        image.dzsave((temp / kDzName).c_str(), vips::VImage::option()
                                                   ->set("layout", VIPS_FOREIGN_DZ_LAYOUT_DZ)
                                                   ->set("tile_size", spec_.tile_size)
                                                   ->set("overlap", 0)
                                                   ->set("depth", VIPS_FOREIGN_DZ_DEPTH_ONETILE)
                                                   ->set("suffix", suffix.c_str())
                                                   ->set("strip", true));
    } catch (const vips::VError& e) {
        blobs_internal::TakeVipsError();
        cleanup();
        return Error::FailedPrecondition("cannot decode image: " + OneLine(e.what()));
    }
    // Our level arithmetic and dzsave's must agree, or tiles would be looked up in the wrong
    // folder; refuse the pyramid instead of serving wrong pixels.
    int dz_levels = CountDzLevels(temp / (std::string(kDzName) + "_files"));
    if (dz_levels != info.levels) {
        cleanup();
        return Error::Internal("tile pyramid has " + std::to_string(dz_levels) +
                               " levels, expected " + std::to_string(info.levels));
    }
    if (Status written = WriteInfo(temp, info); !written.ok()) {
        cleanup();
        return written;
    }
    fs::rename(temp, target, ec);
    if (ec) {
        cleanup();
        // Another process may have finished the same pyramid first; theirs is as good.
        if (fs::exists(target / kInfoFile)) {
            return Status::Ok();
        }
        return Error::Internal("cannot store tile pyramid: " + ec.message());
    }
    return Status::Ok();
}

Result<PyramidInfo> TilePyramid::Info(const fs::path& source, const std::string& cache_key) {
    TESSERA_ASSIGN_OR_RETURN(Built built, Ensure(source, cache_key));
    return built.info;
}

Result<TileFile> TilePyramid::Tile(const fs::path& source, const std::string& cache_key, int level,
                                   int col, int row) {
    TESSERA_ASSIGN_OR_RETURN(Built built, Ensure(source, cache_key));
    const PyramidInfo& info = built.info;
    if (level < 0 || level >= info.levels || col < 0 || col >= info.Columns(level) || row < 0 ||
        row >= info.Rows(level)) {
        return Error::NotFound("no such tile");
    }
    int dz_level = info.levels - 1 - level;
    fs::path path = built.dir / (std::string(kDzName) + "_files") / std::to_string(dz_level) /
                    (std::to_string(col) + "_" + std::to_string(row) + ".jpg");
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        return Error::Internal("tile pyramid is missing a tile: " + path.string());
    }
    return TileFile{path, built.dir.filename().string()};
}

}  // namespace tessera
