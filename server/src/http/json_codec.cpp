#include "http/json_codec.hpp"

#include "base/log.hpp"
#include "domain/label_tree.hpp"
#include "http/json_io.hpp"
#include "http/ml_codec.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;

json OptionalTime(TimeMs ms) {
    return ms == 0 ? json(nullptr) : json(ms);
}

std::string ItemUrl(const Item& item, const char* leaf) {
    return "/api/v1/projects/" + std::to_string(item.project_id) + "/items/" +
           std::to_string(item.id) + "/" + leaf;
}

// The project's labels in both forms the UI uses: the tree as given and the flat list.
void AddLabels(const Project& project, json& out) {
    json list = json::array();
    auto tree = LabelTreeOf(project);
    if (!tree.ok()) {
        // Stored trees were valid when saved: a bad one is a server fault, logged; the project
        // still shows (with no labels) so that its owner can see it and fix the labels.
        log::Error("cannot read a project's labels", {{"error", tree.error().message}});
        out["labels"] = json::array();
        out["label_list"] = std::move(list);
        return;
    }
    for (const LabelNode& node : tree->nodes()) {
        list.push_back({{"path", node.path},
                        {"name", node.name},
                        {"depth", node.depth},
                        {"key", node.key ? json(*node.key) : json(nullptr)}});
    }
    out["labels"] = tree->ToJson();
    out["label_list"] = std::move(list);
}

Result<json> OptionalObject(const json& body, const std::string& field) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) {
        return json::object();
    }
    if (!it->is_object()) {
        return Error::InvalidArgument(field + " must be an object", field);
    }
    return *it;
}

// Re-labels a nested field error with its parent ("path" -> "datasource.path").
Error Nested(Error error, const std::string& parent) {
    if (!error.field.empty()) {
        error.message = parent + "." + error.message;
        error.field = parent + "." + error.field;
    }
    return error;
}

Result<std::optional<std::string>> NestedString(const json& object, const std::string& field,
                                                const std::string& parent) {
    auto value = OptionalString(object, field);
    if (!value.ok()) {
        return Nested(value.error(), parent);
    }
    return *value;
}

// The manifest datasource's own fields (docs/api.md): format, mapping, import_as, datastores.
Result<ManifestSpec> ManifestSpecFromJson(const json& datasource) {
    ManifestSpec spec;
    TESSERA_ASSIGN_OR_RETURN(auto format, NestedString(datasource, "format", "datasource"));
    TESSERA_ASSIGN_OR_RETURN(spec.format, ManifestFormatFromName(format.value_or("")));
    auto mapping = datasource.find("mapping");
    if (mapping == datasource.end() || !mapping->is_object()) {
        return Error::InvalidArgument(
            "datasource.mapping must be an object naming at least the image column",
            "datasource.mapping");
    }
    TESSERA_ASSIGN_OR_RETURN(auto image, NestedString(*mapping, "image", "datasource.mapping"));
    TESSERA_ASSIGN_OR_RETURN(auto category,
                             NestedString(*mapping, "category", "datasource.mapping"));
    TESSERA_ASSIGN_OR_RETURN(auto confidence,
                             NestedString(*mapping, "confidence", "datasource.mapping"));
    if (!image || image->empty()) {
        return Error::InvalidArgument(
            "datasource.mapping.image is required: the column that holds the image",
            "datasource.mapping.image");
    }
    spec.mapping = {*image, category.value_or(""), confidence.value_or("")};
    TESSERA_ASSIGN_OR_RETURN(auto import_as, NestedString(datasource, "import_as", "datasource"));
    auto mode = ParseImportMode(import_as.value_or("prelabel"));
    if (!mode) {
        return Error::InvalidArgument("datasource.import_as must be prelabel or final",
                                      "datasource.import_as");
    }
    spec.import_as = *mode;
    auto datastores = datasource.find("datastores");
    if (datastores != datasource.end() && !datastores->is_null()) {
        if (!datastores->is_object()) {
            return Error::InvalidArgument(
                "datasource.datastores must be an object of datastore name to folder path",
                "datasource.datastores");
        }
        for (const auto& [name, target] : datastores->items()) {
            // An Azure Blob container is validated (and its credential sealed) by the service.
            if (target.is_object() && target.value("kind", "") == "azure_blob") {
                spec.azure_datastores[name] = target.dump();
                continue;
            }
            if (!target.is_string()) {
                return Error::InvalidArgument(
                    "datasource.datastores." + name +
                        " must be a folder path (a string) or an azure_blob datasource object "
                        "({\"kind\": \"azure_blob\", \"account_url\", \"container\", ...})",
                    "datasource.datastores." + name);
            }
            spec.datastores[name] = target.get<std::string>();
        }
    }
    return spec;
}

}  // namespace

