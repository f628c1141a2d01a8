#pragma once
// The one storage interface. Implementations: storage/sqlite (embedded default) and
// storage/postgres. Both pass the same conformance suite (storage/repository_conformance.hpp).
//
// Threading: every method is safe to call from many threads at once. Each call is atomic: it
// either applies completely or not at all (one transaction). Times are passed in by the caller
// (services own the Clock), never read inside the repository.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "domain/label_edit.hpp"
#include "domain/ml.hpp"
#include "domain/model.hpp"
#include "storage/pool_stats.hpp"

namespace tessera {

struct NewItem {
    std::string path;
    std::int64_t size_bytes = 0;
    int width = 0;
    int height = 0;
    std::string format;
    ItemState state = ItemState::kUnlabeled;  // kError with `error` for unreadable files
    std::string error;
    Id source_id = 0;  // the datasource it was listed from; 0 (or the primary's id): the primary
};

struct LeaseRequest {
    Id project_id = 0;
    Id user_id = 0;
    int count = 1;
    std::string lease_token;  // fresh random token chosen by the service
    TimeMs now = 0;
    TimeMs expires_at = 0;
};

// What a human answer cost and what it was shown first (issue 10, point 8: savings).
enum class PrelabelShown { kNone, kModel, kImported };
inline std::string_view PrelabelShownName(PrelabelShown shown) {
    switch (shown) {
        case PrelabelShown::kModel: return "model";
        case PrelabelShown::kImported: return "imported";
        case PrelabelShown::kNone: break;
    }
    return "none";
}

// What the UI measured for an answer (both optional: API clients may not say). What the labeler
// was shown, and whether she left it unchanged, SubmitAnnotation finds itself: the item's
// newest prelabel, compared with the answer's payload (both are canonical JSON, written by
// the same functions, so equal text is an equal answer).
struct MeasuredEffort {
    std::optional<std::int64_t> active_ms;
    std::optional<std::int64_t> edits;
};

// The answers of one PrelabelShown kind, summed (LabelEffortTotals).
struct EffortTotal {
    PrelabelShown prelabel = PrelabelShown::kNone;
    std::int64_t answers = 0;
    std::int64_t unchanged = 0;
    std::int64_t timed = 0;  // answers with active_ms
    std::int64_t active_ms = 0;
    std::int64_t counted_edits = 0;  // answers with edits
    std::int64_t edits = 0;
};

// Submit one item's answer under a lease, or as an edit of the author's own earlier answer.
struct SubmitRequest {
    Id project_id = 0;
    Id item_id = 0;
    Id user_id = 0;
    std::string lease_token;  // empty for an edit of an item the user already annotated
    std::string payload_json;
    // Labels this answer counts for in LabelDistribution, one entry per occurrence (a box of
    // "Cat" twice gives "Cat" twice). Replaces the counts of the annotation it updates.
    std::vector<std::string> counted_labels;
    TimeMs now = 0;
    // Stored with the answer in label_efforts; an edit of the answer adds its time and edits and
    // says again whether the answer equals the prelabel.
    MeasuredEffort effort;
    // Whether the answer equals the item's prelabel, when the caller decided it: drawing answers,
    // whose shapes carry ids the prelabel's lack. Unset: equal payload text (classification).
    std::optional<bool> same_as_prelabel;
};

enum class SubmitOutcome {
    kStored,     // a new annotation was written and the item became labeled
    kUpdated,    // the author's existing annotation was changed
    kUnchanged,  // a retry: same lease and same payload as already stored
};

struct SkipRequest {
    Id project_id = 0;
    Id item_id = 0;
    Id user_id = 0;
    std::string lease_token;
    TimeMs now = 0;
};

struct ItemFilter {
    std::optional<ItemState> state;  // the stored state (leased items are kUnlabeled)
    Id after_id = 0;                 // keyset pagination: items with id > after_id, in id order
    int limit = 100;
    std::optional<Id> source_id;  // only items listed from this datasource
    // The Data tab's filters (FindItems), all optional and combinable.
    bool in_progress = false;          // unlabeled items on a labeler's page (live lease at now)
    std::optional<std::string> label;  // the counting annotation counts this label (exact path)
    // ... or one of these (the label's subclasses, "Animal/Cat" for "Animal"; the service fills
    // them in from the project's label tree).
    std::vector<std::string> label_subclasses;
    std::optional<Id> labeler_id;  // the counting annotation is this user's answer
    std::string name_query;        // substring of the path, case-insensitive for ASCII
    TimeMs now = 0;                // for in_progress
};

// A page of FindItems. Each page walks one index range in item id order: item_labels for
// `label`, the author index for `labeler_id`, the lease index for `in_progress`, items by state
// or by id otherwise. The other filters are checked on the rows of that range, and a page then
// walks at most kItemScanBudget of them, so a rare match costs several short pages instead of
// one long scan: `items` may be short, or empty, while `next_after` says there is more to look at.
struct ItemPage {
    std::vector<Item> items;
    std::optional<Id> next_after;  // none: nothing after this page
};
inline constexpr std::int64_t kItemScanBudget = 20000;

// What a label edit does to the answers stored before it (PATCH /projects/{id}, Azure's three
// choices when classes are added to a running project).
enum class LabelRestart {
    kContinue,  // keep everything; new classes are simply available from now on
    kClear,     // every item back to the queue, every label and prelabel removed
    kKeep,      // every item back to the queue, its counting answer kept as its prelabel
};

struct LabelChange {
    std::string labels_json;           // the new tree (LabelTree::ToJson)
    std::vector<LabelRename> renames;  // deepest first (PlanLabelEdit)
    // Classes that disappear: refused (kConflict naming the count) while label_counts counts
    // them, unless kClear.
    std::vector<std::string> removed;
    LabelRestart restart = LabelRestart::kContinue;
    bool shapes = false;  // payloads hold {"shapes": [{"label", ...}]} (drawing projects)
    TimeMs now = 0;
    Id actor_id = 0;  // who edits: the label history's "replaced by" of a restart's answers
};

// PATCH /projects/{id}: what is set changes, the rest stays.
struct ProjectEdit {
    std::optional<std::string> name;
    std::optional<std::string> instructions_text;
    std::optional<std::string> instructions_url;
    std::optional<LabelChange> labels;
};

// What refresh needs to know of an item already in the project (ForEachKnownItem).
struct KnownItem {
    Id id = 0;
    std::string path;
    Id source_id = 0;  // resolved: the primary's id for items stored with none
    std::int64_t size_bytes = 0;
    bool missing = false;
};

// A labeler's unsubmitted work on one item (payload in the annotation's form).
struct Draft {
    std::string payload_json;
    TimeMs updated_at = 0;
};

// One item's answer from an import file (ApplyImport).
struct ImportedAnnotation {
    Id item_id = 0;
    std::string payload_json;
    // Labels it counts for in LabelDistribution (final imports only), as in SubmitRequest.
    std::vector<std::string> counted_labels;
    std::optional<double> confidence;  // prelabels: the mean of the shapes' confidences
};

struct ImportRequest {
    Id project_id = 0;
    // true: each annotation becomes the item's result (source "import", item labeled);
    // false: a prelabel (source "prelabel") shown for review, the item stays as it is.
    bool final = false;
    std::vector<ImportedAnnotation> annotations;
    TimeMs now = 0;
    // Who imports: recorded in the label history as who replaced earlier imported answers (0:
    // not known, e.g. a manifest's job).
    Id actor_id = 0;
};

struct ImportApplied {
    std::int64_t stored = 0;    // annotations written
    std::int64_t replaced = 0;  // earlier annotations of the same source on those items removed
};

// One row of an export: an item and the annotation that counts for it (consensus if present,
// else the latest human one), with the author's name. ForEachExportRow fills every field except
// the queue state that exports never write: item.error, item.rank, item.lease_* and
// annotation.lease_token stay empty.
struct ExportRow {
    Item item;
    Annotation annotation;
    std::string author;
};

// A login session or API token with the user it belongs to, read in one query.
struct SessionWithUser {
    Session session;
    User user;
};

struct ApiTokenWithUser {
    ApiToken token;
    User user;
};

// Queue and job sizes over the whole database, for GET /metrics. Cheap: items come from the
// per-project counters (live projects only; leased items count as unlabeled), jobs from the
// small jobs table.
struct OpsCounts {
    std::vector<std::pair<std::string, std::int64_t>> items_by_state;  // by state name
    std::vector<std::pair<std::string, std::int64_t>> jobs_by_state;
};

class Repository {
public:
    virtual ~Repository() = default;

