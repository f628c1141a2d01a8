#include "services/manifest_job.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "base/text.hpp"
#include "blobs/azure_image_source.hpp"
#include "blobs/local_image_source.hpp"
#include "blobs/url_fetch.hpp"
#include "domain/classification.hpp"
#include "domain/label_tree.hpp"
#include "domain/task_type.hpp"
#include "services/datasource_opener.hpp"
#include "services/import_service.hpp"
#include "services/ingest_pipeline.hpp"
#include "services/job_payload.hpp"
#include "services/tile_pyramid_job.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kItemPage = 10000;
constexpr std::size_t kApplyBatch = 5000;

// One distinct image the manifest names, with the labels of the first row that named it.
struct ManifestEntry {
    std::string relative_path;  // item.path: relative to the project's datasource folder
    std::int64_t size_bytes = -1;
    Id source_id = 0;   // 0: the project's folder; else the Azure datastore's datasource
    std::string where;  // "file:line", for the report
    std::string category_cell;
    std::vector<std::string> categories;
    std::optional<double> confidence;
};

struct JobSpec {
    fs::path path;
    ManifestFormat format = ManifestFormat::kCsv;
    ManifestMapping mapping;
    ImportMode import_as = ImportMode::kPrelabel;
    std::map<std::string, fs::path> datastores;
    std::map<std::string, Id> azure_datastores;  // NAME -> its azure_blob datasource's id
};

Result<JobSpec> ParseSpec(const std::string& payload_json) {
    const json payload = json::parse(payload_json, nullptr, false);
    const json* manifest =
        payload.is_object() && payload.contains("manifest") ? &payload["manifest"] : nullptr;
    if (manifest == nullptr || !manifest->is_object()) {
        return Error::InvalidArgument("manifest_ingest payload needs a manifest object");
    }
    try {
        JobSpec spec;
        spec.path = manifest->at("path").get<std::string>();
        auto format = ParseManifestFormat(manifest->at("format").get<std::string>());
        auto mode = ParseImportMode(manifest->at("import_as").get<std::string>());
        if (!format || !mode) {
            return Error::InvalidArgument("manifest_ingest payload has a bad format or mode");
        }
        spec.format = *format;
        spec.import_as = *mode;
        const json& mapping = manifest->at("mapping");
        spec.mapping.image = mapping.at("image").get<std::string>();
        spec.mapping.category = mapping.value("category", "");
        spec.mapping.confidence = mapping.value("confidence", "");
        const json datastores = manifest->value("datastores", json::object());
        for (const auto& [name, folder] : datastores.items()) {
            spec.datastores[name] = folder.get<std::string>();
        }
        const json azure = manifest->value("azure_datastores", json::object());
        for (const auto& [name, id] : azure.items()) {
            spec.azure_datastores[name] = id.get<Id>();
        }
        return spec;
    } catch (const json::exception& e) {
        return Error::InvalidArgument(std::string("manifest_ingest payload: ") + e.what());
    }
}

void Note(std::vector<std::string>& examples, std::string text) {
    if (examples.size() < ManifestJob::kExamples) {
        examples.push_back(std::move(text));
    }
}

// An Azure datastore: its container listed once (the first time a row names it), so that a
// reference to a blob that does not exist is reported as missing like a local file.
struct BlobStore {
    Id datasource_id = 0;
    std::shared_ptr<AzureImageSource> source;
    std::unordered_map<std::string, std::int64_t> sizes;  // relative path -> size
    std::string error;  // why it cannot be read; each row naming it reports this
};

class ManifestRun {
public:
    ManifestRun(Repository& repo, const Clock& clock, ImageProber& prober,
                const IngestPipelineSettings& settings, DatasourceOpener* opener,
                const Project& project, JobSpec spec, JobContext& context)
        : repo_(repo),
          clock_(clock),
          prober_(prober),
          settings_(settings),
          opener_(opener),
          project_(project),
          spec_(std::move(spec)),
          context_(context),
          root_(project.datasource.path) {}

