#include "services/refresh_job.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <optional>
#include <unordered_set>
#include <vector>

#include "base/log.hpp"
#include "blobs/local_image_source.hpp"
#include "services/job_payload.hpp"
#include "services/tile_pyramid_job.hpp"

namespace tessera {
namespace {

constexpr std::size_t kMarkBatch = 1000;

std::string_view FolderOf(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// Folder times come from the kernel's real-time clock, not the injected one.
std::int64_t RacyAfterNs(std::int64_t window_ns) {
    if (window_ns <= 0) {
        return std::numeric_limits<std::int64_t>::max();
    }
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() - window_ns;
}

// An item the project has, as refresh holds it (by path), looked up per listed file.
struct KnownEntry {
    Id id = 0;
    Id source_id = 0;
    bool missing = false;
    bool seen = false;  // listed by its datasource in this refresh
};

class RefreshRun {
public:
    RefreshRun(Repository& repo, const Clock& clock, DatasourceOpener& opener, ImageProber& prober,
               const IngestPipelineSettings& settings, const Project& project, JobContext& context,
               std::int64_t racy_window_ns)
        : repo_(repo),
          clock_(clock),
          opener_(opener),
          prober_(prober),
          settings_(settings),
          project_(project),
          context_(context),
          racy_window_ns_(racy_window_ns) {}

    Status Run();
    bool interrupted() const { return interrupted_; }
    const RefreshCounts& counts() const { return counts_; }

private:
    Result<bool> CanLoadByFolder(const std::vector<Datasource>& sources);
    Status LoadKnown(bool by_folder);
    void Remember(const KnownItem& item);
    Status LoadFolder(std::string_view folder);
    Status LoadReadFolders(const FolderScan& scan);
    KnownEntry* Find(const std::string& path);
    Status RefreshSource(const Datasource& source);
    void KeepUnchangedFolders(Id source_id, const std::unordered_set<std::string>& unchanged);
    Status MarkGoneAndBack(Id source_id);

    Repository& repo_;
    const Clock& clock_;
    DatasourceOpener& opener_;
    ImageProber& prober_;
    const IngestPipelineSettings& settings_;
    const Project& project_;
    JobContext& context_;
    std::int64_t racy_window_ns_;
    std::map<std::string, KnownEntry, std::less<>> known_;  // by path
    // by_folder_: known_ holds only the items of folders the walk read (loaded_folders_), so a
    // refresh reads what changed rather than the project; else every item of the project.
    bool by_folder_ = false;
    std::unordered_set<std::string> loaded_folders_;
    std::int64_t room_ = 0;  // items the limit still allows
    std::int64_t large_items_ = 0;
    bool interrupted_ = false;
    RefreshCounts counts_;
};

// Known items can be loaded folder by folder when every datasource refresh lists is a local
// folder with stamps from an earlier refresh (a first refresh reads every folder anyway; a blob
// container is listed whole) and the database can range over a folder's paths.
Result<bool> RefreshRun::CanLoadByFolder(const std::vector<Datasource>& sources) {
    for (const Datasource& source : sources) {
        if (!CanListDatasource(source.kind)) {
            continue;
        }
        if (source.kind != "local" && source.kind != "upload") {
            return false;
        }
        TESSERA_ASSIGN_OR_RETURN(std::vector<FolderStamp> stamps,
                                 repo_.ListFolderStamps(source.id));
        if (stamps.empty()) {
            return false;
        }
    }
    return repo_.CanListKnownItemsByFolder();
}

Status RefreshRun::LoadKnown(bool by_folder) {
    by_folder_ = by_folder;
    std::int64_t count = 0;
    if (by_folder) {
        TESSERA_ASSIGN_OR_RETURN(count, repo_.CountItems(project_.id));
    } else {
        TESSERA_TRY(repo_.ForEachKnownItem(project_.id, [&](const KnownItem& item) {
            Remember(item);
            return true;
        }));
        count = static_cast<std::int64_t>(known_.size());
    }
    room_ = std::max<std::int64_t>(0, project_.item_limit - count);
    return Status::Ok();
}

void RefreshRun::Remember(const KnownItem& item) {
    known_.emplace(item.path, KnownEntry{item.id, item.source_id, item.missing, false});
    ++counts_.known_read;
}

Status RefreshRun::LoadFolder(std::string_view folder) {
    if (!by_folder_ || !loaded_folders_.emplace(folder).second) {
        return Status::Ok();
    }
    return repo_.ForEachKnownItemInFolder(project_.id, std::string(folder),
                                          [&](const KnownItem& item) {
                                              Remember(item);
                                              return true;
                                          });
}

// The items of every folder the walk read, and of every folder gone since the last refresh,
// are compared with the listing, including folders none of whose files were listed.
Status RefreshRun::LoadReadFolders(const FolderScan& scan) {
    std::unordered_set<std::string> reached;
    for (const FolderStamp& stamp : scan.current) {
        reached.insert(stamp.path);
        if (scan.unchanged.count(stamp.path) == 0) {
            TESSERA_TRY(LoadFolder(stamp.path));
        }
    }
    for (const FolderStamp& stamp : scan.previous) {
        if (reached.count(stamp.path) == 0) {
            TESSERA_TRY(LoadFolder(stamp.path));
        }
    }
    return Status::Ok();
}

KnownEntry* RefreshRun::Find(const std::string& path) {
    auto it = known_.find(path);
    return it != known_.end() ? &it->second : nullptr;
}

Status RefreshRun::RefreshSource(const Datasource& source) {
    if (!CanListDatasource(source.kind)) {
        log::Info("refresh skips a datasource", {{"project", std::to_string(project_.id)},
                                                 {"datasource", std::to_string(source.id)},
                                                 {"kind", source.kind}});
        return Status::Ok();
    }
    TESSERA_ASSIGN_OR_RETURN(OpenedSource opened, opener_.Open(source, prober_));
    IngestPipelineSettings settings = settings_;
    settings.threads = settings.threads > 0 ? settings.threads : opened.readers;
    IngestPipeline pipeline(repo_, clock_, *opened.source, project_.id, opened.fallback, settings);
    pipeline.set_item_hook(
        [id = source.id](const SourceEntry&, NewItem& item) { item.source_id = id; });
    // A local folder is walked incrementally, from the stamps the last refresh stored.
    auto* local = dynamic_cast<LocalImageSource*>(opened.source.get());
    if (by_folder_ && local == nullptr) {
        return Error::Internal("refresh: a local datasource did not open as a folder");
    }
    std::optional<FolderScan> scan;
    if (local != nullptr) {
        scan.emplace();
        TESSERA_ASSIGN_OR_RETURN(scan->previous, repo_.ListFolderStamps(source.id));
        scan->racy_after_ns = RacyAfterNs(racy_window_ns_);
    }
    std::unordered_set<std::string> over_limit_folders;  // read again next time
    Status added;
    auto on_entry = [&](const SourceEntry& entry) {
        if (context_.StopRequested()) {
            interrupted_ = true;
            return false;
        }
        ++counts_.listed;
        if ((counts_.listed & 0xfff) == 0) {
            context_.ReportProgress(counts_.listed, 0);
        }
        if (Status loaded = LoadFolder(FolderOf(entry.relative_path)); !loaded.ok()) {
            added = loaded;
            return false;
        }
        if (KnownEntry* known = Find(entry.relative_path)) {
            // Known, possibly from another datasource (paths are unique per project): nothing
            // to probe or write. Only its own datasource's listing counts as "still there".
            known->seen = known->seen || known->source_id == source.id;
            return true;
        }
        if (room_ <= 0) {
            ++counts_.over_limit;
            over_limit_folders.emplace(FolderOf(entry.relative_path));
            return true;
        }
        --room_;
        added = pipeline.Add(entry);
        return added.ok();
    };
    Result<SourceListing> listing =
        scan ? local->ListChanged(*scan, on_entry) : opened.source->List(on_entry);
    if (!listing.ok() || !added.ok() || interrupted_) {
        pipeline.Abandon();  // batches inserted so far stay; a rerun finds them known
        TESSERA_TRY(listing);
        return added;
    }
    TESSERA_TRY(pipeline.Finish());
    counts_.added += pipeline.counts().inserted;
    large_items_ += pipeline.counts().large;
    if (listing->skipped > 0) {
        log::Warn("refresh skipped entries", {{"project", std::to_string(project_.id)},
                                              {"datasource", std::to_string(source.id)},
                                              {"skipped", std::to_string(listing->skipped)}});
    }
    if (!scan) {
        return MarkGoneAndBack(source.id);
    }
    TESSERA_TRY(LoadReadFolders(*scan));
    KeepUnchangedFolders(source.id, scan->unchanged);
    TESSERA_TRY(MarkGoneAndBack(source.id));
    for (FolderStamp& stamp : scan->current) {
        if (over_limit_folders.count(stamp.path) > 0) {
            stamp.mtime_ns = FolderStamp::kReadAgain;
        }
    }
    counts_.folders_unchanged += static_cast<std::int64_t>(scan->unchanged.size());
    counts_.folders_read +=
        static_cast<std::int64_t>(scan->current.size() - scan->unchanged.size());
    return repo_.ReplaceFolderStamps(source.id, scan->current);
}

// Items of `source_id` in folders the walk did not read keep their state: their folder holds
// the same entries as when the last refresh read it (a missing item stays missing).
void RefreshRun::KeepUnchangedFolders(Id source_id,
                                      const std::unordered_set<std::string>& unchanged) {
    if (unchanged.empty()) {
        return;
    }
    std::optional<std::string> folder;
    bool folder_unchanged = false;
    for (auto& [path, entry] : known_) {
        if (entry.source_id != source_id || entry.seen) {
            continue;
        }
        const std::string_view this_folder = FolderOf(path);
        if (!folder || this_folder != *folder) {  // sorted by path: a folder's files are together
            folder = std::string(this_folder);
            folder_unchanged = unchanged.count(*folder) > 0;
        }
        if (folder_unchanged) {
            entry.seen = !entry.missing;  // MarkGoneAndBack leaves seen == !missing alone
        }
    }
}

// Items of `source_id` its listing did not give are gone; missing ones it gave are back.
Status RefreshRun::MarkGoneAndBack(Id source_id) {
    std::vector<Id> gone;
    std::vector<Id> back;
    auto flush = [&](std::vector<Id>& ids, bool missing, std::int64_t& count) -> Status {
        if (ids.empty()) {
            return Status::Ok();
        }
        TESSERA_ASSIGN_OR_RETURN(std::int64_t changed,
                                 repo_.SetItemsMissing(project_.id, ids, missing));
        count += changed;
        ids.clear();
        return Status::Ok();
    };
    for (const auto& [path, entry] : known_) {
        if (entry.source_id != source_id || entry.seen == !entry.missing) {
            continue;
        }
        std::vector<Id>& ids = entry.seen ? back : gone;
        ids.push_back(entry.id);
        if (ids.size() >= kMarkBatch) {
            TESSERA_TRY(entry.seen ? flush(back, false, counts_.restored)
                                   : flush(gone, true, counts_.missing));
        }
    }
    TESSERA_TRY(flush(back, false, counts_.restored));
    return flush(gone, true, counts_.missing);
}

Status RefreshRun::Run() {
    TESSERA_ASSIGN_OR_RETURN(std::vector<Datasource> sources, repo_.ListDatasources(project_.id));
    TESSERA_ASSIGN_OR_RETURN(bool by_folder, CanLoadByFolder(sources));
    TESSERA_TRY(LoadKnown(by_folder));
    const bool was_full = project_.item_limit_reached;
    for (const Datasource& source : sources) {
        // A manifest decides which files are a manifest project's items: its Azure datastores
        // (azure_blob datasources of the project) must not add the rest of their container.
        if (project_.datasource.kind == "manifest") {
            break;
        }
        TESSERA_TRY(RefreshSource(source));
        if (interrupted_) {
            return Status::Ok();
        }
    }
    if (counts_.over_limit > 0 || was_full) {
        TESSERA_TRY(repo_.SetItemLimitReached(project_.id, counts_.over_limit > 0));
    }
    context_.ReportProgress(counts_.listed, counts_.listed);
    if (large_items_ > 0) {
        TESSERA_TRY(TilePyramidJob::Enqueue(repo_, project_.id, clock_.NowMs()));
    }
    return repo_.RecordRefresh(project_.id, clock_.NowMs());
}

}  // namespace

RefreshJob::RefreshJob(Repository& repo, const Clock& clock, ImageProber& prober,
                       IngestPipelineSettings settings, DatasourceOpener* opener)
    : repo_(repo),
      clock_(clock),
      prober_(prober),
      settings_(settings),
      opener_(opener != nullptr ? opener : &local_opener_) {}

Result<RefreshCounts> RefreshJob::Refresh(Id project_id, JobContext& context, bool& interrupted) {
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    RefreshRun run(repo_, clock_, *opener_, prober_, settings_, project, context, racy_window_ns_);
    TESSERA_TRY(run.Run());
    interrupted = run.interrupted();
    const RefreshCounts& counts = run.counts();
    log::Info("refresh", {{"project", std::to_string(project_id)},
                          {"listed", std::to_string(counts.listed)},
                          {"added", std::to_string(counts.added)},
                          {"missing", std::to_string(counts.missing)},
                          {"restored", std::to_string(counts.restored)},
                          {"over_limit", std::to_string(counts.over_limit)},
                          {"folders_read", std::to_string(counts.folders_read)},
                          {"folders_unchanged", std::to_string(counts.folders_unchanged)},
                          {"known_read", std::to_string(counts.known_read)}});
    return counts;
}

JobOutcome RefreshJob::Run(const Job& job, JobContext& context, std::string& error) {
    auto project_id = ParseProjectId(kKind, job.payload_json);
    if (!project_id.ok()) {
        error = project_id.error().message;
        return JobOutcome::kFailed;
    }
    bool interrupted = false;
    auto counts = Refresh(*project_id, context, interrupted);
    if (!counts.ok()) {
        error = "project " + std::to_string(*project_id) + ": " + counts.error().message;
        return JobOutcome::kFailed;
    }
    return interrupted ? JobOutcome::kInterrupted : JobOutcome::kDone;
}

}  // namespace tessera
