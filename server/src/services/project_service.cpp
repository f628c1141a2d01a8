#include "services/project_service.hpp"

#include <nlohmann/json.hpp>
#include <system_error>

#include "base/text.hpp"
#include "services/cache_purge_job.hpp"
#include "services/permissions.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kMaxItemLimit = 100'000'000;

bool IsUnder(const fs::path& path, const fs::path& root) {
    auto p = path.begin();
    for (auto r = root.begin(); r != root.end(); ++r, ++p) {
        if (r->empty()) {
            continue;  // trailing separator
        }
        if (p == path.end() || *p != *r) {
            return false;
        }
    }
    return true;
}

Status ValidateUrl(const std::string& url) {
    if (url.empty()) {
        return Status::Ok();
    }
    if (url.size() > 2000 || (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)) {
        return Error::InvalidArgument("instructions URL must start with http:// or https://",
                                      "instructions.url");
    }
    return Status::Ok();
}

}  // namespace

Status ValidateProjectName(const std::string& name) {
    if (name.empty()) {
        return Error::InvalidArgument("project name is required", "name");
    }
    if (name.size() > 100) {
        return Error::InvalidArgument("project name is longer than 100 characters", "name");
    }
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7F) {
            return Error::InvalidArgument("project name has a control character", "name");
        }
    }
    return Status::Ok();
}

Status ValidatePattern(const std::string& pattern) {
    if (pattern.size() > 500) {
        return Error::InvalidArgument("pattern is longer than 500 characters",
                                      "datasource.pattern");
    }
    if (!pattern.empty() && pattern.front() == '/') {
        return Error::InvalidArgument("pattern must be relative to the folder",
                                      "datasource.pattern");
    }
    std::size_t start = 0;
    while (start <= pattern.size()) {
        auto end = pattern.find('/', start);
        if (end == std::string::npos) {
            end = pattern.size();
        }
        if (pattern.compare(start, end - start, "..") == 0) {
            return Error::InvalidArgument("pattern may not contain '..'", "datasource.pattern");
        }
        start = end + 1;
    }
    for (unsigned char c : pattern) {
        if (c < 0x20 || c == '\\') {
            return Error::InvalidArgument("pattern has a character that is not allowed",
                                          "datasource.pattern");
        }
    }
    return Status::Ok();
}

ProjectService::ProjectService(Repository& repo, const Clock& clock, Random& random,
                               ProjectSettings settings, ProjectCache* cache)
    : repo_(repo), clock_(clock), random_(random), settings_(std::move(settings)), cache_(cache) {}

Result<fs::path> ProjectService::ResolveLocalPath(const std::string& path) const {
    if (path.empty()) {
        return Error::InvalidArgument("datasource path is required", "datasource.path");
    }
    fs::path given(path);
    if (!given.is_absolute()) {
        return Error::InvalidArgument("datasource path must be absolute", "datasource.path");
    }
    std::error_code ec;
    // canonical() resolves every symlink, so a link pointing outside a root is caught below.
    fs::path canonical = fs::canonical(given, ec);
    if (ec) {
        return Error::InvalidArgument("datasource path does not exist: " + path, "datasource.path");
    }
    if (!fs::is_directory(canonical, ec)) {
        return Error::InvalidArgument("datasource path is not a folder: " + path,
                                      "datasource.path");
    }
    for (const auto& root : settings_.allowed_roots) {
        if (IsUnder(canonical, root)) {
            return canonical;
        }
    }
    return Error::PermissionDenied("datasource path is outside the allowed roots: " + path);
}

