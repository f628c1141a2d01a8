#pragma once
// The ingest pipeline every way images arrive shares (the ingest job over a folder today; a
// refresh and uploads hand it their own entries): SourceEntry in listing order -> the header of
// each read through ImageSource::ReadPrefix and probed by ProbeHeader on a small pool of
// threads, with the decoder (a fallback the caller gives) for anything the header reader leaves
// undecided -> items inserted in batches, in the order the entries were added -> progress.
//
// While the pool probes one batch, the caller's thread lists the next entries and inserts the
// batch before, so listing, probing and inserting overlap. Memory stays at two batches.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "blobs/image_probe.hpp"
#include "blobs/image_source.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct IngestPipelineSettings {
    int threads = 0;                      // probing threads; 0: hardware_concurrency()
    std::size_t prefix_bytes = 64 << 10;  // first read of each file; more when a header asks
    std::size_t batch_size = 1000;        // items per InsertItems
};

struct IngestCounts {
    std::int64_t probed = 0;          // entries probed and handed to InsertItems
    std::int64_t inserted = 0;        // rows new to the project (InsertItems skips known paths)
    std::int64_t errors = 0;          // items stored in state error
    std::int64_t large = 0;           // readable items the UI opens through tile pyramids
    std::int64_t decoder_probes = 0;  // entries the header reader left to the fallback
};

class IngestPipeline {
public:
    // The decoder's probe of one entry (for a local folder: VipsImageProber on root/path).
    // Called from pool threads.
    using Fallback = std::function<Result<ImageInfo>(const SourceEntry&)>;
    // Called after each inserted batch with the entries probed so far.
    using Progress = std::function<void(std::int64_t probed)>;
    // Last word on each row before it is inserted (a source id, an upload's name...). Called
    // from pool threads.
    using ItemHook = std::function<void(const SourceEntry&, NewItem&)>;

    // `source` and `repo` outlive the pipeline.
    IngestPipeline(Repository& repo, const Clock& clock, ImageSource& source, Id project_id,
                   Fallback fallback, IngestPipelineSettings settings = {});
    ~IngestPipeline();
    IngestPipeline(const IngestPipeline&) = delete;
    IngestPipeline& operator=(const IngestPipeline&) = delete;

    void set_progress(Progress progress) { progress_ = std::move(progress); }
    void set_item_hook(ItemHook hook) { item_hook_ = std::move(hook); }

    // Queues one entry; may insert an earlier batch (an error from InsertItems stops the
    // pipeline and is returned here and by Finish).
    Status Add(SourceEntry entry);
    // Probes and inserts everything added.
    Status Finish();
    // Stops without inserting what is not inserted yet (an interrupted job); safe to rerun.
    void Abandon();

    const IngestCounts& counts() const { return counts_; }

    // One entry's row, as the pool builds it. Exposed for tests and for callers that probe a
    // single file (an upload just written).
    NewItem Probe(const SourceEntry& entry) const;

private:
    struct Batch;

    void Submit();
    Status InsertOldest();
    void Work();
    NewItem BuildItem(const SourceEntry& entry, bool& used_fallback) const;
    Result<ImageInfo> ProbeInfo(const SourceEntry& entry, bool& used_fallback) const;

    Repository& repo_;
    const Clock& clock_;
    ImageSource& source_;
    Id project_id_;
    Fallback fallback_;
    IngestPipelineSettings settings_;
    Progress progress_;
    ItemHook item_hook_;

    std::unique_ptr<Batch> filling_;
    std::deque<std::unique_ptr<Batch>> in_flight_;  // submitted, oldest first
    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable batch_done_;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
    Status failed_;
    IngestCounts counts_;
};

}  // namespace tessera
