// ProjectService's manifest side: checking a "manifest" datasource at creation (the file under
// an allowed root, the datastore folders, the column mapping against the file) and the
// wizard's mapping preview. The rows themselves are read by the manifest_ingest job.
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "base/text.hpp"
#include "blobs/source_file.hpp"
#include "domain/task_type.hpp"
#include "services/datasource_opener.hpp"
#include "services/manifest_job.hpp"
#include "services/permissions.hpp"
#include "services/project_service.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxDatastores = 100;

Error Field(Error error, const std::string& field) {
    error.field = field;
    return error;
}

Status ValidateDatastoreName(const std::string& name) {
    if (name.empty() || name.size() > 255 || name.find('/') != std::string::npos ||
        HasControlCharacter(name)) {
        return Error::InvalidArgument(
            "datastore names are 1-255 characters without '/': \"" + name + "\"",
            "datasource.datastores");
    }
    return Status::Ok();
}

// The opener names fields as an azure_blob datasource's ("datasource.sas_token"); here they
// are a datastore's ("datasource.datastores.NAME.sas_token").
Error InDatastore(Error error, const std::string& name) {
    const std::string datastore = "datasource.datastores." + name;
    if (error.field.starts_with("datasource.")) {
        error.field = datastore + error.field.substr(10);
    } else if (error.field.empty() && error.code == ErrorCode::kInvalidArgument) {
        error.field = datastore;
    }
    error.message = "datastore \"" + name + "\": " + error.message;
    return error;
}

}  // namespace

Result<std::map<std::string, Datasource>> ProjectService::PrepareAzureDatastores(
    const ManifestSpec& spec) {
    std::map<std::string, Datasource> out;
    for (const auto& [name, object_json] : spec.azure_datastores) {
        if (settings_.opener == nullptr) {
            return Error::InvalidArgument("this server cannot read Azure Blob datastores",
                                          "datasource.datastores." + name);
        }
        auto object = nlohmann::json::parse(object_json, nullptr, false);
        auto prepared = settings_.opener->PrepareAzure(object);
        if (!prepared.ok()) {
            return InDatastore(prepared.error(), name);
        }
        // The datastore's name, for the project's details; the credential is in `secret`.
        nlohmann::json config = nlohmann::json::parse(prepared->config_json, nullptr, false);
        config["datastore"] = name;
        prepared->config_json = config.dump();
        out.emplace(name, std::move(prepared).value());
    }
    return out;
}

Result<fs::path> ProjectService::ResolveManifestPath(const std::string& path,
                                                     ManifestFormat format) const {
    if (path.empty()) {
        return Error::InvalidArgument("datasource path is required: the manifest file",
                                      "datasource.path");
    }
    if (HasControlCharacter(path) || !fs::path(path).is_absolute()) {
        return Error::InvalidArgument(
            "datasource path must be an absolute path (start with /): " + path, "datasource.path");
    }
    std::error_code ec;
    fs::path canonical = fs::canonical(path, ec);
    if (ec) {
        return Error::InvalidArgument("the manifest does not exist: " + path, "datasource.path");
    }
    bool allowed = false;
    for (const fs::path& root : settings_.allowed_roots) {
        allowed = allowed || IsBeneath(canonical, root);
    }
    if (!allowed) {
        return Error::PermissionDenied("the manifest is outside the allowed roots: " + path);
    }
    const bool folder = fs::is_directory(canonical, ec);
    if (folder && format != ManifestFormat::kMlTable) {
        return Error::InvalidArgument(
            "datasource path is a folder; a csv or jsonl manifest is a file (an MLTable folder "
            "takes format \"mltable\")",
            "datasource.path");
    }
    if (!folder && !fs::is_regular_file(canonical, ec)) {
        return Error::InvalidArgument("the manifest is not a file: " + path, "datasource.path");
    }
    return canonical;
}

