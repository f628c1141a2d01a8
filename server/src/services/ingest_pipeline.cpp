#include "services/ingest_pipeline.hpp"

#include <algorithm>
#include <utility>

#include "blobs/dicom_image.hpp"
#include "blobs/header_probe.hpp"
#include "services/tile_pyramid_job.hpp"

namespace tessera {
namespace {

// A header that keeps asking for more after this many reads is left to the decoder.
constexpr int kMaxPrefixReads = 6;
// Entries a worker takes at once: fewer lock round trips, still fair between threads.
constexpr std::size_t kGrab = 8;

}  // namespace

struct IngestPipeline::Batch {
    std::vector<SourceEntry> entries;
    std::vector<NewItem> items;
    std::size_t next = 0;             // the next entry to hand a worker; guarded by mutex_
    std::size_t left = 0;             // entries not probed yet; guarded by mutex_
    std::int64_t decoder_probes = 0;  // guarded by mutex_
};

IngestPipeline::IngestPipeline(Repository& repo, const Clock& clock, ImageSource& source,
                               Id project_id, Fallback fallback, IngestPipelineSettings settings)
    : repo_(repo),
      clock_(clock),
      source_(source),
      project_id_(project_id),
      fallback_(std::move(fallback)),
      settings_(settings) {
    settings_.batch_size = std::max<std::size_t>(settings_.batch_size, 1);
    settings_.prefix_bytes = std::max<std::size_t>(settings_.prefix_bytes, 64);
    int threads = settings_.threads > 0
                      ? settings_.threads
                      : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    workers_.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) {
        workers_.emplace_back([this] { Work(); });
    }
    inserter_ = std::thread([this] { Insert(); });
}

IngestPipeline::~IngestPipeline() {
    Abandon();
}

void IngestPipeline::Abandon() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    work_ready_.notify_all();
    batch_done_.notify_all();
    for (std::thread& worker : workers_) {
        worker.join();
    }
    workers_.clear();
    if (inserter_.joinable()) {
        inserter_.join();
    }
    in_flight_.clear();
    filling_.reset();
}

Status IngestPipeline::Add(SourceEntry entry) {
    if (workers_.empty()) {
        return Error::FailedPrecondition("the ingest pipeline was stopped");
    }
    if (!filling_) {
        filling_ = std::make_unique<Batch>();
        filling_->entries.reserve(settings_.batch_size);
    }
    filling_->entries.push_back(std::move(entry));
    if (filling_->entries.size() < settings_.batch_size) {
        return Status::Ok();
    }
    Submit();
    // A batch probing, one waiting, one being inserted: more would only hold memory.
    constexpr std::size_t kMaxInFlight = 3;
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [&] { return in_flight_.size() < kMaxInFlight || !failed_.ok(); });
    return failed_;
}

Status IngestPipeline::Finish() {
    if (filling_ && !filling_->entries.empty()) {
        Submit();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [&] { return in_flight_.empty() || !failed_.ok() || stopping_; });
    return failed_;
}

void IngestPipeline::Submit() {
    std::unique_ptr<Batch> batch = std::move(filling_);
    batch->items.resize(batch->entries.size());
    batch->left = batch->entries.size();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        in_flight_.push_back(std::move(batch));
    }
    work_ready_.notify_all();
}

// The inserting thread: the oldest batch as soon as all of it is probed, so the caller keeps
// listing and the pool keeps probing meanwhile. After a failed insert it inserts nothing more.
void IngestPipeline::Insert() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        batch_done_.wait(lock, [&] {
            return stopping_ || (!in_flight_.empty() && in_flight_.front()->left == 0);
        });
        if (stopping_) {
            return;
        }
        Batch* batch = in_flight_.front().get();
        const bool insert = failed_.ok();
        lock.unlock();
        Status status = insert ? InsertBatch(*batch) : Status::Ok();
        lock.lock();
        if (!status.ok()) {
            failed_ = status;
        }
        in_flight_.pop_front();
        room_.notify_all();
    }
}

Status IngestPipeline::InsertBatch(const Batch& batch) {
    auto inserted = repo_.InsertItems(project_id_, batch.items, clock_.NowMs());
    if (!inserted.ok()) {
        return inserted.error();
    }
    for (const NewItem& item : batch.items) {
        if (item.state == ItemState::kError) {
            ++counts_.errors;
        } else if (WantsTilePyramid(item.width, item.height, item.format)) {
            ++counts_.large;
        }
    }
    counts_.inserted += *inserted;
    counts_.probed += static_cast<std::int64_t>(batch.items.size());
    counts_.decoder_probes += batch.decoder_probes;
    if (progress_) {
        progress_(counts_.probed);
    }
    return Status::Ok();
}

void IngestPipeline::Work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        Batch* batch = nullptr;
        work_ready_.wait(lock, [&] {
            if (stopping_) {
                return true;
            }
            for (const auto& b : in_flight_) {
                if (b->next < b->entries.size()) {
                    batch = b.get();
                    return true;
                }
            }
            return false;
        });
        if (stopping_) {
            return;
        }
        const std::size_t begin = batch->next;
        const std::size_t end = std::min(batch->entries.size(), begin + kGrab);
        batch->next = end;
        lock.unlock();
        std::int64_t decoder_probes = 0;
        for (std::size_t i = begin; i < end; ++i) {
            bool used_fallback = false;
            batch->items[i] = BuildItem(batch->entries[i], used_fallback);
            decoder_probes += used_fallback ? 1 : 0;
        }
        lock.lock();
        batch->decoder_probes += decoder_probes;
        batch->left -= end - begin;
        if (batch->left == 0) {
            batch_done_.notify_all();
        }
    }
}

NewItem IngestPipeline::Probe(const SourceEntry& entry) const {
    bool used_fallback = false;
    return BuildItem(entry, used_fallback);
}

NewItem IngestPipeline::BuildItem(const SourceEntry& entry, bool& used_fallback) const {
    NewItem item;
    item.path = entry.relative_path;
    Result<ImageInfo> info = ProbeInfo(entry, used_fallback);
    if (info.ok()) {
        item.size_bytes = info->size_bytes;
        item.width = info->width;
        item.height = info->height;
        item.format = info->format;
    } else {
        item.size_bytes = std::max<std::int64_t>(entry.size_bytes, 0);
        item.state = ItemState::kError;
        item.error = info.error().message;
        if (IsDicomPath(entry.relative_path)) {
            item.format = "dicom";  // a corrupt or refused DICOM file is still shown as DICOM
        }
    }
    if (item_hook_) {
        item_hook_(entry, item);
    }
    return item;
}

Result<ImageInfo> IngestPipeline::ProbeInfo(const SourceEntry& entry, bool& used_fallback) const {
    const std::int64_t size = entry.size_bytes;
    if (size > 0 && !IsDicomPath(entry.relative_path)) {
        auto want = std::min<std::size_t>(settings_.prefix_bytes, static_cast<std::size_t>(size));
        for (int read = 0; read < kMaxPrefixReads; ++read) {
            auto prefix = source_.ReadPrefix(entry.relative_path, want);
            if (!prefix.ok() || prefix->size() < want) {
                break;  // gone or changed since the listing: the decoder says what happened
            }
            HeaderProbe probe = ProbeHeader(*prefix, size);
            if (probe.outcome == HeaderProbe::Outcome::kDecided) {
                return probe.info;
            }
            if (probe.outcome != HeaderProbe::Outcome::kNeedMore) {
                break;
            }
            want = static_cast<std::size_t>(probe.bytes_needed);
        }
    }
    used_fallback = true;
    return fallback_(entry);
}

}  // namespace tessera