    // Applies pending migrations (storage/migrations). Idempotent. Returns the schema version.
    virtual Result<int> Migrate() = 0;

    // --- users, sessions, tokens
    // kConflict when the username is taken (case-insensitive).
    virtual Result<User> CreateUser(const User& user) = 0;
    virtual Result<User> GetUser(Id id) = 0;
    // kNotFound when absent; lookup is case-insensitive.
    virtual Result<User> FindUserByName(const std::string& username) = 0;
    virtual Result<std::int64_t> CountUsers() = 0;
    virtual Result<std::vector<User>> ListUsers() = 0;  // by username
    virtual Status CreateSession(const Session& session) = 0;
    // kNotFound when absent or expired at `now`. Returns the session's user too: authentication
    // needs both, and every request pays for the lookup.
    virtual Result<SessionWithUser> FindSession(const std::string& token_hash, TimeMs now) = 0;
    virtual Status ExtendSession(const std::string& token_hash, TimeMs expires_at) = 0;
    virtual Status DeleteSession(const std::string& token_hash) = 0;
    // Ends every session of the user except the one whose hash is `keep_token_hash` (none when
    // empty). Returns how many were deleted.
    virtual Result<std::int64_t> DeleteUserSessions(Id user_id,
                                                    const std::string& keep_token_hash) = 0;
    // Stores the new password hash and ends the user's other sessions in one transaction, so
    // no session opened with the old password outlives the change. kNotFound for no such user.
    virtual Status ChangePassword(Id user_id, const std::string& password_hash,
                                  const std::string& keep_session_hash) = 0;
    // Changes the user's account role. kNotFound for no such user; kFailedPrecondition when it
    // would leave the server without an owner (checked in the same transaction, so two owners
    // demoting each other at once cannot both succeed).
    virtual Status SetUserRole(Id user_id, Role role) = 0;
    virtual Result<ApiToken> CreateApiToken(const ApiToken& token) = 0;
    // kNotFound when absent; expired tokens are returned (the caller says why it refuses).
    // Returns the token's user too, as FindSession does.
    virtual Result<ApiTokenWithUser> FindApiToken(const std::string& token_hash) = 0;
    // The user's tokens, newest first, expired ones included.
    virtual Result<std::vector<ApiToken>> ListApiTokens(Id user_id) = 0;
    // kNotFound when the user has no token with this id (another user's token included).
    virtual Status DeleteApiToken(Id user_id, Id token_id) = 0;
    // Returns how many were deleted.
    virtual Result<std::int64_t> DeleteUserApiTokens(Id user_id) = 0;