Result<ResolvedManifest> ProjectService::ResolveManifest(const ProjectSpec& spec,
                                                         TaskType type) const {
    const ManifestSpec& manifest = spec.manifest;
    TESSERA_ASSIGN_OR_RETURN(fs::path path,
                             ResolveManifestPath(spec.datasource.path, manifest.format));
    TESSERA_ASSIGN_OR_RETURN(ResolvedManifest resolved, ManifestFiles(path, manifest.format));
    if (manifest.datastores.size() + manifest.azure_datastores.size() > kMaxDatastores) {
        return Error::InvalidArgument("at most 100 datastores may be mapped",
                                      "datasource.datastores");
    }
    for (const auto& [name, object] : manifest.azure_datastores) {
        TESSERA_TRY(ValidateDatastoreName(name));
    }
    for (const auto& [name, folder] : manifest.datastores) {
        const std::string field = "datasource.datastores." + name;
        TESSERA_TRY(ValidateDatastoreName(name));
        auto resolved_folder = ResolveLocalPath(folder);
        if (!resolved_folder.ok()) {
            return Field(resolved_folder.error(), field);
        }
        resolved.roots.datastores[name] = *resolved_folder;
    }
    resolved.common_root = CommonManifestRoot(resolved.roots);
    bool under_one_root = false;
    for (const fs::path& root : settings_.allowed_roots) {
        under_one_root = under_one_root || IsBeneath(resolved.common_root, root);
    }
    if (!under_one_root) {
        return Error::InvalidArgument(
            "the manifest's folder and the datastore folders must lie under one allowed root",
            "datasource.datastores");
    }
    if (!manifest.mapping.category.empty() && !IsClassification(type)) {
        return Error::InvalidArgument(
            "a manifest's category column labels whole images, so it needs a multiclass or "
            "multilabel project; leave mapping.category out and import shapes with the "
            "project's Import button",
            "datasource.mapping.category");
    }
    // The mapping is checked against the first file now, so a missing column is a 400 at
    // Create rather than a failed job later.
    std::ifstream in(resolved.files.front(), std::ios::binary);
    if (!in) {
        return Error::InvalidArgument("the server cannot read the manifest", "datasource.path");
    }
    auto checked = ReadManifest(in, resolved.read_format, manifest.mapping,
                                [](ManifestRow&&) { return false; });
    if (!checked.ok()) {
        Error error = checked.error();
        if (!error.field.empty()) {
            error.field = "datasource." + error.field;
        }
        return error;
    }
    return resolved;
}

Result<Project> ProjectService::CreateManifestProject(Project project, const ProjectSpec& spec) {
    TESSERA_ASSIGN_OR_RETURN(ResolvedManifest resolved, ResolveManifest(spec, project.task_type));
    TESSERA_ASSIGN_OR_RETURN(auto blob_stores, PrepareAzureDatastores(spec.manifest));
    project.datasource.kind = "manifest";
    project.datasource.path = resolved.common_root.string();
    // A manifest has no glob: the pattern names the manifest, relative to the folder.
    project.datasource.pattern = resolved.path.lexically_relative(resolved.common_root).string();
    project.shuffle_seed = NewShuffleSeed();
    TESSERA_ASSIGN_OR_RETURN(Project created, repo_.CreateProject(project));
    // Each Azure datastore is a datasource of the project: its items point at it
    // (items.source_id), so the image service reads them from the container.
    std::map<std::string, Id> blob_sources;
    for (auto& [name, source] : blob_stores) {
        source.created_at = created.created_at;
        auto added = repo_.AddDatasource(created.id, source);
        if (!added.ok()) {
            (void)repo_.DeleteProject(created.id, clock_.NowMs());  // no project without it
            return added.error();
        }
        blob_sources[name] = added->id;
    }

    Job job;
    job.kind = ManifestJob::kKind;
    job.project_id = created.id;
    job.payload_json = ManifestJobPayload(created.id, spec.manifest, resolved, blob_sources).dump();
    job.created_at = created.created_at;
    TESSERA_TRY(repo_.EnqueueJob(job));
    return created;
}

Result<ManifestPreviewView> ProjectService::PreviewManifest(const User& actor,
                                                            const std::string& path,
                                                            const std::string& format) const {
    TESSERA_TRY(RequireOwner(actor, "preview a manifest"));
    TESSERA_ASSIGN_OR_RETURN(ManifestFormat parsed, ManifestFormatFromName(format));
    TESSERA_ASSIGN_OR_RETURN(fs::path canonical, ResolveManifestPath(path, parsed));
    TESSERA_ASSIGN_OR_RETURN(ResolvedManifest resolved, ManifestFiles(canonical, parsed));
    ManifestPreviewView view;
    view.path = resolved.path.string();
    view.read_format = resolved.read_format;
    for (const fs::path& file : resolved.files) {
        view.files.push_back(file.lexically_relative(resolved.roots.manifest_dir).string());
    }
    std::ifstream in(resolved.files.front(), std::ios::binary);
    if (!in) {
        return Error::InvalidArgument("the server cannot read the manifest", "datasource.path");
    }
    TESSERA_ASSIGN_OR_RETURN(view.preview, tessera::PreviewManifest(in, resolved.read_format));
    return view;
}

}  // namespace tessera
