#include "services/labeling_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "domain/classification.hpp"
#include "domain/label_tree.hpp"
#include "domain/shape_checks.hpp"
#include "domain/shapes.hpp"

namespace tessera {
namespace {

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

std::string ShapesPayload(const std::vector<Shape>& shapes) {
    return nlohmann::json{{"shapes", ShapesToJson(shapes)}}.dump();
}

Result<std::vector<Shape>> ParseShapesPayload(const std::string& payload_json) {
    auto j = nlohmann::json::parse(payload_json, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("shapes")) {
        return Error::Internal("stored shapes payload is malformed");
    }
    auto shapes = ShapesFromJson(j["shapes"]);
    if (!shapes.ok()) {
        return Error::Internal("stored shapes payload is malformed: " + shapes.error().message);
    }
    return shapes;
}

// Classification payloads hold {"labels"}, drawing ones {"shapes"}; the view carries either.
Status FillFromPayload(AnnotationView& view, const std::string& payload_json) {
    auto j = nlohmann::json::parse(payload_json, nullptr, false);
    if (j.is_object() && j.contains("shapes")) {
        auto shapes = ShapesFromJson(j["shapes"]);
        if (!shapes.ok()) {
            return Error::Internal("stored shapes payload is malformed: " + shapes.error().message);
        }
        view.shapes = std::move(shapes).value();
        return Status::Ok();
    }
    TESSERA_ASSIGN_OR_RETURN(view.labels, ParseClassificationPayload(payload_json));
    return Status::Ok();
}

// Shapes as compared with a prelabel: ids (the page gives each shape one) and confidences
// left out.
std::string ComparableShapes(std::vector<Shape> shapes) {
    for (Shape& shape : shapes) {
        shape.id.clear();
        shape.confidence.reset();
    }
    return ShapesPayload(shapes);
}

// Whether `cleaned` is the item's newest prelabel unchanged; nullopt when it has none.
Result<std::optional<bool>> SameShapesAsPrelabel(Repository& repo, Id project_id, Id item_id,
                                                 const std::vector<Shape>& cleaned) {
    TESSERA_ASSIGN_OR_RETURN(std::vector<Annotation> prelabels,
                             repo.GetPrelabels(project_id, {item_id}));
    if (prelabels.empty()) {
        return std::optional<bool>();
    }
    auto shown = ParseShapesPayload(prelabels.front().payload_json);
    return std::optional<bool>(shown.ok() && ComparableShapes(*shown) == ComparableShapes(cleaned));
}

MeasuredEffort Capped(MeasuredEffort effort) {
    if (effort.active_ms) {
        effort.active_ms = std::min(*effort.active_ms, kMaxActiveMsPerAnswer);
    }
    return effort;
}

}  // namespace

LabelingService::LabelingService(Repository& repo, const Clock& clock, Random& random,
                                 LabelingSettings settings, ProjectCache* projects)
    : repo_(repo), clock_(clock), random_(random), settings_(settings), projects_(projects) {}

Result<Project> LabelingService::GetProject(Id project_id) {
    return projects_ != nullptr ? projects_->Get(repo_, project_id) : repo_.GetProject(project_id);
}

Result<std::shared_ptr<const LabelTree>> LabelingService::TreeOf(const Project& project) {
    {
        std::lock_guard<std::mutex> lock(trees_mu_);
        auto it = trees_.find(project.id);
        if (it != trees_.end() && it->second.labels_json == project.labels_json) {
            return it->second.tree;
        }
    }
    // Parsed outside the lock; two threads that miss together both parse, and either result
    // is the same tree.
    TESSERA_ASSIGN_OR_RETURN(LabelTree parsed, LabelTreeOf(project));
    auto tree = std::make_shared<const LabelTree>(std::move(parsed));
    std::lock_guard<std::mutex> lock(trees_mu_);
    trees_[project.id] = CachedTree{project.labels_json, tree};
    return tree;
}

Result<Page> LabelingService::Next(const User& actor, Id project_id, int count) {
    if (count != 1 && count != 4 && count != 6 && count != 9) {
        return Error::InvalidArgument("count must be 1, 4, 6 or 9", "count");
    }
    TESSERA_ASSIGN_OR_RETURN(Project project, GetProject(project_id));
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
    if (!page.items.empty()) {
        std::vector<Id> ids;
        ids.reserve(page.items.size());
        for (const Item& item : page.items) {
            ids.push_back(item.id);
        }
        TESSERA_ASSIGN_OR_RETURN(std::vector<Annotation> prelabels,
                                 repo_.GetPrelabels(project_id, ids));
        for (Annotation& prelabel : prelabels) {
            page.prelabels.emplace(prelabel.item_id, std::move(prelabel));
        }
        page.kind = page.prelabels.empty() ? PageKind::kManual : PageKind::kPrelabeled;
        // A page of one is never clustered. Otherwise one primary-key probe of ml_groups (an
        // empty range in projects that never ran a round); groups outlive switching ML assist
        // off, as does the queue order they made, so the settings are not consulted.
        if (page.prelabels.empty() && ids.size() > 1) {
            TESSERA_ASSIGN_OR_RETURN(auto groups, repo_.GetItemGroups(project_id, ids));
            std::set<std::int64_t> seen;
            bool shared = false;
            for (const auto& [item_id, group] : groups) {
                shared = shared || !seen.insert(group).second;
            }
            page.kind = shared ? PageKind::kClustered : PageKind::kManual;
        }
    }
    return page;
}

std::string_view PageKindName(PageKind kind) {
    switch (kind) {
        case PageKind::kClustered: return "clustered";
        case PageKind::kPrelabeled: return "prelabeled";
        case PageKind::kManual: break;
    }
    return "manual";
}

Result<TimeMs> LabelingService::Renew(const User& actor, Id project_id, const std::string& lease) {
    TESSERA_TRY(CheckLeaseFormat(lease));
    TESSERA_ASSIGN_OR_RETURN(Project project, GetProject(project_id));
    TESSERA_TRY(RequireRunning(project));
    const TimeMs now = clock_.NowMs();
    const TimeMs expires = now + settings_.lease_ms;
    TESSERA_TRY(repo_.RenewLease(project_id, actor.id, lease, now, expires));
    return expires;
}

Status LabelingService::Release(const User& actor, Id project_id, const std::string& lease) {
    TESSERA_TRY(CheckLeaseFormat(lease));
    TESSERA_TRY(GetProject(project_id));
    return repo_.ReleaseLease(project_id, actor.id, lease);
}

Result<SubmitResult> LabelingService::SubmitLabels(const User& actor, Id project_id, Id item_id,
                                                   const std::string& lease,
                                                   const std::vector<std::string>& labels,
                                                   MeasuredEffort effort) {
    TESSERA_TRY(CheckLeaseFormat(lease));
    TESSERA_ASSIGN_OR_RETURN(Project project, GetProject(project_id));
    TESSERA_TRY(RequireRunning(project));
    TESSERA_ASSIGN_OR_RETURN(auto tree, TreeOf(project));
    TESSERA_ASSIGN_OR_RETURN(auto ordered,
                             ValidateClassification(project.task_type, *tree, labels));
    SubmitRequest request;
    request.project_id = project_id;
    request.item_id = item_id;
    request.user_id = actor.id;
    request.lease_token = lease;
    request.payload_json = ClassificationPayload(ordered);
    request.counted_labels = ordered;
    request.now = clock_.NowMs();
    request.effort = Capped(effort);
    // A successful submit leaves exactly this payload stored (kUnchanged: it was already).
    TESSERA_ASSIGN_OR_RETURN(SubmitOutcome outcome, repo_.SubmitAnnotation(request));
    return SubmitResult{outcome, std::move(ordered), {}};
}

Result<SubmitResult> LabelingService::SubmitShapes(const User& actor, Id project_id, Id item_id,
                                                   const std::string& lease,
                                                   std::vector<Shape> shapes,
                                                   MeasuredEffort effort) {
    TESSERA_TRY(CheckLeaseFormat(lease));
    TESSERA_ASSIGN_OR_RETURN(Project project, GetProject(project_id));
    TESSERA_TRY(RequireRunning(project));
    TESSERA_ASSIGN_OR_RETURN(auto tree, TreeOf(project));
    TESSERA_ASSIGN_OR_RETURN(Item item, repo_.GetItem(project_id, item_id));
    TESSERA_ASSIGN_OR_RETURN(
        auto cleaned,
        ValidateShapes(project.task_type, *tree, {item.width, item.height}, std::move(shapes)));
    SubmitRequest request;
    request.project_id = project_id;
    request.item_id = item_id;
    request.user_id = actor.id;
    request.lease_token = lease;
    request.payload_json = ShapesPayload(cleaned);
    for (const Shape& shape : cleaned) {
        request.counted_labels.push_back(shape.label);
    }
    request.now = clock_.NowMs();
    request.effort = Capped(effort);
    // A drawing answer is compared with the prelabel here: its shapes carry ids.
    TESSERA_ASSIGN_OR_RETURN(request.same_as_prelabel,
                             SameShapesAsPrelabel(repo_, project_id, item_id, cleaned));
    TESSERA_ASSIGN_OR_RETURN(SubmitOutcome outcome, repo_.SubmitAnnotation(request));
    return SubmitResult{outcome, {}, std::move(cleaned)};
}

Status LabelingService::SaveDraft(const User& actor, Id project_id, Id item_id,
                                  const std::vector<Shape>& shapes) {
    TESSERA_ASSIGN_OR_RETURN(Project project, GetProject(project_id));
    if (IsClassification(project.task_type)) {
        return Error::InvalidArgument("drafts are for drawing projects", "shapes");
    }
    TESSERA_ASSIGN_OR_RETURN(auto tree, TreeOf(project));
    TESSERA_TRY(CheckShapeLabels(project.task_type, *tree, shapes));
    TESSERA_ASSIGN_OR_RETURN(Item item, repo_.GetItem(project_id, item_id));
    const TimeMs now = clock_.NowMs();
    const bool holds_lease =
        item.lease_owner == actor.id && !item.lease_token.empty() && item.lease_expires_at > now;
    if (!holds_lease) {
        auto own = repo_.GetAnnotation(project_id, item_id, actor.id);
        if (!own.ok() && own.error().code != ErrorCode::kNotFound) {
            return own.error();
        }
        if (!own.ok()) {
            return Error::LeaseInvalid(
                "a draft needs the item's lease or an earlier answer of yours on it");
        }
    }
    return repo_.SaveDraft(project_id, item_id, actor.id, ShapesPayload(shapes), now);
}

Result<std::optional<DraftView>> LabelingService::GetDraft(const User& actor, Id project_id,
                                                           Id item_id) {
    TESSERA_TRY(GetProject(project_id));
    TESSERA_TRY(repo_.GetItem(project_id, item_id));  // an unknown item stays kNotFound
    auto stored = repo_.GetDraft(project_id, item_id, actor.id);
    if (!stored.ok()) {
        if (stored.error().code == ErrorCode::kNotFound) {
            return std::optional<DraftView>();
        }
        return stored.error();
    }
    const Draft& draft = *stored;
    DraftView view;
    TESSERA_ASSIGN_OR_RETURN(view.shapes, ParseShapesPayload(draft.payload_json));
    view.updated_at = draft.updated_at;
    return std::optional<DraftView>(std::move(view));
}

Status LabelingService::Skip(const User& actor, Id project_id, Id item_id,
                             const std::string& lease) {
    TESSERA_TRY(CheckLeaseFormat(lease));
    if (lease.empty()) {
        return Error::InvalidArgument("lease is required to skip an item", "lease");
    }
    TESSERA_ASSIGN_OR_RETURN(Project project, GetProject(project_id));
    TESSERA_TRY(RequireRunning(project));
    SkipRequest request;
    request.project_id = project_id;
    request.item_id = item_id;
    request.user_id = actor.id;
    request.lease_token = lease;
    request.now = clock_.NowMs();
    return repo_.SkipItem(request);
}

Result<std::optional<AnnotationView>> LabelingService::GetAnnotation(const User& actor,
                                                                     Id project_id, Id item_id) {
    TESSERA_TRY(GetProject(project_id));
    AnnotationView view;
    TESSERA_ASSIGN_OR_RETURN(view.item, repo_.GetItem(project_id, item_id));
    auto annotation = repo_.GetAnnotation(project_id, item_id, actor.id);
    if (!annotation.ok()) {
        if (annotation.error().code != ErrorCode::kNotFound) {
            return annotation.error();
        }
        // No answer of the actor's own: show the item's prelabel for review, if any.
        auto prelabel = repo_.GetPrelabel(project_id, item_id);
        if (!prelabel.ok()) {
            if (prelabel.error().code == ErrorCode::kNotFound) {
                return std::optional<AnnotationView>();  // nothing yet is not an error
            }
            return prelabel.error();
        }
        annotation = std::move(prelabel);
    }
    TESSERA_TRY(FillFromPayload(view, annotation->payload_json));
    view.source = annotation->source;
    view.confidence = annotation->confidence;
    view.updated_at = annotation->updated_at;
    return std::optional<AnnotationView>(std::move(view));
}

Result<std::vector<AnnotationView>> LabelingService::History(const User& actor, Id project_id,
                                                             int limit, TimeMs before) {
    if (limit < 1 || limit > 200) {
        return Error::InvalidArgument("limit must be between 1 and 200", "limit");
    }
    TESSERA_TRY(GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(auto rows,
                             repo_.ListUserAnnotations(project_id, actor.id, limit,
                                                       before > 0 ? before : clock_.NowMs() + 1));
    std::vector<AnnotationView> out;
    out.reserve(rows.size());
    for (auto& [item, annotation] : rows) {
        AnnotationView view;
        view.item = std::move(item);
        TESSERA_TRY(FillFromPayload(view, annotation.payload_json));
        view.updated_at = annotation.updated_at;
        out.push_back(std::move(view));
    }
    return out;
}

}  // namespace tessera