json UserToJson(const User& user) {
    return {{"id", user.id}, {"username", user.username}, {"role", RoleName(user.role)}};
}

json ProgressToJson(const Progress& p) {
    return {{"total", p.total},     {"unlabeled", p.unlabeled}, {"in_progress", p.in_progress},
            {"labeled", p.labeled}, {"skipped", p.skipped},     {"needs_review", p.needs_review},
            {"error", p.error},     {"missing", p.missing}};
}

json JobToJson(const Job& job) {
    json out{{"id", job.id},
             {"kind", job.kind},
             {"state", JobStateName(job.state)},
             {"progress_done", job.progress_done},
             {"progress_total", job.progress_total},
             {"error", job.error},
             {"created_at", job.created_at},
             {"finished_at", OptionalTime(job.finished_at)}};
    // An import's summary (ImportService::kImportJobKind, ImportJobPayload): the job list is
    // also the project's import history.
    if (job.kind == "import") {
        json summary = json::parse(job.payload_json, nullptr, false);
        if (summary.is_object()) {
            out["import"] = std::move(summary);
        }
    }
    return out;
}

json RefreshToJson(const RefreshSettings& refresh) {
    return {{"enabled", refresh.enabled},
            {"interval_s", refresh.interval_s},
            {"last_at", refresh.last_at ? json(*refresh.last_at) : json(nullptr)}};
}

json ProjectToJson(const Project& project, const Progress& progress, const std::vector<Job>& jobs) {
    json out{
        {"id", project.id},
        {"name", project.name},
        {"task_type", TaskTypeName(project.task_type)},
        {"status", ProjectStatusName(project.status)},
        {"instructions", {{"text", project.instructions_text}, {"url", project.instructions_url}}},
        // Never the datasource's secret (docs/design/datasources.md).
        {"datasource",
         {{"id", project.datasource.id},
          {"kind", project.datasource.kind},
          {"path", project.datasource.path},
          {"pattern", project.datasource.pattern}}},
        {"refresh", RefreshToJson(project.refresh)},
        {"item_limit", project.item_limit},
        {"item_limit_reached", project.item_limit_reached},
        {"created_at", project.created_at},
        {"progress", ProgressToJson(progress)}};
    // Kind-specific settings (azure_blob: account_url, container, prefix and which credential
    // is set); the stored config never holds the credential itself.
    if (project.datasource.kind != "local") {
        json config = json::parse(project.datasource.config_json, nullptr, false);
        if (config.is_object()) {
            for (const auto& [key, value] : config.items()) {
                if (key != "kind" && key != "pattern" && key != "secret") {
                    out["datasource"][key] = value;
                }
            }
        }
    }
    AddLabels(project, out);
    json job_list = json::array();
    for (const Job& job : jobs) {
        job_list.push_back(JobToJson(job));
    }
    out["jobs"] = std::move(job_list);
    return out;
}

json ProjectViewToJson(const ProjectView& view) {
    return ProjectToJson(view.project, view.progress, view.jobs);
}

