#pragma once
// The labeler's loop: lease a page, renew while it is open, submit or skip each item, go back
// to earlier items and change them.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/label_tree.hpp"
#include "domain/model.hpp"
#include "domain/shapes.hpp"
#include "services/project_cache.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct LabelingSettings {
    TimeMs lease_ms = TimeMs{10} * 60 * 1000;
    int max_page = 9;
};

// What a page was made of (issue 10): "prelabeled" when items on it carry a prelabel (the
// model's or an import's) for the labeler to confirm or fix; else "clustered" when two or more
// of them are in one group of similar images (an ML round's), else "manual".
enum class PageKind { kManual, kClustered, kPrelabeled };
std::string_view PageKindName(PageKind kind);

struct Page {
    std::string lease;  // empty when no items are left
    TimeMs lease_expires_at = 0;
    std::vector<Item> items;
    std::map<Id, Annotation> prelabels;  // by item id, for the items that have one
    PageKind kind = PageKind::kManual;
};

struct AnnotationView {
    Item item;
    std::vector<std::string> labels;           // classification projects
    std::optional<std::vector<Shape>> shapes;  // drawing projects
    // kHuman for the caller's own answer; kPrelabel for an imported prelabel shown for review
    // when the caller has not answered the item yet.
    AnnotationSource source = AnnotationSource::kHuman;
    std::optional<double> confidence;  // prelabels: the mean of the shapes' confidences
    TimeMs updated_at = 0;
};

// What a submit stored, so the caller can echo it without reading the annotation back.
struct SubmitResult {
    SubmitOutcome outcome = SubmitOutcome::kStored;
    std::vector<std::string> labels;  // classification: deduplicated, in tree order
    std::vector<Shape> shapes;        // drawing: clamped, semantic polygons merged into masks
};

// Longest time one answer counts for: more means the labeler left the page open.
inline constexpr std::int64_t kMaxActiveMsPerAnswer = 10LL * 60 * 1000;

struct DraftView {
    std::vector<Shape> shapes;
    TimeMs updated_at = 0;
};

class LabelingService {
public:
    // `projects`, when given, serves the project reads of every call (see project_cache.hpp);
    // without it each call reads the project from `repo`.
    LabelingService(Repository& repo, const Clock& clock, Random& random, LabelingSettings settings,
                    ProjectCache* projects = nullptr);

    // count must be 1, 4, 6 or 9 (kInvalidArgument otherwise). kFailedPrecondition unless the
    // project is running.
    Result<Page> Next(const User& actor, Id project_id, int count);
    Result<TimeMs> Renew(const User& actor, Id project_id, const std::string& lease);
    Status Release(const User& actor, Id project_id, const std::string& lease);
    // Validates labels against the project's tree and task type, then stores atomically.
    // An empty lease edits the actor's own earlier answer on that item.
    // `effort` (MeasuredEffort) is stored with the answer, its active time capped at
    // kMaxActiveMsPerAnswer, with what the labeler was shown and whether she left it unchanged.
    Result<SubmitResult> SubmitLabels(const User& actor, Id project_id, Id item_id,
                                      const std::string& lease,
                                      const std::vector<std::string>& labels,
                                      MeasuredEffort effort = {});
    // For drawing projects: validates and cleans the shapes (ValidateShapes: clamped, semantic
    // polygons merged into masks) against the item's image size, then stores them like
    // SubmitLabels. Each stored shape counts once for its label in the dashboard.
    Result<SubmitResult> SubmitShapes(const User& actor, Id project_id, Id item_id,
                                      const std::string& lease, std::vector<Shape> shapes,
                                      MeasuredEffort effort = {});
    // Autosaves unfinished work: labels and kinds are checked, geometry is not (it may be
    // mid-drawing). Allowed while the actor holds the item's lease or has annotated it; the
    // draft lives until the actor submits the item.
    Status SaveDraft(const User& actor, Id project_id, Id item_id,
                     const std::vector<Shape>& shapes);
    // nullopt when the actor has no draft on the item; kNotFound for an unknown item.
    Result<std::optional<DraftView>> GetDraft(const User& actor, Id project_id, Id item_id);
    Status Skip(const User& actor, Id project_id, Id item_id, const std::string& lease);
    // The actor's own answer on the item; without one, the item's prelabel (source kPrelabel)
    // for review. nullopt when neither exists ("none yet"); kNotFound for an unknown item.
    Result<std::optional<AnnotationView>> GetAnnotation(const User& actor, Id project_id,
                                                        Id item_id);
    // The actor's own answers, most recent first; `before` pages backwards (0: from now).
    Result<std::vector<AnnotationView>> History(const User& actor, Id project_id, int limit,
                                                TimeMs before);

private:
    // The project's parsed label tree. Parsing a 100-label tree takes ~20 µs, and every submit
    // needs it, so each project's tree is kept with the labels_json it came from and parsed
    // again only when that text differs from the project just loaded.
    Result<std::shared_ptr<const LabelTree>> TreeOf(const Project& project);
    // Through projects_ when there is one.
    Result<Project> GetProject(Id project_id);

    struct CachedTree {
        std::string labels_json;
        std::shared_ptr<const LabelTree> tree;
    };

    Repository& repo_;
    const Clock& clock_;
    Random& random_;
    LabelingSettings settings_;
    ProjectCache* projects_;  // may be null
    std::mutex trees_mu_;
    std::unordered_map<Id, CachedTree> trees_;  // guarded by trees_mu_
};

}  // namespace tessera
