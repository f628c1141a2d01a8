#include "blobs/tile_pyramid.hpp"

#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <system_error>

#include "base/log.hpp"
#include "blobs/cache_keys.hpp"
#include "blobs/image_format.hpp"
#include "blobs/pyramid_writer.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A build rewrites its marker at least this often while libvips reports progress...
constexpr auto kMarkerInterval = 1s;
// ...so a marker older than this belongs to a process that died mid-build.
constexpr auto kMarkerStaleAfter = 30s;
// How often Info looks again while another process builds the pyramid it needs.
constexpr auto kOtherProcessPoll = 250ms;
// Polled pyramids waiting for the background thread; the oldest are dropped beyond this (a
// viewer that still wants one polls again and queues it anew).
constexpr std::size_t kMaxQueued = 64;
// Remembered failures; forgotten wholesale beyond this (the next Poll simply retries).
constexpr std::size_t kMaxFailures = 1024;

int CeilShift(int value, int level) {
    std::int64_t divisor = std::int64_t{1} << level;
    return static_cast<int>((value + divisor - 1) / divisor);
}

int CeilDiv(int value, int divisor) {
    return (value + divisor - 1) / divisor;
}

fs::path MarkerOf(const fs::path& target) {
    fs::path marker = target;
    marker += ".building";
    return marker;
}

void WriteMarker(const fs::path& marker, double progress) {
    std::ofstream out(marker, std::ios::trunc);
    out << progress << '\n';
}

// The progress in a live marker; nothing when there is none or its writer stopped writing.
std::optional<double> ReadFreshMarker(const fs::path& target) {
    fs::path marker = MarkerOf(target);
    std::error_code ec;
    auto written = fs::last_write_time(marker, ec);
    if (ec || fs::file_time_type::clock::now() - written > kMarkerStaleAfter) {
        return std::nullopt;
    }
    std::ifstream in(marker);
    double progress = 0;
    if (!(in >> progress) || progress < 0 || progress > 1) {
        progress = 0;  // caught between truncate and write
    }
    return progress;
}

// An edited source gets a new folder; the folders of its earlier versions are dead weight.
void RemoveOtherVersions(const fs::path& target, const std::string& name) {
    std::error_code ec;
    std::string current = target.filename().string();
    for (const auto& entry : fs::directory_iterator(target.parent_path(), ec)) {
        std::string entry_name = entry.path().filename().string();
        if (blobs_internal::IsOtherVersion(entry_name, current, name)) {
            std::error_code removed;
            fs::remove_all(entry.path(), removed);
            if (removed) {
                log::Warn("cannot remove an old tile pyramid",
                          {{"path", entry.path().string()}, {"error", removed.message()}});
            }
        }
    }
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

// Holds the one build slot of a TilePyramid for the whole of a build. Waiting urgent builds go
// first, so a viewer's image is built right after the current one, not after the job's queue.
// A viewer's poll counts as waiting from the moment it is queued (queued_ holds it until the
// background thread has finished it), not only once that thread reaches this guard: otherwise
// a job build that ends just then could take the slot again before the thread wakes up.
class TilePyramid::SlotGuard {
public:
    SlotGuard(TilePyramid& owner, bool urgent) : owner_(owner) {
        std::unique_lock lock(owner_.mu_);
        if (urgent) {
            ++owner_.urgent_waiting_;
        }
        owner_.slot_free_.wait(lock, [&] {
            return !owner_.building_ && (urgent || (owner_.urgent_waiting_ == 0 &&
                                                    (owner_.queued_.empty() || owner_.stopping_)));
        });
        if (urgent) {
            --owner_.urgent_waiting_;
        }
        owner_.building_ = true;
    }
    ~SlotGuard() {
        {
            std::lock_guard lock(owner_.mu_);
            owner_.building_ = false;
        }
        owner_.slot_free_.notify_all();
    }
    SlotGuard(const SlotGuard&) = delete;
    SlotGuard& operator=(const SlotGuard&) = delete;

private:
    TilePyramid& owner_;
};

TilePyramid::TilePyramid(fs::path cache_dir, TileSpec spec)
    : cache_dir_(std::move(cache_dir)), spec_(spec) {}

TilePyramid::~TilePyramid() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        queue_.clear();
    }
    queue_changed_.notify_all();
    slot_free_.notify_all();
    if (background_.joinable()) {
        background_.join();
    }
}