    // --- projects
    // kConflict when the name was ever used, deleted projects included (case-insensitive).
    virtual Result<Project> CreateProject(const Project& project) = 0;
    // kNotFound for unknown or deleted projects.
    virtual Result<Project> GetProject(Id id) = 0;
    virtual Result<std::vector<Project>> ListProjects() = 0;  // not deleted, newest first
    // Any status but running also releases every lease of the project in the same transaction:
    // the pages labelers hold go back to the queue and their submits are refused.
    virtual Status SetProjectStatus(Id id, ProjectStatus status) = 0;
    // Applies every part of `edit` in one transaction, or nothing. kNotFound for an unknown or
    // deleted project; kConflict for a name ever used by another project (deleted ones
    // included, case-insensitive) or a removed class that stored answers still count. A label
    // change rewrites, for each rename, every annotation's payload and counted labels, the
    // drafts, the label counters and the Data tab's label index; a restart returns labeled,
    // skipped and needs_review items to the queue (error and missing stay).
    virtual Status EditProject(Id id, const ProjectEdit& edit) = 0;
    virtual Status SetItemLimitReached(Id id, bool reached) = 0;
    // Stores enabled and interval_s (last_at is RecordRefresh's). kNotFound for no live project.
    virtual Status SetRefreshSettings(Id id, const RefreshSettings& settings) = 0;
    // Sets refresh.last_at. kNotFound for no live project.
    virtual Status RecordRefresh(Id id, TimeMs at) = 0;

