#pragma once
// Creating, reading, starting, pausing and deleting projects. Creating one validates the label
// tree and the datasource, stores the project in draft and queues an "ingest" job; deleting one
// queues a "purge_cache" job that removes its cached images (cache_purge_job.hpp).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/label_tree.hpp"
#include "domain/model.hpp"
#include "services/manifest_source.hpp"
#include "services/project_cache.hpp"
#include "services/project_edit.hpp"
#include "services/refresh_service.hpp"
#include "storage/repository.hpp"

namespace tessera {

class DatasourceOpener;

struct ProjectSpec {
    std::string name;
    std::string task_type;  // parsed and validated by the service
    LabelTree labels;
    std::string instructions_text;
    std::string instructions_url;
    // path as given by the user; canonicalized by the service. For kind "azure_blob",
    // config_json holds the API's whole datasource object (credential included) until the
    // service has validated it and sealed the credential.
    Datasource datasource;
    ManifestSpec manifest;  // read when datasource.kind is "manifest"
    std::optional<std::int64_t> item_limit;
    RefreshSettingsChange refresh;  // applied to the defaults (off, hourly)
};

struct ProjectSettings {
    std::vector<std::filesystem::path> allowed_roots;  // canonical
    std::int64_t default_item_limit = 500000;
    // Directory entries a datasource preview looks at before it answers "at least".
    std::int64_t preview_entry_budget = 200000;
    // Validates and seals azure_blob datasources; without one only "local" is accepted.
    DatasourceOpener* opener = nullptr;
};

// One folder of the server's allowed roots and its sub-folders, for the wizard's folder browser.
struct FolderEntry {
    std::string name;
    std::string path;  // canonical (a symlink is listed by its target)
};
struct FolderListing {
    std::vector<std::string> roots;     // the allowed roots, canonical
    std::string path;                   // the folder listed; "" when listing only the roots
    std::optional<std::string> parent;  // none at a root (or when listing the roots)
    std::vector<FolderEntry> folders;   // sorted bytewise, hidden ones left out
    bool truncated = false;             // more than kMaxListedFolders sub-folders
};

// How many images a datasource would give, counted without creating anything.
struct DatasourcePreview {
    std::string path;  // canonical
    std::int64_t count = 0;
    bool capped = false;  // stopped counting (kMaxPreviewCount or the entry budget): "at least"
    // Stopped after looking at ProjectSettings::preview_entry_budget files and folders: a huge
    // tree that the pattern matches little of. The import itself looks at everything.
    bool scan_limited = false;
    std::vector<std::string> examples;  // the first few matches, relative paths
};

// The wizard's column-mapping step: the manifest's columns, its first rows and a guess.
struct ManifestPreviewView {
    std::string path;                // canonical
    std::vector<std::string> files;  // for an MLTable, the files it names
    ManifestFormat read_format = ManifestFormat::kCsv;
    ManifestPreview preview;
};

struct ProjectView {
    Project project;
    Progress progress;
    std::vector<Job> jobs;  // newest first (ingest and later refresh/ML jobs)
};

class ProjectService {
public:
    // `cache`, when given, has a project's entry erased whenever this service changes the
    // project (start, pause, edit, delete), so LabelingService sees the change at once.
    ProjectService(Repository& repo, const Clock& clock, Random& random, ProjectSettings settings,
                   ProjectCache* cache = nullptr);

