// Time to first view of a huge image through the tile pyramid, and peak memory.
//
//   tessera_tile_bench [--file IMAGE] [--size 40000] [--dir DIR] [--display]
//
// Without --file it first writes a --size x --size tiled, JPEG-compressed TIFF (smooth
// gradients, so it compresses like a photo rather than like noise) into DIR. Then it measures,
// on a cold cache: the pyramid build, the info, and the tiles covering a 1920 x 1080 view at
// fit-to-window level; then a full-resolution view of the centre. Peak RSS is reset (Linux
// /proc/self/clear_refs) before the pyramid phase so the TIFF generation does not count.
// --display also times the display rendition (ImageRenderer) of the same source.
#include <unistd.h>
#include <vips/vips8>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "blobs/image_renderer.hpp"
#include "blobs/source_file.hpp"
#include "blobs/tile_pyramid.hpp"
#include "blobs/vips_init.hpp"

namespace {

namespace fs = std::filesystem;
using tessera::PyramidInfo;
using Clock = std::chrono::steady_clock;

constexpr int kViewWidth = 1920;
constexpr int kViewHeight = 1080;
const tessera::CacheKey kKey{"bench", "i1"};

double SecondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

long StatusKb(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    std::string prefix = std::string(field) + ":";
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0) {
            return std::atol(line.c_str() + prefix.size());
        }
    }
    return -1;
}

void ResetPeakRss() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

void WriteTestTiff(const fs::path& path, int size) {
    vips::VImage xyz = vips::VImage::xyz(size, size);
    vips::VImage x = xyz[0];
    vips::VImage y = xyz[1];
    vips::VImage image = (x % 256).bandjoin(y % 256).bandjoin((x + y) / 2 % 256);
    image.cast(VIPS_FORMAT_UCHAR)
        .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
        .tiffsave(path.c_str(), vips::VImage::option()
                                    ->set("tile", true)
                                    ->set("tile_width", 256)
                                    ->set("tile_height", 256)
                                    ->set("compression", VIPS_FOREIGN_TIFF_COMPRESSION_JPEG)
                                    ->set("Q", 85));
}

// The level a viewer shows when the whole image fits the view: the smallest one that is still
// at least as detailed as the screen (never upscaled).
int FitLevel(const PyramidInfo& info) {
    double scale = std::min(double(kViewWidth) / info.width, double(kViewHeight) / info.height);
    int level = 0;
    while (level + 1 < info.levels && std::ldexp(1.0, -(level + 1)) >= scale) {
        ++level;
    }
    return level;
}

struct ViewResult {
    int tiles = 0;
    double seconds = 0;
};

// Fetches every tile overlapping [x0, x0 + kViewWidth) x [y0, y0 + kViewHeight) of a level.
ViewResult FetchView(tessera::TilePyramid& pyramid, const tessera::SourceRef& source, int level,
                     int x0, int y0) {
    tessera::PyramidInfo info = *pyramid.Info(source, kKey);
    int size = info.tile_size;
    int col_end = std::min(info.Columns(level), (x0 + kViewWidth + size - 1) / size);
    int row_end = std::min(info.Rows(level), (y0 + kViewHeight + size - 1) / size);
    ViewResult result;
    auto start = Clock::now();
    for (int row = y0 / size; row < row_end; ++row) {
        for (int col = x0 / size; col < col_end; ++col) {
            auto tile = pyramid.Tile(source, kKey, level, col, row);
            if (!tile.ok()) {
                std::fprintf(stderr, "tile %d/%d/%d: %s\n", level, col, row,
                             tile.error().message.c_str());
                std::exit(1);
            }
            ++result.tiles;
        }
    }
    result.seconds = SecondsSince(start);
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    fs::path file;
    fs::path dir;
    int size = 40000;
    bool display = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--file" && i + 1 < argc) {
            file = argv[++i];
        } else if (arg == "--size" && i + 1 < argc) {
            size = std::atoi(argv[++i]);
        } else if (arg == "--dir" && i + 1 < argc) {
            dir = argv[++i];
        } else if (arg == "--display") {
            display = true;
        } else {
            std::fprintf(stderr, "usage: %s [--file IMAGE] [--size N] [--dir DIR] [--display]\n",
                         argv[0]);
            return 2;
        }
    }
    if (!tessera::InitVips(argv[0]).ok()) {
        std::fprintf(stderr, "libvips failed to start\n");
        return 1;
    }
    if (dir.empty()) {
        char templ[] = "/tmp/tessera-tile-bench-XXXXXX";
        if (::mkdtemp(templ) == nullptr) {
            std::perror("mkdtemp");
            return 1;
        }
        dir = templ;
    }
    if (file.empty()) {
        file = dir / ("bench-" + std::to_string(size) + ".tif");
        auto start = Clock::now();
        try {
            WriteTestTiff(file, size);
        } catch (const vips::VError& e) {
            std::fprintf(stderr, "cannot write the test TIFF: %s\n", e.what());
            return 1;
        }
        std::printf("wrote %s (%d x %d, %.0f MB) in %.1f s\n", file.c_str(), size, size,
                    static_cast<double>(fs::file_size(file)) / 1e6, SecondsSince(start));
    }
    fs::path cache = dir / "tile-cache";
    fs::remove_all(cache);
    tessera::TilePyramid pyramid(cache);

    ResetPeakRss();
    long rss_before = StatusKb("VmRSS");
    auto start = Clock::now();
    // Opened beneath its folder like every datasource file (blobs/source_file.hpp).
    const tessera::SourceRef source{fs::canonical(file).parent_path(), fs::canonical(file)};
    auto info = pyramid.Info(source, kKey);
    if (!info.ok()) {
        std::fprintf(stderr, "pyramid: %s\n", info.error().message.c_str());
        return 1;
    }
    double build_s = SecondsSince(start);
    int level = FitLevel(*info);
    ViewResult fit = FetchView(pyramid, source, level, 0, 0);
    double first_view_s = SecondsSince(start);
    ViewResult full = FetchView(pyramid, source, 0, std::max(0, info->width / 2 - kViewWidth / 2),
                                std::max(0, info->height / 2 - kViewHeight / 2));
    long peak_kb = StatusKb("VmHWM");

    std::printf("image %d x %d, tile %d, levels %d\n", info->width, info->height, info->tile_size,
                info->levels);
    std::printf("pyramid build + info      %8.2f s\n", build_s);
    std::printf("fit view: level %d, %d tiles %8.4f s\n", level, fit.tiles, fit.seconds);
    std::printf("time to first view        %8.2f s\n", first_view_s);
    std::printf("full-res view: %d tiles    %8.4f s\n", full.tiles, full.seconds);
    std::printf("peak RSS                  %8.1f MB (RSS before build %.1f MB)\n",
                static_cast<double>(peak_kb) / 1024.0, static_cast<double>(rss_before) / 1024.0);

    if (display) {
        ResetPeakRss();
        tessera::ImageRenderer renderer(dir / "render-cache");
        start = Clock::now();
        auto rendered =
            renderer.Render(source, tessera::RenditionSpec::Display(), {"bench", "display"});
        if (!rendered.ok()) {
            std::fprintf(stderr, "display rendition: %s\n", rendered.error().message.c_str());
            return 1;
        }
        std::printf("display rendition         %8.2f s, peak RSS %.1f MB\n", SecondsSince(start),
                    static_cast<double>(StatusKb("VmHWM")) / 1024.0);
    }
    return 0;
}