Result<Project> ProjectService::Create(const User& actor, const ProjectSpec& spec) {
    TESSERA_TRY(RequireOwner(actor, "create projects"));
    Project project;
    project.name = Trim(spec.name);
    TESSERA_TRY(ValidateProjectName(project.name));
    auto type = ParseTaskType(spec.task_type);
    if (!type) {
        return Error::InvalidArgument(
            "unknown task type '" + spec.task_type +
                "'; use multiclass, multilabel, bbox, polygon or semantic",
            "task_type");
    }
    project.task_type = *type;
    if (spec.labels.empty()) {
        return Error::InvalidArgument("at least one label class is required", "labels");
    }
    if (spec.instructions_text.size() > 200'000) {
        return Error::InvalidArgument("instructions are longer than 200,000 characters",
                                      "instructions.text");
    }
    TESSERA_TRY(ValidateUrl(spec.instructions_url));
    if (spec.datasource.kind != "local") {
        return Error::InvalidArgument(
            "unknown datasource kind '" + spec.datasource.kind + "'; only \"local\" is available",
            "datasource.kind");
    }
    TESSERA_TRY(ValidatePattern(spec.datasource.pattern));
    TESSERA_ASSIGN_OR_RETURN(fs::path root, ResolveLocalPath(spec.datasource.path));
    std::int64_t limit = spec.item_limit.value_or(settings_.default_item_limit);
    if (limit < 1 || limit > kMaxItemLimit) {
        return Error::InvalidArgument("item_limit must be between 1 and 100,000,000", "item_limit");
    }

    project.status = ProjectStatus::kDraft;
    project.labels_json = spec.labels.ToJson().dump();
    project.instructions_text = spec.instructions_text;
    project.instructions_url = spec.instructions_url;
    project.datasource.kind = "local";
    project.datasource.path = root.string();
    project.datasource.pattern =
        spec.datasource.pattern.empty() ? "**/*.*" : spec.datasource.pattern;
    project.item_limit = limit;
    // Stored so the queue order can be reproduced; masked to stay a positive 63-bit integer.
    project.shuffle_seed = random_.NextU64() & 0x7FFFFFFFFFFFFFFFULL;
    project.created_by = actor.id;
    project.created_at = clock_.NowMs();
    TESSERA_ASSIGN_OR_RETURN(Project created, repo_.CreateProject(project));

    Job job;
    job.kind = "ingest";
    job.project_id = created.id;
    job.payload_json = nlohmann::json{{"project_id", created.id}}.dump();
    job.created_at = created.created_at;
    TESSERA_TRY(repo_.EnqueueJob(job));
    return created;
}

Result<ProjectView> ProjectService::Get(const User& /*actor*/, Id project_id) {
    ProjectView view;
    TESSERA_ASSIGN_OR_RETURN(view.project, repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(view.progress, repo_.GetProgress(project_id, clock_.NowMs()));
    TESSERA_ASSIGN_OR_RETURN(view.jobs, repo_.ListJobs(project_id));
    return view;
}

Result<std::vector<ProjectView>> ProjectService::List(const User& actor) {
    TESSERA_ASSIGN_OR_RETURN(auto projects, repo_.ListProjects());
    std::vector<ProjectView> out;
    out.reserve(projects.size());
    for (const auto& p : projects) {
        TESSERA_ASSIGN_OR_RETURN(auto view, Get(actor, p.id));
        out.push_back(std::move(view));
    }
    return out;
}

void ProjectService::ForgetCached(Id project_id) {
    if (cache_ != nullptr) {
        cache_->Erase(project_id);
    }
}

Result<Project> ProjectService::Start(const User& actor, Id project_id) {
    TESSERA_TRY(RequireOwner(actor, "start projects"));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    Status set = repo_.SetProjectStatus(project_id, ProjectStatus::kRunning);
    ForgetCached(project_id);  // also on failure: what the database holds now is unknown
    TESSERA_TRY(set);
    project.status = ProjectStatus::kRunning;
    return project;
}

Result<Project> ProjectService::Pause(const User& actor, Id project_id) {
    TESSERA_TRY(RequireOwner(actor, "pause projects"));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    if (project.status == ProjectStatus::kDraft) {
        return Error::FailedPrecondition("a project that has not started cannot be paused");
    }
    Status set = repo_.SetProjectStatus(project_id, ProjectStatus::kPaused);
    ForgetCached(project_id);
    TESSERA_TRY(set);
    project.status = ProjectStatus::kPaused;
    return project;
}

Status ProjectService::Delete(const User& actor, Id project_id) {
    TESSERA_TRY(RequireOwner(actor, "delete projects"));
    TESSERA_TRY(repo_.GetProject(project_id));
    // Queued first: if the delete then fails, purging a live project's caches only costs
    // re-rendering; the other order could leave a deleted project's files forever.
    Job purge;
    purge.kind = CachePurgeJob::kKind;
    purge.project_id = project_id;
    purge.payload_json = nlohmann::json{{"project_id", project_id}}.dump();
    purge.created_at = clock_.NowMs();
    TESSERA_TRY(repo_.EnqueueJob(purge));
    Status deleted = repo_.DeleteProject(project_id, clock_.NowMs());
    ForgetCached(project_id);
    return deleted;
}

}  // namespace tessera
