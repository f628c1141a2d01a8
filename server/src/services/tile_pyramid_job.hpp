#pragma once
// The "tile_pyramids" job (payload {"project_id": N}): builds, ahead of any viewer, the tile
// pyramid of every item too large to send whole, so that opening one shows tiles at once
// instead of waiting for the build. Queued by the ingest job when it registered such items.
// Re-running it is safe: finished pyramids are found on disk and skipped.
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "blobs/tile_pyramid.hpp"
#include "jobs/job_runner.hpp"
#include "storage/repository.hpp"

namespace tessera {

// The drawing UI opens images larger than this on either side through tiles
// (web/src/canvas/image_layer.ts, kTiledThreshold); keep the two equal.
constexpr int kTiledAboveSide = 8000;

// DICOM items never get one: a tile is one rendering, while a DICOM item is viewed by frame and
// window/level, which the image endpoint renders whole (frame=, wc=, ww=); the UI opens DICOM
// items there whatever their size (web/src/app/views/drawing/image_source.ts).
inline bool WantsTilePyramid(int width, int height, std::string_view format) {
    return (width > kTiledAboveSide || height > kTiledAboveSide) && format != "dicom";
}

class DatasourceOpener;

class TilePyramidJob final : public JobHandler {
public:
    static constexpr const char* kKind = "tile_pyramids";

    // `opener` reads items of datasource kinds other than "local" (a blob's cached copy).
    TilePyramidJob(Repository& repo, TilePyramid& pyramid, DatasourceOpener* opener = nullptr);

    // Queues the job for `project_id`: ingest and refresh call it when they registered items
    // that WantsTilePyramid, so their run (and the queue it opens) is not held up by minutes
    // of pixel work. A re-run finds the pyramids built and finishes at once.
    static Status Enqueue(Repository& repo, Id project_id, TimeMs now);

    // Thread-safe. Builds one pyramid at a time (TilePyramid allows no more per process) in
    // item id order, reporting items done / items to build. kDone for a deleted project
    // (nothing left to prepare); kFailed naming how many could not be built and the first
    // reason, after trying them all; kInterrupted on shutdown, midway through a build.
    JobOutcome Run(const Job& job, JobContext& context, std::string& error) override;

private:
    Repository& repo_;
    TilePyramid& pyramid_;
    DatasourceOpener* opener_;
};

}  // namespace tessera