    // Owners only. kInvalidArgument names the bad field; kConflict for a used name.
    Result<Project> Create(const User& actor, const ProjectSpec& spec);
    Result<ProjectView> Get(const User& actor, Id project_id);
    Result<std::vector<ProjectView>> List(const User& actor);
    // A page of the project's items in id order (GET …/items); kNotFound for an unknown project.
    Result<std::vector<Item>> ListItems(const User& actor, Id project_id, const ItemFilter& filter);
    // The Data tab's page (Repository::FindItems). `labeler`, when not empty, is a user id or a
    // username (kInvalidArgument naming "labeler" when nobody has it).
    Result<ItemPage> FindItems(const User& actor, Id project_id, ItemFilter filter,
                               const std::string& labeler);
    // One item with its answers and their history (GET /projects/{id}/items/{item_id}). Owners
    // see every answer; a labeler sees her own answers, their earlier versions and the item's
    // prelabels, never another labeler's answer (labels stay blind to each other).
    Result<ItemRecord> GetItemRecord(const User& actor, Id project_id, Id item_id);
    // Owners only (project_edit.cpp). kInvalidArgument naming the field; kConflict for a used
    // name or a removed class stored answers still use; kFailedPrecondition when the change
    // rewrites or restarts stored answers while the project is running (pause it first).
    Result<Project> Edit(const User& actor, Id project_id, const ProjectPatch& patch);
    Result<Project> Start(const User& actor, Id project_id);
    Result<Project> Pause(const User& actor, Id project_id);
    Status Delete(const User& actor, Id project_id);

    static constexpr std::size_t kMaxListedFolders = 1000;
    static constexpr std::int64_t kMaxPreviewCount = 10000;
    static constexpr std::size_t kPreviewExamples = 5;

    // Owners only. `path` "" lists just the roots; otherwise the sub-folders of that folder,
    // which must resolve (symlinks followed) inside a root. Folders whose real location is
    // outside every root are left out. kInvalidArgument for a relative path, a control
    // character, or a folder that does not exist or cannot be read.
    Result<FolderListing> ListFolders(const User& actor, const std::string& path) const;
    // Owners only. Counts the images `pattern` matches under `path` as the ingest would, up to
    // kMaxPreviewCount. Same errors as Create gives for the datasource.
    Result<DatasourcePreview> PreviewDatasource(const User& actor, const std::string& path,
                                                const std::string& pattern) const;

    // Owners only. Reads the first rows of the manifest at `path` (a CSV or JSONL file, or an
    // MLTable file or folder) for the mapping step. Same path errors as Create.
    Result<ManifestPreviewView> PreviewManifest(const User& actor, const std::string& path,
                                                const std::string& format) const;
    // Checks a manifest datasource (path under an allowed root, datastore folders, the mapping
    // against the file's columns, category only for classification) without creating anything.
    Result<ResolvedManifest> ResolveManifest(const ProjectSpec& spec, TaskType type) const;

    // Resolves a user-given folder against the allowed roots, following symlinks; anything that
    // lands outside every root is kPermissionDenied. Exposed for the ingest job and tests.
    Result<std::filesystem::path> ResolveLocalPath(const std::string& path) const;
    const ProjectSettings& settings() const { return settings_; }

private:
    Result<std::filesystem::path> ResolveManifestPath(const std::string& path,
                                                      ManifestFormat format) const;
    Result<Project> CreateManifestProject(Project project, const ProjectSpec& spec);
    // The manifest's Azure datastores as azure_blob datasources to store (validated, the
    // credentials tried and sealed by the opener), by datastore name.
    Result<std::map<std::string, Datasource>> PrepareAzureDatastores(const ManifestSpec& spec);
    std::uint64_t NewShuffleSeed();
    static void HideServerPaths(ProjectView& view);
    void ForgetCached(Id project_id);

    Repository& repo_;
    const Clock& clock_;
    Random& random_;
    ProjectSettings settings_;
    ProjectCache* cache_;  // may be null
};

// Project names: 1-100 characters after trimming, no control characters.
Status ValidateProjectName(const std::string& name);
// Instructions: text up to 200,000 bytes; a URL empty or http(s), up to 2,000 bytes.
Status ValidateInstructions(const std::string& text, const std::string& url);
// Glob: relative, no "..", characters from a safe set; "" means "**/*.*".
Status ValidatePattern(const std::string& pattern);

}  // namespace tessera
