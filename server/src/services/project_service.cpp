#include "services/project_service.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <system_error>

#include "base/text.hpp"
#include "services/cache_purge_job.hpp"
#include "services/datasource_opener.hpp"
#include "services/permissions.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kMaxItemLimit = 100'000'000;

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

Status ValidateInstructions(const std::string& text, const std::string& url) {
    if (text.size() > 200'000) {
        return Error::InvalidArgument("instructions are longer than 200,000 characters",
                                      "instructions.text");
    }
    return ValidateUrl(url);
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
    if (HasControlCharacter(pattern)) {
        return Error::InvalidArgument("pattern has a control character", "datasource.pattern");
    }
    if (pattern.find('\\') != std::string::npos) {
        return Error::InvalidArgument("pattern has a backslash, which is not allowed",
                                      "datasource.pattern");
    }
    return Status::Ok();
}

ProjectService::ProjectService(Repository& repo, const Clock& clock, Random& random,
                               ProjectSettings settings, ProjectCache* cache)
    : repo_(repo), clock_(clock), random_(random), settings_(std::move(settings)), cache_(cache) {}

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
    TESSERA_TRY(ValidateInstructions(spec.instructions_text, spec.instructions_url));
    const std::string& kind = spec.datasource.kind;
    const bool azure = kind == "azure_blob" && settings_.opener != nullptr;
    if (kind != "local" && kind != "manifest" && !azure) {
        return Error::InvalidArgument(
            "unknown datasource kind '" + kind + "'; use \"local\", \"manifest\" or \"azure_blob\"",
            "datasource.kind");
    }
    std::int64_t limit = spec.item_limit.value_or(settings_.default_item_limit);
    if (limit < 1 || limit > kMaxItemLimit) {
        return Error::InvalidArgument("item_limit must be between 1 and 100,000,000", "item_limit");
    }

    TESSERA_ASSIGN_OR_RETURN(project.refresh, ApplyRefreshChange(RefreshSettings{}, spec.refresh));

    project.status = ProjectStatus::kDraft;
    project.labels_json = spec.labels.ToJson().dump();
    project.instructions_text = spec.instructions_text;
    project.instructions_url = spec.instructions_url;
    project.created_by = actor.id;
    project.created_at = clock_.NowMs();
    project.item_limit = limit;
    if (kind == "manifest") {
        return CreateManifestProject(std::move(project), spec);
    }
    if (azure) {
        // Tries the credential with one List request, then seals it (services/azure_datasource).
        auto object = nlohmann::json::parse(spec.datasource.config_json, nullptr, false);
        TESSERA_ASSIGN_OR_RETURN(project.datasource, settings_.opener->PrepareAzure(object));
    } else {
        TESSERA_TRY(ValidatePattern(spec.datasource.pattern));
        TESSERA_ASSIGN_OR_RETURN(fs::path root, ResolveLocalPath(spec.datasource.path));
        project.datasource.kind = "local";
        project.datasource.path = root.string();
        project.datasource.pattern =
            spec.datasource.pattern.empty() ? "**/*.*" : spec.datasource.pattern;
    }
    project.shuffle_seed = NewShuffleSeed();
    TESSERA_ASSIGN_OR_RETURN(Project created, repo_.CreateProject(project));

    Job job;
    job.kind = "ingest";
    job.project_id = created.id;
    job.payload_json = nlohmann::json{{"project_id", created.id}}.dump();
    job.created_at = created.created_at;
    TESSERA_TRY(repo_.EnqueueJob(job));
    return created;
}

Result<ProjectView> ProjectService::Get(const User& actor, Id project_id) {
    ProjectView view;
    // Jobs first: a client that sees a job done must also see what it wrote (a refresh's
    // item_limit_reached, its new items), so the project and progress are read after them.
    TESSERA_ASSIGN_OR_RETURN(view.jobs, repo_.ListJobs(project_id));
    TESSERA_ASSIGN_OR_RETURN(view.project, repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(view.progress, repo_.GetProgress(project_id, clock_.NowMs()));
    if (actor.role != Role::kOwner) {
        HideServerPaths(view);
    }
    return view;
}

// Labelers see neither the folder a project reads nor job errors, which name server paths
// (docs/design/security.md): what the server's disk looks like is the owners' business.
void ProjectService::HideServerPaths(ProjectView& view) {
    view.project.datasource.path.clear();
    view.project.datasource.config_json = "{}";  // an account URL and container, for blobs
    for (Job& job : view.jobs) {
        if (!job.error.empty()) {
            job.error = "failed (the owner sees why)";
        }
    }
}

Result<std::vector<Item>> ProjectService::ListItems(const User& /*actor*/, Id project_id,
                                                    const ItemFilter& filter) {
    TESSERA_TRY(repo_.GetProject(project_id));  // kNotFound before an empty page
    return repo_.ListItems(project_id, filter);
}

Result<ItemRecord> ProjectService::GetItemRecord(const User& actor, Id project_id, Id item_id) {
    TESSERA_ASSIGN_OR_RETURN(ItemRecord record, repo_.GetItemRecord(project_id, item_id));
    if (actor.role == Role::kOwner) {
        return record;
    }
    const auto others = [&](const AnnotationVersion& v) {
        return v.source != AnnotationSource::kPrelabel && v.author_id != actor.id;
    };
    if (std::any_of(record.current.begin(), record.current.end(), [&](const auto& v) {
            return v.annotation_id == record.counting && others(v);
        })) {
        record.counting.reset();
    }
    std::erase_if(record.current, others);
    std::erase_if(record.replaced, others);
    return record;
}

Result<ItemPage> ProjectService::FindItems(const User& /*actor*/, Id project_id, ItemFilter filter,
                                           const std::string& labeler) {
    // kNotFound before an empty page
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    if (filter.label) {
        // label=Animal also finds items labeled Animal/Cat (hierarchical labels are paths).
        TESSERA_ASSIGN_OR_RETURN(LabelTree tree, LabelTreeOf(project));
        const std::string prefix = *filter.label + "/";
        for (const LabelNode& node : tree.nodes()) {
            if (node.path.compare(0, prefix.size(), prefix) == 0) {
                filter.label_subclasses.push_back(node.path);
            }
        }
    }
    if (!labeler.empty()) {
        const bool numeric = labeler.size() < 19 &&
                             std::all_of(labeler.begin(), labeler.end(),
                                         [](unsigned char c) { return std::isdigit(c) != 0; });
        if (numeric) {
            filter.labeler_id = std::stoll(labeler);
        } else {
            auto user = repo_.FindUserByName(labeler);
            if (!user.ok()) {
                if (user.error().code == ErrorCode::kNotFound) {
                    return Error::InvalidArgument("no user named '" + labeler + "'", "labeler");
                }
                return user.error();
            }
            filter.labeler_id = user->id;
        }
    }
    filter.now = clock_.NowMs();
    return repo_.FindItems(project_id, filter);
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

// Stored so the queue order can be reproduced; masked to stay a positive 63-bit integer.
std::uint64_t ProjectService::NewShuffleSeed() {
    return random_.NextU64() & 0x7FFFFFFFFFFFFFFFULL;
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