json ItemToJson(const Item& item) {
    std::size_t slash = item.path.rfind('/');
    return {{"id", item.id},
            {"name", slash == std::string::npos ? item.path : item.path.substr(slash + 1)},
            {"path", item.path},
            {"width", item.width},
            {"height", item.height},
            {"format", item.format},
            {"size_bytes", item.size_bytes},
            {"state", ItemStateName(item.state)},
            {"error", item.error},
            {"image_url", ItemUrl(item, "image")},
            {"thumbnail_url", ItemUrl(item, "thumbnail")}};
}

json PageToJson(const Page& page) {
    json items = json::array();
    for (const Item& item : page.items) {
        json entry = ItemToJson(item);
        if (auto prelabel = page.prelabels.find(item.id); prelabel != page.prelabels.end()) {
            entry["prelabel"] = PrelabelToJson(prelabel->second);
        }
        items.push_back(std::move(entry));
    }
    return {{"lease", page.lease},
            {"lease_expires_at", page.lease_expires_at},
            {"kind", PageKindName(page.kind)},
            {"items", std::move(items)}};
}

json AnnotationViewToJson(const AnnotationView& view) {
    return {
        {"item", ItemToJson(view.item)}, {"labels", view.labels}, {"updated_at", view.updated_at}};
}

namespace {

// A version as the API shows it: who, when, its payload's fields ("labels" or "shapes").
json VersionToJson(const AnnotationVersion& v) {
    json out{{"annotation_id", v.annotation_id},
             {"source", AnnotationSourceName(v.source)},
             {"author", v.author.empty() ? json(nullptr) : json(v.author)},
             {"stored_at", v.stored_at}};
    const json payload = json::parse(v.payload_json, nullptr, false);
    if (payload.is_object()) {
        for (const auto& [key, value] : payload.items()) {
            out[key] = value;
        }
    }
    if (v.confidence) {
        out["confidence"] = *v.confidence;
    }
    if (v.ml_round_id) {
        out["ml_round_id"] = *v.ml_round_id;
    }
    if (v.replaced_at) {
        out["replaced_at"] = *v.replaced_at;
        out["replaced_by"] = v.replaced_by_name.empty() ? json(nullptr) : json(v.replaced_by_name);
        out["reason"] = v.reason;
    }
    return out;
}

}  // namespace

json ItemRecordToJson(const ItemRecord& record) {
    json answers = json::array();
    for (const AnnotationVersion& v : record.current) {
        json version = VersionToJson(v);
        version["counts"] = record.counting == v.annotation_id;
        answers.push_back(std::move(version));
    }
    json history = json::array();
    for (const AnnotationVersion& v : record.replaced) {
        history.push_back(VersionToJson(v));
    }
    return {{"item", ItemToJson(record.item)},
            {"answers", std::move(answers)},
            {"history", std::move(history)}};
}

json DashboardToJson(const DashboardView& view) {
    json labels = json::array();
    for (const LabelCount& count : view.labels) {
        labels.push_back({{"label", count.label}, {"count", count.count}});
    }
    json labelers = json::array();
    for (const LabelerCount& count : view.labelers) {
        labelers.push_back(
            {{"user_id", count.user_id}, {"username", count.username}, {"count", count.count}});
    }
    json jobs = json::array();
    for (const Job& job : view.jobs) {
        jobs.push_back(JobToJson(job));
    }
    return {{"progress", ProgressToJson(view.progress)},
            {"labels", std::move(labels)},
            {"labelers", std::move(labelers)},
            {"jobs", std::move(jobs)}};
}

std::string_view SubmitOutcomeName(SubmitOutcome outcome) {
    switch (outcome) {
        case SubmitOutcome::kStored: return "stored";
        case SubmitOutcome::kUpdated: return "updated";
        case SubmitOutcome::kUnchanged: return "unchanged";
    }
    return "stored";
}