    // --- datasources (docs/design/datasources.md). CreateProject stores project.datasource as
    // the project's first (primary) datasource; these add and list the others.
    // kNotFound for no live project. Returns the stored datasource with its id.
    virtual Result<Datasource> AddDatasource(Id project_id, const Datasource& source) = 0;
    // The project's datasources in id order (the primary first), secrets included: callers that
    // answer the API must drop them.
    virtual Result<std::vector<Datasource>> ListDatasources(Id project_id) = 0;
    // The folder stamps the last refresh of a local datasource stored (incremental walks,
    // blobs/local_source.hpp), in path order; empty before the first.
    virtual Result<std::vector<FolderStamp>> ListFolderStamps(Id datasource_id) = 0;
    // Replaces the datasource's folder stamps with `stamps`, in one transaction.
    virtual Status ReplaceFolderStamps(Id datasource_id,
                                       const std::vector<FolderStamp>& stamps) = 0;
    // Marks deleted; the name stays reserved. Items and annotations may be purged later.
    virtual Status DeleteProject(Id id, TimeMs now) = 0;

    // --- items
    // Inserts in one transaction; items whose path already exists in the project are ignored.
    // Returns how many were inserted. Each item is ranked with the project's current
    // shuffle_seed (ShuffleRank), so ShuffleItems with that seed afterwards changes nothing.
    virtual Result<std::int64_t> InsertItems(Id project_id, const std::vector<NewItem>& items,
                                             TimeMs now) = 0;
    // Gives every item of the project a rank from a permutation seeded by `seed`: the queue
    // order. Deterministic for a given seed and set of paths.
    virtual Status ShuffleItems(Id project_id, std::uint64_t seed) = 0;
    virtual Result<std::int64_t> CountItems(Id project_id) = 0;
    virtual Result<Item> GetItem(Id project_id, Id item_id) = 0;
    // The item, its current annotations and the replaced versions of its answers (the label
    // history, migration 0017), with usernames; kNotFound when the item is not the project's.
    virtual Result<ItemRecord> GetItemRecord(Id project_id, Id item_id) = 0;
    // A page by `state` (and paging) only; the Data tab's other filters are FindItems'.
    virtual Result<std::vector<Item>> ListItems(Id project_id, const ItemFilter& filter) = 0;
    // Streams every item of the project (all datasources: paths are unique per project) in id
    // order, a page per read transaction, constant memory: refresh compares a listing with it.
    // The callback returns false to stop.
    virtual Status ForEachKnownItem(Id project_id,
                                    const std::function<bool(const KnownItem&)>& callback) = 0;
    // Whether ForEachKnownItemInFolder can work: it reads ranges of paths, which hold a
    // folder's items only where the database orders text byte by byte (SQLite; PostgreSQL
    // with the C or C.UTF-8 collation, not a language's or ICU's).
    virtual Result<bool> CanListKnownItemsByFolder() = 0;
    // Streams the project's items directly in `folder` ("a/b" holds "a/b/x.jpg", not
    // "a/b/c/y.jpg"; "" is the top folder), in path order, a page per read transaction: refresh
    // reads the items of the folders it read, not the project's. Reads the entries of the
    // folder and one per sub-folder. kFailedPrecondition unless CanListKnownItemsByFolder.
    virtual Status ForEachKnownItemInFolder(
        Id project_id, const std::string& folder,
        const std::function<bool(const KnownItem&)>& callback) = 0;
    // missing = true: items not yet missing become state kMissing, remembering their state and
    // losing any lease (they leave the queue, the counts move to "missing"); false: missing items
    // get back the state they had. Ids of other projects or in the other condition are ignored.
    // Returns how many changed. One transaction.
    virtual Result<std::int64_t> SetItemsMissing(Id project_id, const std::vector<Id>& item_ids,
                                                 bool missing) = 0;
    // A replaced file (an upload with overwrite): sets size_bytes, width, height and format of
    // the project's item at `image.path`, and restores it if refresh had found it missing.
    // Returns its id; kNotFound when the project has no item there.
    virtual Result<Id> UpdateItemImage(Id project_id, const NewItem& image) = 0;
    virtual Result<ItemPage> FindItems(Id project_id, const ItemFilter& filter) = 0;

