#include "services/labeling_service.hpp"

#include <nlohmann/json.hpp>

#include "domain/classification.hpp"
#include "domain/label_tree.hpp"

namespace tessera {
namespace {

Result<LabelTree> TreeOf(const Project& project) {
    auto json = nlohmann::json::parse(project.labels_json, nullptr, false);
    if (json.is_discarded()) {
        return Error::Internal("stored label tree is not valid JSON");
    }
    return LabelTree::FromJson(json);
}

Status RequireRunning(const Project& project) {
    if (project.status != ProjectStatus::kRunning) {
        return Error::FailedPrecondition("project '" + project.name + "' is " +
                                         std::string(ProjectStatusName(project.status)) +
                                         "; labeling needs it running");
    }
    return Status::Ok();
}

Status CheckLeaseFormat(const std::string& lease) {
    if (lease.size() > 128) {
        return Error::InvalidArgument("lease is malformed", "lease");
    }
    return Status::Ok();
}

}  // namespace

LabelingService::LabelingService(Repository& repo, const Clock& clock, Random& random,
                                 LabelingSettings settings)
    : repo_(repo), clock_(clock), random_(random), settings_(settings) {}

Result<Page> LabelingService::Next(const User& actor, Id project_id, int count) {
    if (count != 1 && count != 4 && count != 6 && count != 9) {
        return Error::InvalidArgument("count must be 1, 4, 6 or 9", "count");
    }
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_TRY(RequireRunning(project));
    LeaseRequest request;
    request.project_id = project_id;
    request.user_id = actor.id;
    request.count = count;
    request.lease_token = random_.HexToken(16);
    request.now = clock_.NowMs();
    request.expires_at = request.now + settings_.lease_ms;
    TESSERA_ASSIGN_OR_RETURN(auto items, repo_.LeaseNext(request));
    Page page;
    if (!items.empty()) {
        page.lease = request.lease_token;
        page.lease_expires_at = request.expires_at;
    }
    page.items = std::move(items);
    return page;
}

Result<TimeMs> LabelingService::Renew(const User& actor, Id project_id, const std::string& lease) {
    TESSERA_TRY(CheckLeaseFormat(lease));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_TRY(RequireRunning(project));
    const TimeMs now = clock_.NowMs();
    const TimeMs expires = now + settings_.lease_ms;
    TESSERA_TRY(repo_.RenewLease(project_id, actor.id, lease, now, expires));
    return expires;
}

Status LabelingService::Release(const User& actor, Id project_id, const std::string& lease) {
    TESSERA_TRY(CheckLeaseFormat(lease));
    TESSERA_TRY(repo_.GetProject(project_id));
    return repo_.ReleaseLease(project_id, actor.id, lease);
}

Result<SubmitOutcome> LabelingService::SubmitLabels(const User& actor, Id project_id, Id item_id,
                                                    const std::string& lease,
                                                    const std::vector<std::string>& labels) {
    TESSERA_TRY(CheckLeaseFormat(lease));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_TRY(RequireRunning(project));
    TESSERA_ASSIGN_OR_RETURN(LabelTree tree, TreeOf(project));
    TESSERA_ASSIGN_OR_RETURN(auto ordered, ValidateClassification(project.task_type, tree, labels));
    SubmitRequest request;
    request.project_id = project_id;
    request.item_id = item_id;
    request.user_id = actor.id;
    request.lease_token = lease;
    request.payload_json = ClassificationPayload(ordered);
    request.counted_labels = ordered;
    request.now = clock_.NowMs();
    return repo_.SubmitAnnotation(request);
}

Status LabelingService::Skip(const User& actor, Id project_id, Id item_id,
                             const std::string& lease) {
    TESSERA_TRY(CheckLeaseFormat(lease));
    if (lease.empty()) {
        return Error::InvalidArgument("lease is required to skip an item", "lease");
    }
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_TRY(RequireRunning(project));
    SkipRequest request;
    request.project_id = project_id;
    request.item_id = item_id;
    request.user_id = actor.id;
    request.lease_token = lease;
    request.now = clock_.NowMs();
    return repo_.SkipItem(request);
}

Result<AnnotationView> LabelingService::GetAnnotation(const User& actor, Id project_id,
                                                      Id item_id) {
    TESSERA_TRY(repo_.GetProject(project_id));
    AnnotationView view;
    TESSERA_ASSIGN_OR_RETURN(view.item, repo_.GetItem(project_id, item_id));
    TESSERA_ASSIGN_OR_RETURN(Annotation annotation,
                             repo_.GetAnnotation(project_id, item_id, actor.id));
    TESSERA_ASSIGN_OR_RETURN(view.labels, ParseClassificationPayload(annotation.payload_json));
    view.updated_at = annotation.updated_at;
    return view;
}

Result<std::vector<AnnotationView>> LabelingService::History(const User& actor, Id project_id,
                                                             int limit, TimeMs before) {
    if (limit < 1 || limit > 200) {
        return Error::InvalidArgument("limit must be between 1 and 200", "limit");
    }
    TESSERA_TRY(repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(auto rows,
                             repo_.ListUserAnnotations(project_id, actor.id, limit,
                                                       before > 0 ? before : clock_.NowMs() + 1));
    std::vector<AnnotationView> out;
    out.reserve(rows.size());
    for (auto& [item, annotation] : rows) {
        AnnotationView view;
        view.item = std::move(item);
        TESSERA_ASSIGN_OR_RETURN(view.labels, ParseClassificationPayload(annotation.payload_json));
        view.updated_at = annotation.updated_at;
        out.push_back(std::move(view));
    }
    return out;
}

}  // namespace tessera