    Status Run();
    bool interrupted() const { return interrupted_; }
    const ManifestReport& report() const { return report_; }

private:
    Status ReadRows();
    void Take(const fs::path& file, ManifestRow&& row);
    void TakeBlob(const std::string& where, ManifestRow&& row, const ManifestTarget& target);
    void TakeUrl(const std::string& where, ManifestRow&& row, const std::string& url);
    Result<Id> UrlSource();
    void Keep(ManifestEntry entry, const std::string& reference);
    void RowError(const std::string& where, const std::string& message);
    BlobStore& Store(const std::string& name);
    Status InsertItems();
    Status InsertFrom(Id source_id, ImageSource& source, IngestPipeline::Fallback fallback,
                      std::int64_t& done);
    Status ApplyLabels();
    Status Apply(ImportRequest& request);
    void RecordHistory();

    Repository& repo_;
    const Clock& clock_;
    ImageProber& prober_;
    const IngestPipelineSettings& settings_;
    DatasourceOpener* opener_;
    const Project& project_;
    JobSpec spec_;
    JobContext& context_;
    fs::path root_;
    ManifestRoots roots_;
    std::vector<ManifestEntry> entries_;
    std::unordered_map<std::string, std::size_t> seen_;
    std::map<std::string, BlobStore> blob_stores_;
    Id url_source_ = 0;  // the project's `url` datasource, made for the first http(s) row
    bool limit_reached_ = false;
    bool interrupted_ = false;
    std::int64_t large_ = 0;  // readable items the UI opens through tile pyramids
    ManifestReport report_;
};

Status ManifestRun::ReadRows() {
    TESSERA_ASSIGN_OR_RETURN(ResolvedManifest files, ManifestFiles(spec_.path, spec_.format));
    roots_ = files.roots;
    roots_.datastores = spec_.datastores;
    for (const fs::path& file : files.files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            return Error::InvalidArgument("the manifest file " + file.filename().string() +
                                          " cannot be read");
        }
        TESSERA_ASSIGN_OR_RETURN(
            ManifestReadStats stats,
            ReadManifest(in, files.read_format, spec_.mapping, [&](ManifestRow&& row) {
                Take(file, std::move(row));
                return !context_.StopRequested();
            }));
        report_.row_errors += stats.error_count;
        for (const ManifestRowError& e : stats.errors) {
            Note(report_.row_error_examples,
                 file.filename().string() + ":" + std::to_string(e.line) + ": " + e.message);
        }
        if (context_.StopRequested()) {
            interrupted_ = true;
            return Status::Ok();
        }
    }
    return Status::Ok();
}

void ManifestRun::RowError(const std::string& where, const std::string& message) {
    ++report_.row_errors;
    Note(report_.row_error_examples, where + ": " + message);
}

void ManifestRun::Take(const fs::path& file, ManifestRow&& row) {
    ++report_.rows;
    const std::string where = file.filename().string() + ":" + std::to_string(row.line);
    const std::string reference = Trim(row.image);
    const std::string scheme = Lower(reference.substr(0, 8));
    if (scheme.starts_with("http://") || scheme.starts_with("https://")) {
        TakeUrl(where, std::move(row), reference);
        return;
    }
    auto target = ParseManifestReference(reference);
    if (target.ok() && spec_.azure_datastores.contains(target->datastore)) {
        TakeBlob(where, std::move(row), *target);
        return;
    }
    auto resolved = ResolveManifestReference(row.image, roots_);
    if (!resolved.ok()) {
        if (resolved.error().code == ErrorCode::kNotFound) {
            ++report_.missing;
            Note(report_.missing_examples, where + ": " + row.image);
        } else {
            RowError(where, resolved.error().message);
        }
        return;
    }
    std::string relative = resolved->lexically_relative(root_).generic_string();
    if (relative.empty() || relative.starts_with("..")) {
        // Cannot happen: every root lies under root_.
        RowError(where, "the image is outside the project's folder");
        return;
    }
    std::error_code ec;
    const auto size = fs::file_size(*resolved, ec);
    Keep({std::move(relative), ec ? -1 : static_cast<std::int64_t>(size), 0, where,
          std::move(row.category_cell), std::move(row.categories), row.confidence},
         row.image);
}