    // --- the labeling queue
    // Leases up to `count` unlabeled items in rank order whose lease is absent or expired at
    // `now`, all under request.lease_token. Items the caller already holds under another live
    // lease are NOT returned again (the UI prefetches the next page while the current one is
    // open; a page left behind comes back when its lease expires or is released). Two
    // concurrent callers never receive the same item.
    virtual Result<std::vector<Item>> LeaseNext(const LeaseRequest& request) = 0;
    // Extends every live lease with this token held by the user. Returns how many were renewed;
    // kLeaseInvalid when none.
    virtual Result<int> RenewLease(Id project_id, Id user_id, const std::string& lease_token,
                                   TimeMs now, TimeMs expires_at) = 0;
    // Drops the user's lease on the remaining items of a page (leaving the page).
    virtual Status ReleaseLease(Id project_id, Id user_id, const std::string& lease_token) = 0;
    // Atomically stores the annotation and marks the item labeled, clearing its lease.
    // kLeaseInvalid when the lease is not held by this user or expired and no earlier annotation
    // by this user exists on the item. A retry (same user, same lease) is kUnchanged.
    virtual Result<SubmitOutcome> SubmitAnnotation(const SubmitRequest& request) = 0;
    // Marks the item skipped and clears the lease. kLeaseInvalid as for submit; retry is a no-op.
    virtual Status SkipItem(const SkipRequest& request) = 0;
    // The user's own latest human annotation on an item; kNotFound when none.
    virtual Result<Annotation> GetAnnotation(Id project_id, Id item_id, Id user_id) = 0;
    // Items this user annotated, most recently updated first (for "go back").
    virtual Result<std::vector<std::pair<Item, Annotation>>> ListUserAnnotations(
        Id project_id, Id user_id, int limit, TimeMs before_updated_at) = 0;
    // Stores (replaces) the user's draft on an item; kNotFound for an unknown item or project.
    // SubmitAnnotation deletes the submitting user's draft on that item in its transaction.
    virtual Status SaveDraft(Id project_id, Id item_id, Id user_id, const std::string& payload_json,
                             TimeMs now) = 0;
    // kNotFound when the user has no draft on the item.
    virtual Result<Draft> GetDraft(Id project_id, Id item_id, Id user_id) = 0;

    // --- import
    // Stores every annotation of an import in one transaction, or none of them (kNotFound for
    // an unknown project or item, and nothing applied). An item's earlier annotation of the same
    // source (import or prelabel) is replaced, not duplicated.
    virtual Result<ImportApplied> ApplyImport(const ImportRequest& request) = 0;
    // The newest prelabel on an item; kNotFound when none.
    virtual Result<Annotation> GetPrelabel(Id project_id, Id item_id) = 0;

    // --- dashboard (must stay fast at 10 million items: no full scans)
    virtual Result<Progress> GetProgress(Id project_id, TimeMs now) = 0;
    virtual Result<std::vector<LabelCount>> LabelDistribution(Id project_id) = 0;
    virtual Result<std::vector<LabelerCount>> LabelerDistribution(Id project_id) = 0;
    // The label_efforts rows of the project's latest `latest` answers (by annotation id), summed
    // per PrelabelShown kind (kinds without answers are left out), in kind order. Bounded so
    // the figures cost the same at 10 million answers, and follow the model as it improves.
    virtual Result<std::vector<EffortTotal>> LabelEffortTotals(Id project_id, int latest) = 0;

    // --- export: streams rows of labeled items in item id order, in pages, constant memory.
    // The callback returns false to stop early.
    virtual Status ForEachExportRow(Id project_id,
                                    const std::function<bool(const ExportRow&)>& callback) = 0;

    // --- jobs (rows are the durable queue; worker processes claim them)
    virtual Result<Job> EnqueueJob(const Job& job) = 0;
    // Claims the oldest queued job of one of `kinds`, or a running one whose heartbeat is older
    // than `stale_before` (its worker died). Returns nullopt when there is none.
    virtual Result<std::optional<Job>> ClaimJob(const std::vector<std::string>& kinds,
                                                const std::string& worker, TimeMs now,
                                                TimeMs stale_before) = 0;
    virtual Status UpdateJobProgress(Id job_id, std::int64_t done, std::int64_t total,
                                     TimeMs now) = 0;
    virtual Status FinishJob(Id job_id, JobState state, const std::string& error, TimeMs now) = 0;
    virtual Result<Job> GetJob(Id job_id) = 0;
    virtual Result<std::vector<Job>> ListJobs(Id project_id) = 0;  // newest first
    // Deletes the project's finished (done or failed) jobs of `kind` except the newest `keep`:
    // periodic jobs (refresh) would otherwise grow the job list without end. Returns how many.
    virtual Result<std::int64_t> PruneFinishedJobs(Id project_id, const std::string& kind,
                                                   int keep) = 0;

