#include "services/source_ingest.hpp"

#include <algorithm>
#include <vector>

#include "blobs/header_probe.hpp"
#include "services/ingest_job.hpp"

namespace tessera {
namespace {

// Enough for the header of nearly every JPEG (EXIF included), PNG, BMP and TIFF.
constexpr std::size_t kFirstRead = std::size_t{64} * 1024;

NewItem ProbeEntry(ImageProber& prober, ImageSource& source, const SourceEntry& entry,
                   const std::function<Result<SourceRef>(const std::string&)>& fetch) {
    NewItem item;
    item.path = entry.relative_path;
    item.size_bytes = std::max<std::int64_t>(entry.size_bytes, 0);
    auto fail = [&](const Error& error) {
        item.state = ItemState::kError;
        item.error = error.message;
        if (error.code == ErrorCode::kFailedPrecondition) {
            item.format = "dicom";  // recognised, not decoded (as the local ingest says)
        }
        return item;
    };
    auto prefix = source.ReadPrefix(entry.relative_path, kFirstRead);
    if (!prefix.ok()) {
        return fail(prefix.error());
    }
    HeaderProbe probe = ProbeHeader(*prefix, entry.size_bytes);
    if (probe.outcome == HeaderProbe::Outcome::kNeedMore) {
        auto more =
            source.ReadPrefix(entry.relative_path, static_cast<std::size_t>(probe.bytes_needed));
        if (!more.ok()) {
            return fail(more.error());
        }
        probe = ProbeHeader(*more, entry.size_bytes);
    }
    if (probe.outcome != HeaderProbe::Outcome::kDecided) {
        auto ref = fetch(entry.relative_path);
        if (!ref.ok()) {
            return fail(ref.error());
        }
        auto info = prober.Probe(*ref);
        if (!info.ok()) {
            return fail(info.error());
        }
        probe.info = *info;
    }
    item.width = probe.info.width;
    item.height = probe.info.height;
    item.format = probe.info.format;
    return item;
}

}  // namespace

Result<SourceIngestResult> IngestFromSource(
    Repository& repo, const Clock& clock, ImageProber& prober, const Project& project,
    JobContext& context, ImageSource& source,
    const std::function<Result<SourceRef>(const std::string& relative_path)>& fetch) {
    const std::int64_t limit = project.item_limit;
    std::int64_t count = 0;
    TESSERA_TRY(source.List([&](const SourceEntry&) { return ++count <= limit; }));
    TESSERA_TRY(repo.SetItemLimitReached(project.id, count > limit));
    const std::int64_t total = std::min(count, limit);
    context.ReportProgress(0, total);

    SourceIngestResult result;
    std::vector<NewItem> batch;
    batch.reserve(IngestJob::kBatchSize);
    Status failed;
    auto flush = [&]() -> Status {
        if (!batch.empty()) {
            TESSERA_TRY(repo.InsertItems(project.id, batch, clock.NowMs()));
            result.inserted += static_cast<std::int64_t>(batch.size());
            batch.clear();
        }
        return Status::Ok();
    };
    std::int64_t done = 0;
    TESSERA_TRY(source.List([&](const SourceEntry& entry) {
        if (done >= total) {
            return false;
        }
        if (context.StopRequested()) {
            result.interrupted = true;
            return false;
        }
        batch.push_back(ProbeEntry(prober, source, entry, fetch));
        ++done;
        if (batch.size() >= IngestJob::kBatchSize) {
            failed = flush();
            if (!failed.ok()) {
                return false;
            }
        }
        context.ReportProgress(done, total);
        return true;
    }));
    TESSERA_TRY(failed);
    if (result.interrupted) {
        return result;
    }
    TESSERA_TRY(flush());
    context.ReportProgress(done, total);
    TESSERA_TRY(repo.ShuffleItems(project.id, project.shuffle_seed));
    return result;
}

}  // namespace tessera