// A blob of an Azure datastore: its path below the datastore's prefix is the item's path.
void ManifestRun::TakeBlob(const std::string& where, ManifestRow&& row,
                           const ManifestTarget& target) {
    std::string path = target.path;
    path.erase(0, path.find_first_not_of('/'));
    if (!IsSafeBlobPath(path)) {
        RowError(where, "the image reference is not a usable blob path");
        return;
    }
    BlobStore& store = Store(target.datastore);
    if (!store.error.empty()) {
        RowError(where, "datastore \"" + target.datastore + "\": " + store.error);
        return;
    }
    auto it = store.sizes.find(path);
    if (it == store.sizes.end()) {
        ++report_.missing;
        Note(report_.missing_examples, where + ": " + row.image);
        return;
    }
    Keep({std::move(path), it->second, store.datasource_id, where, std::move(row.category_cell),
          std::move(row.categories), row.confidence},
         row.image);
}

// An http(s) image, fetched from the admin's allowed hosts only (blobs/url_fetch.hpp): the URL
// is the item's path, its datasource the project's `url` one. Whether the host is allowed is
// known now; whether the file can be fetched, when the pipeline fetches it (an item in state
// error with the reason if not).
void ManifestRun::TakeUrl(const std::string& where, ManifestRow&& row, const std::string& url) {
    UrlFetcher* fetcher = opener_ != nullptr ? opener_->Urls() : nullptr;
    if (fetcher == nullptr) {
        RowError(where, kManifestUrlsOff);
        return;
    }
    if (Status allowed = fetcher->Check(url); !allowed.ok()) {
        RowError(where, allowed.error().message);
        return;
    }
    auto source = UrlSource();
    if (!source.ok()) {
        RowError(where, source.error().message);
        return;
    }
    Keep({url, -1, *source, where, std::move(row.category_cell), std::move(row.categories),
          row.confidence},
         url);
}

Result<Id> ManifestRun::UrlSource() {
    if (url_source_ != 0) {
        return url_source_;
    }
    TESSERA_ASSIGN_OR_RETURN(std::vector<Datasource> sources, repo_.ListDatasources(project_.id));
    for (const Datasource& source : sources) {
        if (source.kind == "url") {  // made by an earlier, interrupted run
            url_source_ = source.id;
            return url_source_;
        }
    }
    Datasource made;
    made.kind = "url";
    made.created_at = clock_.NowMs();
    TESSERA_ASSIGN_OR_RETURN(Datasource added, repo_.AddDatasource(project_.id, made));
    url_source_ = added.id;
    return url_source_;
}

void ManifestRun::Keep(ManifestEntry entry, const std::string& reference) {
    if (auto seen = seen_.find(entry.relative_path); seen != seen_.end()) {
        if (entries_[seen->second].source_id == entry.source_id) {
            ++report_.duplicates;
        } else {  // item paths are unique per project, across its datasources
            RowError(entry.where, reference + " has the same path as the image of " +
                                      entries_[seen->second].where);
        }
        return;
    }
    if (static_cast<std::int64_t>(entries_.size()) >= project_.item_limit) {
        limit_reached_ = true;
        return;
    }
    seen_.emplace(entry.relative_path, entries_.size());
    entries_.push_back(std::move(entry));
}