    // --- ML assist (docs/design/ml.md)
    // The project's settings, MlSettings{} when never set. kNotFound for no live project.
    virtual Result<MlSettings> GetMlSettings(Id project_id) = 0;
    virtual Status SetMlSettings(Id project_id, const MlSettings& settings) = 0;
    // Stores a new round and enqueues `job` (the round's worker) in one transaction, and
    // returns the round with its id and the job's. kConflict when the project already has a
    // round queued or running; kNotFound for no live project.
    virtual Result<MlRound> CreateMlRound(const MlRound& round, const Job& job) = 0;
    // Writes every field but the ids and created_at. kNotFound for no such round.
    virtual Status UpdateMlRound(const MlRound& round) = 0;
    virtual Result<MlRound> GetMlRound(Id round_id) = 0;
    // Newest first, at most `limit` (1-100).
    virtual Result<std::vector<MlRound>> ListMlRounds(Id project_id, int limit) = 0;
    // Stores (replaces) the embeddings of items under one backbone version, in one transaction.
    virtual Status PutEmbeddings(const std::string& backbone,
                                 const std::vector<ItemEmbedding>& embeddings) = 0;
    // The stored embeddings of those of `item_ids` (the project's) that have one under
    // `backbone`, in item id order.
    virtual Result<std::vector<ItemEmbedding>> GetEmbeddings(Id project_id,
                                                             const std::string& backbone,
                                                             const std::vector<Id>& item_ids) = 0;
    // Which of `item_ids` (the project's) have an embedding under `backbone`, in id order: what
    // GetEmbeddings would return, without reading the vectors.
    virtual Result<std::vector<Id>> ListEmbeddedItems(Id project_id, const std::string& backbone,
                                                      const std::vector<Id>& item_ids) = 0;
    // Drops every stored embedding under `backbone` (a removed model's); returns how many.
    virtual Result<std::int64_t> DeleteEmbeddings(const std::string& backbone) = 0;
    // Backbones registered with `tessera model add`. kConflict when the name is taken.
    virtual Status AddMlModel(const MlModel& model, const std::string& onnx) = 0;
    // By name, without their bytes.
    virtual Result<std::vector<MlModel>> ListMlModels() = 0;
    // The model's ONNX bytes. kNotFound for no such model.
    virtual Result<std::string> GetMlModelOnnx(const std::string& name) = 0;
    // kNotFound for no such model.
    virtual Status RemoveMlModel(const std::string& name) = 0;
    // The front of the queue: unlabeled items in rank order (leased ones included: they may
    // come back), at most `limit`. What a round featurizes and prelabels.
    virtual Result<std::vector<Item>> ListQueueWindow(Id project_id, int limit) = 0;
    // Gives the items the ranks they hold between them, sorted, in the order of `item_ids`: the
    // queue then serves them in that order, and no item outside them moves. Ids of other
    // projects are ignored.
    virtual Status ReorderQueue(Id project_id, const std::vector<Id>& item_ids) = 0;
    // In one transaction: removes the model's prelabels (ml_round_id set) from the project's
    // items that are not labeled, then stores `prelabels` as prelabels of round `round_id`,
    // leaving out items that are labeled by now or carry an imported prelabel (the user's own
    // predictions win). Returns how many were stored.
    virtual Result<std::int64_t> ReplaceModelPrelabels(
        Id project_id, Id round_id, const std::vector<ImportedAnnotation>& prelabels,
        TimeMs now) = 0;
    // The newest prelabel of each of `item_ids` that has one, in item id order.
    virtual Result<std::vector<Annotation>> GetPrelabels(Id project_id,
                                                         const std::vector<Id>& item_ids) = 0;
    // In one transaction: forgets the project's groups of similar items and stores `groups`
    // (each a list of the project's item ids; group ids are their positions). Ids of other
    // projects are ignored.
    virtual Status ReplaceItemGroups(Id project_id, const std::vector<std::vector<Id>>& groups) = 0;
    // The group of each of `item_ids` that is in one, by item id.
    virtual Result<std::map<Id, std::int64_t>> GetItemGroups(Id project_id,
                                                             const std::vector<Id>& item_ids) = 0;

    // --- operations (GET /metrics)
    virtual Result<OpsCounts> CountForOps() = 0;
    virtual PoolStats PoolStatus() = 0;
};

}  // namespace tessera
