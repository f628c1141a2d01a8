#include "blobs/pyramid_writer.hpp"

#include <vips/vips8>

#include <atomic>
#include <fstream>
#include <system_error>

#include "base/log.hpp"
#include "blobs/image_format.hpp"

namespace tessera::blobs_internal {
namespace {

namespace fs = std::filesystem;

constexpr const char* kInfoFile = "pyramid.txt";
constexpr const char* kDzName = "p";  // dzsave writes p.dzi and p_files/<dz level>/<col>_<row>

// Sequential access lets libvips decode the source strip by strip while dzsave consumes it.
// Rotating by EXIF orientation needs random access; only small camera JPEGs carry it.
vips::VImage OpenOriented(const VipsInput& input) {
    vips::VImage image = input.Load(vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
    if (vips_image_get_orientation(image.get_image()) <= 1) {
        return image;
    }
    return input.Load().autorot();
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

// What libvips' "eval" signal handler sees. The signal may come from a libvips worker thread.
struct EvalWatch {
    const std::function<void(double)>* on_progress;
    const std::function<bool()>* stop;
    std::atomic<bool> stopped{false};
};

void OnEval(VipsImage* image, VipsProgress* progress, void* data) {
    auto* watch = static_cast<EvalWatch*>(data);
    if (*watch->stop && (*watch->stop)()) {
        // Makes the running dzsave fail at its next tile; WritePyramid reports it as a stop.
        watch->stopped = true;
        vips_image_set_kill(image, TRUE);
        return;
    }
    if (*watch->on_progress) {
        (*watch->on_progress)(progress->percent / 100.0);
    }
}

// Connects OnEval for the duration of one dzsave. libvips' operation cache may hand the same
// image to a later build, so the handler (which points at a stack frame) and a kill flag must
// not outlive this one, whether dzsave returns or throws.
class EvalConnection {
public:
    EvalConnection(VipsImage* image, EvalWatch* watch) : image_(image), watch_(watch) {
        vips_image_set_progress(image_, TRUE);
        g_signal_connect(image_, "eval", G_CALLBACK(OnEval), watch_);
    }
    ~EvalConnection() {
        g_signal_handlers_disconnect_by_data(image_, watch_);
        vips_image_set_kill(image_, FALSE);
    }
    EvalConnection(const EvalConnection&) = delete;
    EvalConnection& operator=(const EvalConnection&) = delete;

private:
    VipsImage* image_;
    EvalWatch* watch_;
};

}  // namespace

Status WritePyramid(const SourceFile& source, const fs::path& dir, const TileSpec& spec,
                    const std::function<void(double)>& on_progress,
                    const std::function<bool()>& stop) {
    auto format = SniffFormat(source);
    if (!format.ok()) {
        return Error::FailedPrecondition(format.error().message);
    }
    auto input = VipsInput::From(source, *format);
    if (!input.ok()) {
        return AsUndecodable(input.error());
    }
    PyramidInfo info;
    EvalWatch watch{&on_progress, &stop};
    try {
        vips::VImage image = ToDisplayable(OpenOriented(*input));
        info = {image.width(), image.height(), spec.tile_size,
                PyramidLevels(image.width(), image.height(), spec.tile_size)};
        EvalConnection connection(image.get_image(), &watch);
        std::string suffix = ".jpg[Q=" + std::to_string(spec.quality) + ",strip]";
        image.dzsave((dir / kDzName).c_str(), vips::VImage::option()
                                                  ->set("layout", VIPS_FOREIGN_DZ_LAYOUT_DZ)
                                                  ->set("tile_size", spec.tile_size)
                                                  ->set("overlap", 0)
                                                  ->set("depth", VIPS_FOREIGN_DZ_DEPTH_ONETILE)
                                                  ->set("suffix", suffix.c_str())
                                                  ->set("strip", true));
    } catch (const vips::VError& e) {
        TakeVipsError();
        if (watch.stopped) {
            return Error::Unavailable("tile pyramid build was stopped");
        }
        return Error::FailedPrecondition("cannot decode image: " + OneLine(e.what()));
    }
    // Our level arithmetic and dzsave's must agree, or tiles would be looked up in the wrong
    // folder; refuse the pyramid instead of serving wrong pixels.
    int dz_levels = CountDzLevels(dir / (std::string(kDzName) + "_files"));
    if (dz_levels != info.levels) {
        return Error::Internal("tile pyramid has " + std::to_string(dz_levels) +
                               " levels, expected " + std::to_string(info.levels));
    }
    return WriteInfo(dir, info);
}

Result<PyramidInfo> ReadPyramidInfo(const fs::path& dir) {
    std::ifstream in(dir / kInfoFile);
    PyramidInfo info;
    if (!(in >> info.width >> info.height >> info.tile_size >> info.levels) || info.width < 1 ||
        info.height < 1 || info.tile_size < 1 || info.levels < 1) {
        // The folder is a server path: logged for the operator, kept out of the reply.
        log::Warn("tile pyramid index is unreadable", {{"path", dir.string()}});
        return Error::Internal("tile pyramid index is unreadable");
    }
    return info;
}

fs::path TilePathIn(const fs::path& dir, const PyramidInfo& info, int level, int col, int row) {
    int dz_level = info.levels - 1 - level;
    return dir / (std::string(kDzName) + "_files") / std::to_string(dz_level) /
           (std::to_string(col) + "_" + std::to_string(row) + ".jpg");
}

}  // namespace tessera::blobs_internal