BlobStore& ManifestRun::Store(const std::string& name) {
    auto [it, added] = blob_stores_.try_emplace(name);
    BlobStore& store = it->second;
    if (!added) {
        return store;
    }
    store.datasource_id = spec_.azure_datastores.at(name);
    auto sources = repo_.ListDatasources(project_.id);
    if (!sources.ok()) {
        store.error = sources.error().message;
        return store;
    }
    const Datasource* datasource = nullptr;
    for (const Datasource& source : *sources) {
        datasource = source.id == store.datasource_id ? &source : datasource;
    }
    if (datasource == nullptr || datasource->kind != "azure_blob" || opener_ == nullptr) {
        store.error = "its Azure Blob container cannot be read by this server";
        return store;
    }
    auto source = opener_->Azure(*datasource);
    if (!source.ok()) {
        store.error = source.error().message;
        return store;
    }
    store.source = *source;
    auto listed = store.source->List([&](const SourceEntry& entry) {
        store.sizes.emplace(entry.relative_path, entry.size_bytes);
        return !context_.StopRequested();
    });
    if (!listed.ok()) {
        store.error = listed.error().message;
        store.source.reset();
    }
    return store;
}

// The shared ingest pipeline (a folder ingest's): headers read and probed on a pool, the
// decoder for what they leave undecided, items inserted in batches in manifest order. One run
// for the project's folder, one for each Azure datastore named.
Status ManifestRun::InsertItems() {
    context_.ReportProgress(0, static_cast<std::int64_t>(entries_.size()));
    std::int64_t done = 0;
    LocalImageSource local(root_, "");
    TESSERA_TRY(InsertFrom(
        0, local,
        [&](const SourceEntry& entry) {
            return prober_.Probe(SourceRef{root_, root_ / entry.relative_path});
        },
        done));
    for (auto& [name, store] : blob_stores_) {
        if (interrupted_ || !store.source) {
            continue;
        }
        AzureImageSource* source = store.source.get();
        TESSERA_TRY(InsertFrom(
            store.datasource_id, *source,
            [&, source](const SourceEntry& entry) -> Result<ImageInfo> {
                TESSERA_ASSIGN_OR_RETURN(SourceRef ref, source->Fetch(entry.relative_path));
                return prober_.Probe(ref);
            },
            done));
    }
    if (url_source_ != 0 && !interrupted_) {
        UrlFetcher& fetcher = *opener_->Urls();
        UrlImageSource urls(fetcher);
        TESSERA_TRY(InsertFrom(
            url_source_, urls,
            [&](const SourceEntry& entry) -> Result<ImageInfo> {
                TESSERA_ASSIGN_OR_RETURN(SourceRef ref, fetcher.Fetch(entry.relative_path));
                return prober_.Probe(ref);
            },
            done));
    }
    report_.items = static_cast<std::int64_t>(entries_.size());
    return Status::Ok();
}

Status ManifestRun::InsertFrom(Id source_id, ImageSource& source, IngestPipeline::Fallback fallback,
                               std::int64_t& done) {
    const auto total = static_cast<std::int64_t>(entries_.size());
    const std::int64_t before = done;
    IngestPipeline pipeline(repo_, clock_, source, project_.id, std::move(fallback), settings_);
    pipeline.set_progress(
        [&](std::int64_t probed) { context_.ReportProgress(before + probed, total); });
    if (source_id != 0) {
        pipeline.set_item_hook(
            [source_id](const SourceEntry&, NewItem& item) { item.source_id = source_id; });
    }
    for (const ManifestEntry& entry : entries_) {
        if (entry.source_id != source_id) {
            continue;
        }
        if (context_.StopRequested()) {
            interrupted_ = true;
            pipeline.Abandon();  // batches inserted so far stay; a rerun skips their paths
            return Status::Ok();
        }
        TESSERA_TRY(pipeline.Add(SourceEntry{entry.relative_path, entry.size_bytes, ""}));
    }
    TESSERA_TRY(pipeline.Finish());
    done += pipeline.counts().probed;
    large_ += pipeline.counts().large;
    context_.ReportProgress(done, total);
    return Status::Ok();
}

Status ManifestRun::Apply(ImportRequest& request) {
    if (request.annotations.empty()) {
        return Status::Ok();
    }
    request.now = clock_.NowMs();
    TESSERA_TRY(repo_.ApplyImport(request));
    request.annotations.clear();
    return Status::Ok();
}