Result<ProjectSpec> ProjectSpecFromJson(const json& body) {
    ProjectSpec spec;
    TESSERA_ASSIGN_OR_RETURN(spec.name, RequiredString(body, "name"));
    TESSERA_ASSIGN_OR_RETURN(spec.task_type, RequiredString(body, "task_type"));
    auto labels = body.find("labels");
    if (labels == body.end() || labels->is_null()) {
        return Error::InvalidArgument("labels is required", "labels");
    }
    TESSERA_ASSIGN_OR_RETURN(spec.labels, LabelTree::FromJson(*labels));

    TESSERA_ASSIGN_OR_RETURN(json instructions, OptionalObject(body, "instructions"));
    auto text = OptionalString(instructions, "text");
    auto url = OptionalString(instructions, "url");
    if (!text.ok()) {
        return Nested(text.error(), "instructions");
    }
    if (!url.ok()) {
        return Nested(url.error(), "instructions");
    }
    spec.instructions_text = text->value_or("");
    spec.instructions_url = url->value_or("");
    if (auto refresh = body.find("refresh"); refresh != body.end()) {
        TESSERA_ASSIGN_OR_RETURN(spec.refresh, RefreshChangeFromJson(*refresh));
    }

    auto datasource = body.find("datasource");
    if (datasource == body.end() || !datasource->is_object()) {
        return Error::InvalidArgument("datasource must be an object with a path", "datasource");
    }
    auto kind = OptionalString(*datasource, "kind");
    if (kind.ok() && kind->value_or("") == "azure_blob") {
        // Validated (and its credential sealed) by the service.
        spec.datasource.kind = "azure_blob";
        spec.datasource.config_json = datasource->dump();
        TESSERA_ASSIGN_OR_RETURN(spec.item_limit, OptionalInt(body, "item_limit"));
        return spec;
    }
    auto path = RequiredString(*datasource, "path");
    auto pattern = OptionalString(*datasource, "pattern");
    for (const Error* error :
         {kind.ok() ? nullptr : &kind.error(), path.ok() ? nullptr : &path.error(),
          pattern.ok() ? nullptr : &pattern.error()}) {
        if (error != nullptr) {
            return Nested(*error, "datasource");
        }
    }
    spec.datasource.kind = kind->value_or("local");
    spec.datasource.path = *path;
    spec.datasource.pattern = pattern->value_or("");
    if (spec.datasource.kind == "manifest") {
        TESSERA_ASSIGN_OR_RETURN(spec.manifest, ManifestSpecFromJson(*datasource));
    }
    TESSERA_ASSIGN_OR_RETURN(spec.item_limit, OptionalInt(body, "item_limit"));
    return spec;
}

Result<RefreshSettingsChange> RefreshChangeFromJson(const json& refresh) {
    if (!refresh.is_object()) {
        return Error::InvalidArgument("refresh must be an object with enabled and/or interval_s",
                                      "refresh");
    }
    RefreshSettingsChange change;
    for (const auto& [key, value] : refresh.items()) {
        if (key == "enabled") {
            if (!value.is_boolean()) {
                return Error::InvalidArgument("refresh.enabled must be true or false",
                                              "refresh.enabled");
            }
            change.enabled = value.get<bool>();
        } else if (key == "interval_s") {
            if (!value.is_number_integer()) {
                return Error::InvalidArgument(
                    "refresh.interval_s must be a whole number of seconds", "refresh.interval_s");
            }
            change.interval_s = value.get<std::int64_t>();
        } else if (key != "last_at") {  // read-only; echoing it back is harmless
            return Error::InvalidArgument("refresh." + key + " is not a refresh setting",
                                          "refresh." + key);
        }
    }
    return change;
}

Result<std::vector<std::string>> StringListFromJson(const json& body, const std::string& field) {
    auto it = body.find(field);
    if (it == body.end() || !it->is_array()) {
        return Error::InvalidArgument(field + " must be an array of strings", field);
    }
    std::vector<std::string> out;
    for (const json& value : *it) {
        if (!value.is_string()) {
            return Error::InvalidArgument(field + " must be an array of strings", field);
        }
        out.push_back(value.get<std::string>());
    }
    return out;
}

}  // namespace tessera::http
