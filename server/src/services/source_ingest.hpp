#pragma once
// Ingest of a datasource read through ImageSource rather than a local folder walk (Azure Blob
// today): the same steps as the local ingest (count in a first listing so progress has a total
// and item_limit_reached is known, then probe and insert in batches of IngestJob::kBatchSize,
// then shuffle). Each file's header comes from a ranged read (ReadPrefix) given to ProbeHeader;
// only what it cannot decide (DICOM, unusual JPEGs) is fetched whole and probed by libvips.
#include <cstdint>
#include <functional>

#include "base/clock.hpp"
#include "blobs/image_probe.hpp"
#include "blobs/image_source.hpp"
#include "jobs/job_runner.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct SourceIngestResult {
    bool interrupted = false;
    std::int64_t inserted = 0;
};

// `fetch` gives the whole file as a SourceRef for the decoder fallback.
Result<SourceIngestResult> IngestFromSource(
    Repository& repo, const Clock& clock, ImageProber& prober, const Project& project,
    JobContext& context, ImageSource& source,
    const std::function<Result<SourceRef>(const std::string& relative_path)>& fetch);

}  // namespace tessera