// Labels from the rows, checked against the project's tree. A multiclass cell is one label
// (a class name may hold a comma); a multilabel one is a list.
Status ManifestRun::ApplyLabels() {
    if (spec_.mapping.category.empty()) {
        return Status::Ok();
    }
    TESSERA_ASSIGN_OR_RETURN(LabelTree tree, LabelTreeOf(project_));
    std::unordered_map<std::string, Item> items;
    ItemFilter filter;
    filter.limit = kItemPage;
    while (true) {
        TESSERA_ASSIGN_OR_RETURN(std::vector<Item> page, repo_.ListItems(project_.id, filter));
        if (page.empty()) {
            break;
        }
        filter.after_id = page.back().id;
        for (Item& item : page) {
            items.emplace(item.path, std::move(item));
        }
    }
    ImportRequest request;
    request.project_id = project_.id;
    request.final = spec_.import_as == ImportMode::kFinal;
    std::set<std::string> unknown;
    for (const ManifestEntry& entry : entries_) {
        auto it = items.find(entry.relative_path);
        if (entry.categories.empty() || it == items.end()) {
            continue;
        }
        if (it->second.state == ItemState::kError) {
            ++report_.unlabeled_errors;
            continue;
        }
        std::vector<std::string> labels = entry.categories;
        if (project_.task_type == TaskType::kMulticlass && !entry.category_cell.empty() &&
            tree.Contains(entry.category_cell)) {
            labels = {entry.category_cell};
        }
        auto ordered = ValidateClassification(project_.task_type, tree, labels);
        if (!ordered.ok()) {
            ++report_.unknown_category_rows;
            bool named = false;
            for (const std::string& label : labels) {
                if (!tree.Contains(label)) {
                    unknown.insert(label);
                    named = true;
                }
            }
            if (!named) {
                Note(report_.row_error_examples, entry.where + ": " + ordered.error().message);
            }
            continue;
        }
        ImportedAnnotation annotation;
        annotation.item_id = it->second.id;
        annotation.payload_json = ClassificationPayload(*ordered);
        annotation.counted_labels = *ordered;
        annotation.confidence = entry.confidence;
        request.annotations.push_back(std::move(annotation));
        ++report_.labeled;
        if (request.annotations.size() >= kApplyBatch) {
            TESSERA_TRY(Apply(request));
        }
    }
    for (const std::string& name : unknown) {
        if (report_.unknown_categories.size() < 50) {
            report_.unknown_categories.push_back(name);
        }
    }
    return Apply(request);
}

// The import history entry (ImportService's kind and summary, plus the manifest's report).
void ManifestRun::RecordHistory() {
    Job job;
    job.kind = ImportService::kImportJobKind;
    job.project_id = project_.id;
    job.state = JobState::kDone;
    json summary = {{"format", "manifest-" + std::string(ManifestFormatName(spec_.format))},
                    {"mode", spec_.import_as == ImportMode::kFinal ? "final" : "prelabel"},
                    {"file", spec_.path.filename().string()},
                    {"user", ""},
                    {"matched", report_.labeled},
                    {"unmatched", report_.unknown_category_rows + report_.unlabeled_errors},
                    {"errors", report_.row_errors + report_.missing},
                    {"applied", true},
                    {"manifest", ManifestReportToJson(report_)}};
    job.payload_json = summary.dump();
    job.progress_done = report_.items;
    job.progress_total = report_.rows;
    if (report_.missing > 0 || report_.row_errors > 0) {
        job.error = std::to_string(report_.missing) + " missing file(s), " +
                    std::to_string(report_.row_errors) + " row error(s); the other rows were kept";
    }
    job.created_at = clock_.NowMs();
    job.started_at = job.created_at;
    job.finished_at = job.created_at;
    (void)repo_.EnqueueJob(job);  // the ingest stands without its history entry
}