Status TilePyramid::CheckRequest(const SourceRef& source, const CacheKey& key) const {
    TESSERA_TRY(blobs_internal::CheckKey(key));
    if (spec_.tile_size < 16 || spec_.quality < 1 || spec_.quality > 100) {
        return Error::InvalidArgument("bad tile size or quality");
    }
    if (blobs_internal::HasDicomExtension(source.path)) {
        return Error::FailedPrecondition(
            "DICOM images are not tiled: their frames and window/level are rendered whole by "
            "the image endpoint (frame=, wc=, ww=)");
    }
    return Status::Ok();
}

fs::path TilePyramid::CachePath(const SourceFile& source, const CacheKey& key) const {
    std::string spec = "t" + std::to_string(spec_.tile_size) + "q" + std::to_string(spec_.quality);
    std::string name = blobs_internal::VersionedName(source, key.name, spec);
    return blobs_internal::ShardDir(cache_dir_, key) / name;
}

Result<PyramidInfo> TilePyramid::Info(const SourceRef& source, const CacheKey& key,
                                      const StopFn& stop) {
    TESSERA_TRY(CheckRequest(source, key));
    return Ensure(source, key, stop, /*urgent=*/false);
}

Result<PyramidInfo> TilePyramid::Ensure(const SourceRef& source, const CacheKey& key,
                                        const StopFn& stop, bool urgent) {
    TESSERA_ASSIGN_OR_RETURN(SourceFile file, SourceFile::Open(source));
    fs::path target = CachePath(file, key);
    std::error_code ec;
    if (fs::exists(target, ec)) {
        return blobs_internal::ReadPyramidInfo(target);
    }
    const std::string id = target.string();
    {
        std::unique_lock lock(mu_);
        done_.wait(lock, [&] { return in_flight_.count(id) == 0; });
        if (fs::exists(target, ec)) {
            lock.unlock();
            return blobs_internal::ReadPyramidInfo(target);
        }
        in_flight_[id] = 0;
    }
    Result<PyramidInfo> result = [&]() -> Result<PyramidInfo> {
        SlotGuard slot(*this, urgent);
        if (fs::exists(target, ec) || WaitForOtherProcess(target, stop)) {
            return blobs_internal::ReadPyramidInfo(target);
        }
        if (stop && stop()) {
            return Error::Unavailable("tile pyramid build was stopped");
        }
        TESSERA_TRY(Build(file, target, stop));
        RemoveOtherVersions(target, key.name);
        return blobs_internal::ReadPyramidInfo(target);
    }();
    {
        std::lock_guard lock(mu_);
        in_flight_.erase(id);
        if (!result.ok()) {
            RememberFailure(id, result.error());
        }
    }
    done_.notify_all();
    return result;
}

bool TilePyramid::WaitForOtherProcess(const fs::path& target, const StopFn& stop) {
    std::error_code ec;
    while (ReadFreshMarker(target).has_value()) {
        if (stop && stop()) {
            return false;
        }
        std::this_thread::sleep_for(kOtherProcessPoll);
        if (fs::exists(target, ec)) {
            return true;
        }
    }
    return fs::exists(target, ec);
}

Status TilePyramid::Build(const SourceFile& source, const fs::path& target, const StopFn& stop) {
    fs::path temp = target;
    temp += blobs_internal::TempSuffix();
    std::error_code ec;
    fs::create_directories(temp, ec);
    if (ec) {
        return Error::Internal("cannot create tile cache folder: " + ec.message());
    }
    const fs::path marker = MarkerOf(target);
    WriteMarker(marker, 0);
    std::mutex marker_mu;
    auto last_write = std::chrono::steady_clock::now();
    double last_progress = 0;
    auto on_progress = [&](double progress) {
        SetProgress(target.string(), progress);
        std::lock_guard lock(marker_mu);
        auto now = std::chrono::steady_clock::now();
        if (now - last_write >= kMarkerInterval || progress - last_progress >= 0.01) {
            WriteMarker(marker, progress);
            last_write = now;
            last_progress = progress;
        }
    };
    Status written = blobs_internal::WritePyramid(source, temp, spec_, on_progress, stop);
    std::error_code ignored;
    fs::remove(marker, ignored);
    if (!written.ok()) {
        fs::remove_all(temp, ignored);
        return written;
    }
    fs::rename(temp, target, ec);
    if (ec) {
        fs::remove_all(temp, ignored);
        // Another process may have finished the same pyramid first; theirs is as good.
        if (fs::exists(target, ignored)) {
            return Status::Ok();
        }
        return Error::Internal("cannot store tile pyramid: " + ec.message());
    }
    return Status::Ok();
}

