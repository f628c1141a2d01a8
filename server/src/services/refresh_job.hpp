#pragma once
// The "refresh" job (payload {"project_id": N}): incremental refresh of a project's datasources
// (docs/design/datasources.md). Lists each datasource the DatasourceOpener opens (folders,
// uploads, Azure Blob containers; ingest opens them the same way; a local folder incrementally:
// folders whose mtime and ctime are unchanged since the last refresh are not read,
// blobs/local_source.hpp) and compares the
// listing with the items the project already has, held in memory sorted by path: known files
// cost a lookup and nothing else (no probe, no database access); new files go through the
// IngestPipeline (up to the item limit); items whose file is gone become `missing`, and missing
// items whose file is back get their state again. Records the refresh time at the end.
// Safe to run again: what it inserted is known the next time.
#include <cstdint>
#include <string>

#include "base/clock.hpp"
#include "blobs/image_probe.hpp"
#include "jobs/job_runner.hpp"
#include "services/datasource_opener.hpp"
#include "services/ingest_pipeline.hpp"
#include "storage/repository.hpp"

namespace tessera {

// What one refresh did, for the log and the tests.
struct RefreshCounts {
    std::int64_t listed = 0;             // files the datasources listed
    std::int64_t added = 0;              // new items inserted
    std::int64_t missing = 0;            // items newly marked missing
    std::int64_t restored = 0;           // missing items whose file came back
    std::int64_t over_limit = 0;         // new files left out by item_limit
    std::int64_t folders_read = 0;       // local folders whose entries were read
    std::int64_t folders_unchanged = 0;  // local folders not read: unchanged since last time
    // Items read from the database to compare with the listing: those of the folders read when
    // every datasource is a local folder stamped by an earlier refresh, else all of them.
    std::int64_t known_read = 0;
};

class RefreshJob final : public JobHandler {
public:
    static constexpr const char* kKind = "refresh";

    // `opener` opens the datasources; without one only local and upload folders are listed.
    RefreshJob(Repository& repo, const Clock& clock, ImageProber& prober,
               IngestPipelineSettings settings = {}, DatasourceOpener* opener = nullptr);

    // Thread-safe (no state of its own). kFailed when a datasource cannot be listed (nothing is
    // marked missing then); kInterrupted when the runner stops it midway.
    JobOutcome Run(const Job& job, JobContext& context, std::string& error) override;

    // The refresh itself, for Run and the tests. `interrupted` is set when it stopped early.
    Result<RefreshCounts> Refresh(Id project_id, JobContext& context, bool& interrupted);

    // A folder changed less than this long ago (by the system clock, which stamps files) is
    // read again next time: an entry added in the same clock tick as its stamp would not change
    // it. 0: none is (tests, which give folders distinct mtimes themselves).
    static constexpr std::int64_t kDefaultRacyWindowNs = 2'000'000'000;
    void set_racy_window_ns(std::int64_t window) { racy_window_ns_ = window; }

private:
    Repository& repo_;
    const Clock& clock_;
    ImageProber& prober_;
    IngestPipelineSettings settings_;
    DatasourceOpener local_opener_;  // used when none is given: local folders only
    DatasourceOpener* opener_;
    std::int64_t racy_window_ns_ = kDefaultRacyWindowNs;
};

}  // namespace tessera