Status ManifestRun::Run() {
    TESSERA_TRY(ReadRows());
    if (interrupted_) {
        return Status::Ok();
    }
    TESSERA_TRY(repo_.SetItemLimitReached(project_.id, limit_reached_));
    if (entries_.empty()) {
        RecordHistory();
        std::string why = std::to_string(report_.rows) + " row(s) read, " +
                          std::to_string(report_.missing) + " missing file(s), " +
                          std::to_string(report_.row_errors) + " row error(s)";
        if (!report_.missing_examples.empty()) {
            why += "; first missing: " + report_.missing_examples.front();
        } else if (!report_.row_error_examples.empty()) {
            why += "; first error: " + report_.row_error_examples.front();
        }
        return Error::InvalidArgument("the manifest names no image that could be found (" + why +
                                      ")");
    }
    TESSERA_TRY(InsertItems());
    if (interrupted_) {
        return Status::Ok();
    }
    TESSERA_TRY(repo_.ShuffleItems(project_.id, project_.shuffle_seed));
    TESSERA_TRY(ApplyLabels());
    RecordHistory();
    if (large_ > 0) {
        return TilePyramidJob::Enqueue(repo_, project_.id, clock_.NowMs());
    }
    return Status::Ok();
}

}  // namespace

json ManifestJobPayload(Id project_id, const ManifestSpec& spec, const ResolvedManifest& resolved,
                        const std::map<std::string, Id>& azure_datastores) {
    json datastores = json::object();
    for (const auto& [name, folder] : resolved.roots.datastores) {
        datastores[name] = folder.string();
    }
    json azure = json::object();
    for (const auto& [name, id] : azure_datastores) {
        azure[name] = id;
    }
    fs::path path = resolved.path;
    if (spec.format != ManifestFormat::kMlTable) {
        path = resolved.files.front();
    }
    return {{"project_id", project_id},
            {"manifest",
             {{"path", path.string()},
              {"format", std::string(ManifestFormatName(spec.format))},
              {"mapping",
               {{"image", spec.mapping.image},
                {"category", spec.mapping.category},
                {"confidence", spec.mapping.confidence}}},
              {"import_as", spec.import_as == ImportMode::kFinal ? "final" : "prelabel"},
              {"datastores", std::move(datastores)},
              {"azure_datastores", std::move(azure)}}}};
}

json ManifestReportToJson(const ManifestReport& report) {
    return {{"rows", report.rows},
            {"items", report.items},
            {"duplicates", report.duplicates},
            {"missing", report.missing},
            {"missing_examples", report.missing_examples},
            {"row_errors", report.row_errors},
            {"row_error_examples", report.row_error_examples},
            {"labeled", report.labeled},
            {"unknown_category_rows", report.unknown_category_rows},
            {"unknown_categories", report.unknown_categories},
            {"unlabeled_errors", report.unlabeled_errors}};
}

ManifestJob::ManifestJob(Repository& repo, const Clock& clock, ImageProber& prober,
                         IngestPipelineSettings settings, DatasourceOpener* opener)
    : repo_(repo), clock_(clock), prober_(prober), settings_(settings), opener_(opener) {}

JobOutcome ManifestJob::Run(const Job& job, JobContext& context, std::string& error) {
    auto project_id = ParseProjectId(kKind, job.payload_json);
    auto spec = ParseSpec(job.payload_json);
    if (!project_id.ok() || !spec.ok()) {
        error = project_id.ok() ? spec.error().message : project_id.error().message;
        return JobOutcome::kFailed;
    }
    auto project = repo_.GetProject(*project_id);
    if (!project.ok()) {
        error = "project " + std::to_string(*project_id) + ": " + project.error().message;
        return JobOutcome::kFailed;
    }
    if (project->datasource.kind != "manifest") {
        error = "project " + std::to_string(*project_id) + " is not a manifest project";
        return JobOutcome::kFailed;
    }
    ManifestRun run(repo_, clock_, prober_, settings_, opener_, *project, std::move(spec).value(),
                    context);
    Status status = run.Run();
    if (!status.ok()) {
        error = status.error().message;
        return JobOutcome::kFailed;
    }
    return run.interrupted() ? JobOutcome::kInterrupted : JobOutcome::kDone;
}

}  // namespace tessera