void TilePyramid::SetProgress(const std::string& target, double progress) {
    std::lock_guard lock(mu_);
    auto it = in_flight_.find(target);
    if (it != in_flight_.end()) {
        it->second = progress;
    }
}

void TilePyramid::RememberFailure(const std::string& target, const Error& error) {
    // A stop is not the pyramid's fault, and a vanished source is reported by CachePath.
    if (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kNotFound) {
        return;
    }
    if (failed_.size() >= kMaxFailures) {
        failed_.clear();
    }
    failed_[target] = error;
}

Result<PyramidStatus> TilePyramid::Poll(const SourceRef& source, const CacheKey& key) {
    TESSERA_TRY(CheckRequest(source, key));
    TESSERA_ASSIGN_OR_RETURN(SourceFile file, SourceFile::Open(source));
    fs::path target = CachePath(file, key);
    std::error_code ec;
    if (fs::exists(target, ec)) {
        TESSERA_ASSIGN_OR_RETURN(PyramidInfo info, blobs_internal::ReadPyramidInfo(target));
        return PyramidStatus{true, 1, info};
    }
    const std::string id = target.string();
    {
        std::lock_guard lock(mu_);
        if (auto it = in_flight_.find(id); it != in_flight_.end()) {
            return PyramidStatus{false, it->second, {}};
        }
        if (auto it = failed_.find(id); it != failed_.end()) {
            Error error = it->second;
            // Decoding errors stay until the source changes (a new target); others may pass.
            if (error.code != ErrorCode::kFailedPrecondition) {
                failed_.erase(it);
            }
            return error;
        }
        if (queued_.count(id) > 0) {
            return PyramidStatus{false, 0, {}};
        }
    }
    if (std::optional<double> elsewhere = ReadFreshMarker(target)) {
        return PyramidStatus{false, *elsewhere, {}};
    }
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return Error::Unavailable("tile pyramids are shutting down");
        }
        if (queued_.insert(id).second) {
            queue_.push_front({source, key, id});
            if (queue_.size() > kMaxQueued) {
                queued_.erase(queue_.back().target);
                queue_.pop_back();
            }
        }
        if (!background_.joinable()) {
            background_ = std::thread([this] { BackgroundLoop(); });
        }
    }
    queue_changed_.notify_one();
    return PyramidStatus{false, 0, {}};
}

void TilePyramid::BackgroundLoop() {
    const StopFn stop = [this] { return stopping_.load(); };
    for (;;) {
        Queued next;
        {
            std::unique_lock lock(mu_);
            queue_changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) {
                return;
            }
            next = std::move(queue_.front());
            queue_.pop_front();
        }
        auto built = Ensure(next.source, next.key, stop, /*urgent=*/true);
        if (!built.ok() && built.error().code != ErrorCode::kUnavailable) {
            log::Warn("tile pyramid build failed",
                      {{"source", next.source.path.string()}, {"error", built.error().message}});
        }
        {
            std::lock_guard lock(mu_);
            queued_.erase(next.target);
        }
        slot_free_.notify_all();  // a job build may have waited for the queue to drain
    }
}

Result<TileFile> TilePyramid::Tile(const SourceRef& source, const CacheKey& key, int level, int col,
                                   int row) {
    TESSERA_TRY(CheckRequest(source, key));
    TESSERA_ASSIGN_OR_RETURN(SourceFile file, SourceFile::Open(source));
    fs::path target = CachePath(file, key);
    std::error_code ec;
    if (!fs::exists(target, ec)) {
        return Error::Unavailable("the tile pyramid is not built yet");
    }
    TESSERA_ASSIGN_OR_RETURN(PyramidInfo info, blobs_internal::ReadPyramidInfo(target));
    if (level < 0 || level >= info.levels || col < 0 || col >= info.Columns(level) || row < 0 ||
        row >= info.Rows(level)) {
        return Error::NotFound("no such tile");
    }
    fs::path path = blobs_internal::TilePathIn(target, info, level, col, row);
    if (!fs::is_regular_file(path, ec)) {
        log::Warn("tile pyramid is missing a tile", {{"path", path.string()}});
        return Error::Internal("tile pyramid is missing a tile");
    }
    return TileFile{path, target.filename().string()};
}

Result<std::uintmax_t> TilePyramid::RemoveGroup(const std::string& group) {
    return blobs_internal::RemoveGroup(cache_dir_, group);
}

}  // namespace tessera
