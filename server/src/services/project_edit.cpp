// ProjectService::Edit (PATCH /projects/{id}): each part of the patch is checked by its own
// function, then everything is applied by one Repository::EditProject transaction.
#include "services/project_edit.hpp"

#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "domain/label_edit.hpp"
#include "services/permissions.hpp"
#include "services/project_service.hpp"

namespace tessera {
namespace {

Status CheckName(const ProjectPatch& patch, ProjectEdit& edit) {
    if (!patch.name) {
        return Status::Ok();
    }
    edit.name = Trim(*patch.name);
    return ValidateProjectName(*edit.name);
}

Status CheckInstructions(const ProjectPatch& patch, ProjectEdit& edit) {
    TESSERA_TRY(ValidateInstructions(patch.instructions_text.value_or(""),
                                     patch.instructions_url.value_or("")));
    edit.instructions_text = patch.instructions_text;
    edit.instructions_url = patch.instructions_url;
    return Status::Ok();
}

// A label change that touches stored answers (renames, removals, restarts) waits for a pause,
// as Azure's does: pausing hands every page back, so no labeler submits into the rewrite.
Status RequirePausedFor(const Project& project, const LabelEditPlan& plan, LabelRestart restart) {
    if (project.status != ProjectStatus::kRunning) {
        return Status::Ok();
    }
    if (!plan.renames.empty() || !plan.removed.empty() || restart != LabelRestart::kContinue) {
        return Error::FailedPrecondition(
            "pause the project before renaming or removing classes or starting over; adding "
            "classes with \"continue\" works while it runs");
    }
    return Status::Ok();
}

Status CheckLabels(const ProjectPatch& patch, const Project& project, TimeMs now, Id actor,
                   ProjectEdit& edit) {
    if (!patch.labels) {
        if (!patch.rename.empty()) {
            return Error::InvalidArgument("rename needs the new labels beside it", "rename");
        }
        if (patch.on_new_labels) {
            return Error::InvalidArgument("on_new_labels needs the new labels beside it",
                                          "on_new_labels");
        }
        return Status::Ok();
    }
    if (patch.labels->empty()) {
        return Error::InvalidArgument("at least one label class is required", "labels");
    }
    if (!patch.on_new_labels) {
        return Error::InvalidArgument(
            "on_new_labels is required with labels: restart_clear, restart_keep or continue",
            "on_new_labels");
    }
    TESSERA_ASSIGN_OR_RETURN(LabelTree old_tree, LabelTreeOf(project));
    TESSERA_ASSIGN_OR_RETURN(LabelEditPlan plan,
                             PlanLabelEdit(old_tree, *patch.labels, patch.rename));
    TESSERA_TRY(RequirePausedFor(project, plan, *patch.on_new_labels));
    LabelChange change;
    change.labels_json = patch.labels->ToJson().dump();
    change.renames = std::move(plan.renames);
    change.removed = std::move(plan.removed);
    change.restart = *patch.on_new_labels;
    change.shapes = !IsClassification(project.task_type);
    change.now = now;
    change.actor_id = actor;
    edit.labels = std::move(change);
    return Status::Ok();
}

}  // namespace

std::optional<LabelRestart> ParseLabelRestart(const std::string& text) {
    if (text == "restart_clear") {
        return LabelRestart::kClear;
    }
    if (text == "restart_keep") {
        return LabelRestart::kKeep;
    }
    if (text == "continue") {
        return LabelRestart::kContinue;
    }
    return std::nullopt;
}

Result<Project> ProjectService::Edit(const User& actor, Id project_id, const ProjectPatch& patch) {
    TESSERA_TRY(RequireOwner(actor, "edit projects"));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    ProjectEdit edit;
    TESSERA_TRY(CheckName(patch, edit));
    TESSERA_TRY(CheckInstructions(patch, edit));
    TESSERA_TRY(CheckLabels(patch, project, clock_.NowMs(), actor.id, edit));
    Status applied = repo_.EditProject(project_id, edit);
    ForgetCached(project_id);  // also on failure: what the database holds now is unknown
    TESSERA_TRY(applied);
    return repo_.GetProject(project_id);
}

}  // namespace tessera
