#pragma once
// The "manifest_ingest" job: creates a manifest project's items from the images its rows
// reference (docs/formats/manifests.md), then applies the rows' labels as prelabels or final
// labels. Rows that cannot be read, references that leave their folder and files that do not
// exist are reported and the rest kept; the report is the project's import history entry (a
// finished "import" job whose summary carries a "manifest" object). Unknown categories are
// reported, not added to the label tree: the tree is the owner's decision.
//
// Items go through the ingest pipeline a folder ingest uses (services/ingest_pipeline.hpp):
// headers probed in parallel, items inserted in batches.
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "base/clock.hpp"
#include "blobs/image_probe.hpp"
#include "jobs/job_runner.hpp"
#include "services/ingest_pipeline.hpp"
#include "services/manifest_source.hpp"
#include "storage/repository.hpp"

namespace tessera {

class DatasourceOpener;

// {"project_id": N, "manifest": {"path", "format", "mapping", "import_as", "datastores",
// "azure_datastores"}}, the paths canonical as ProjectService checked them; azure_datastores
// maps each Azure datastore's name to its azure_blob datasource's id (never a credential).
nlohmann::json ManifestJobPayload(Id project_id, const ManifestSpec& spec,
                                  const ResolvedManifest& resolved,
                                  const std::map<std::string, Id>& azure_datastores = {});

// What one manifest ingest found, as its history entry reports it.
struct ManifestReport {
    std::int64_t rows = 0;        // rows read
    std::int64_t items = 0;       // distinct images found (items created or already there)
    std::int64_t duplicates = 0;  // rows naming an image an earlier row named
    std::int64_t missing = 0;     // references to files that do not exist
    std::vector<std::string> missing_examples;  // "file:line: reference"
    std::int64_t row_errors = 0;                // unreadable rows and refused references
    std::vector<std::string> row_error_examples;
    std::int64_t labeled = 0;  // rows whose labels were applied
    std::int64_t unknown_category_rows = 0;
    std::vector<std::string> unknown_categories;  // names not in the label tree
    std::int64_t unlabeled_errors = 0;            // rows with labels on an unreadable image
};

nlohmann::json ManifestReportToJson(const ManifestReport& report);

class ManifestJob final : public JobHandler {
public:
    static constexpr const char* kKind = "manifest_ingest";
    static constexpr std::size_t kExamples = 10;

    // `opener` reads Azure datastores; without one their rows are reported unreadable.
    ManifestJob(Repository& repo, const Clock& clock, ImageProber& prober,
                IngestPipelineSettings settings = {}, DatasourceOpener* opener = nullptr);

    JobOutcome Run(const Job& job, JobContext& context, std::string& error) override;

private:
    Repository& repo_;
    const Clock& clock_;
    ImageProber& prober_;
    IngestPipelineSettings settings_;
    DatasourceOpener* opener_;
};

}  // namespace tessera
