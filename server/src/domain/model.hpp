#pragma once
// Plain records shared by storage, services and http. No behaviour beyond small helpers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "domain/task_type.hpp"

namespace tessera {

using Id = std::int64_t;

struct User {
    Id id = 0;
    std::string username;
    Role role = Role::kLabeler;
    std::string password_hash;  // argon2id encoded string (libsodium crypto_pwhash_str)
    TimeMs created_at = 0;
};

// A logged-in browser session; the cookie holds the token, the database only its hash.
struct Session {
    std::string token_hash;
    Id user_id = 0;
    std::string csrf_token;
    TimeMs created_at = 0;
    TimeMs expires_at = 0;
};

struct ApiToken {
    Id id = 0;
    Id user_id = 0;
    std::string name;
    std::string token_hash;
    TimeMs created_at = 0;
    TimeMs expires_at = 0;  // chosen at creation; the token is refused from then on
};

// Where a project's items come from: a row of the datasources table. A project has one or
// more; the first (lowest id) is its primary datasource, Project::datasource. Kinds: "local"
// today; "upload", "azure_blob" and "manifest" follow (docs/design/datasources.md).
// Fields in this order so that {kind, path, pattern} still initializes one.
struct Datasource {
    std::string kind = "local";
    std::string path;     // local: absolute, canonical, under an allowed root
    std::string pattern;  // glob relative to path, e.g. "**/*.*"
    Id id = 0;            // 0 until stored
    // Kind-specific settings as a JSON object, e.g. {"account_url","container","prefix"} for
    // azure_blob. "{}" when the kind has none.
    std::string config_json = "{}";
    // An encrypted credential (bytes); empty when none. Never returned by the API.
    std::string secret;
    TimeMs created_at = 0;
};

// Incremental refresh of a project's datasources (docs/design/datasources.md).
struct RefreshSettings {
    static constexpr std::int64_t kDefaultIntervalS = 3600;
    static constexpr std::int64_t kMinIntervalS = 60;
    bool enabled = false;
    std::int64_t interval_s = kDefaultIntervalS;
    std::optional<TimeMs> last_at;  // when the last refresh finished; none before the first
};

// A folder of a local datasource as a refresh last saw it (docs/design/datasources.md): a folder
// whose times still match was not changed by adding, removing or renaming an entry, so refresh
// does not read it again.
struct FolderStamp {
    static constexpr std::int64_t kReadAgain = -1;  // mtime_ns of a folder to read next time
    std::string path;  // relative to the datasource root, '/'-separated; "" for the root
    std::int64_t mtime_ns = kReadAgain;
    std::int64_t ctime_ns = 0;
};

struct Project {
    Id id = 0;
    std::string name;
    TaskType task_type = TaskType::kMulticlass;
    ProjectStatus status = ProjectStatus::kDraft;
    std::string labels_json;        // LabelTree::ToJson(), serialized
    std::string instructions_text;  // Markdown, rendered safely by the UI
    std::string instructions_url;
    Datasource datasource;  // the primary datasource
    RefreshSettings refresh;
    std::int64_t item_limit = 500000;
    std::uint64_t shuffle_seed = 0;
    bool item_limit_reached = false;  // the source held more files than item_limit
    Id created_by = 0;
    TimeMs created_at = 0;
    std::optional<TimeMs> deleted_at;
};

struct Item {
    Id id = 0;
    Id project_id = 0;
    std::string path;  // relative to the datasource root, '/'-separated; unique in the project
    Id source_id = 0;  // the datasource it was listed from; 0: the project's primary one
    std::int64_t size_bytes = 0;
    int width = 0;
    int height = 0;
    std::string format;  // "jpeg", "png", ... as detected from the header
    ItemState state = ItemState::kUnlabeled;
    std::string error;      // why the file is unreadable, when state == kError
    std::int64_t rank = 0;  // position in the shuffled queue order
    // Lease: set while a labeler holds the item on a page.
    std::string lease_token;
    Id lease_owner = 0;
    TimeMs lease_expires_at = 0;
    TimeMs created_at = 0;
};

// Who produced an annotation. Several annotations may exist per item: one per labeler (for
// consensus), imported prelabels with a confidence, and a resolved consensus result.
enum class AnnotationSource { kHuman, kPrelabel, kConsensus, kImport };

struct Annotation {
    Id id = 0;
    Id project_id = 0;
    Id item_id = 0;
    std::optional<Id> author_id;  // null for prelabels and imports
    AnnotationSource source = AnnotationSource::kHuman;
    // Canonical JSON payload: {"labels": ["Animal/Cat"]} for classification; shapes later.
    std::string payload_json;
    std::optional<double> confidence;
    std::optional<Id> ml_round_id;  // prelabels from ML assist: the round that made them
    std::string lease_token;        // the lease it was submitted under (idempotent retries)
    TimeMs created_at = 0;
    TimeMs updated_at = 0;
};

// One version of an annotation, for an item's record (GET /projects/{id}/items/{item_id}): the
// current one (the `annotations` row) or one that was replaced (annotation_history,
// docs/design/teams.md, "History").
struct AnnotationVersion {
    Id annotation_id = 0;
    std::optional<Id> author_id;  // null for prelabels and imports
    std::string author;           // the author's username ("" when none)
    AnnotationSource source = AnnotationSource::kHuman;
    std::string payload_json;
    std::optional<double> confidence;
    std::optional<Id> ml_round_id;
    TimeMs stored_at = 0;  // when this version was stored
    // Replaced versions only: when, by whom (null and "" when not known) and why ("edited",
    // "imported" or "restarted").
    std::optional<TimeMs> replaced_at;
    std::optional<Id> replaced_by;
    std::string replaced_by_name;
    std::string reason;
};

// What an item page shows: the item, its current annotations (every source) and the replaced
// versions of its answers (human and imported), each list oldest first.
struct ItemRecord {
    Item item;
    std::optional<Id> counting;  // the annotation that counts for the item (exports, training)
    std::vector<AnnotationVersion> current;
    std::vector<AnnotationVersion> replaced;
};

struct Progress {
    std::int64_t total = 0;
    std::int64_t unlabeled = 0;    // unlabeled and not leased
    std::int64_t in_progress = 0;  // unlabeled items with a live lease
    std::int64_t labeled = 0;
    std::int64_t skipped = 0;
    std::int64_t needs_review = 0;
    std::int64_t error = 0;
    std::int64_t missing = 0;
};

struct LabelCount {
    std::string label;
    std::int64_t count = 0;
};

struct LabelerCount {
    Id user_id = 0;
    std::string username;
    std::int64_t count = 0;
};

enum class JobState { kQueued, kRunning, kDone, kFailed };

struct Job {
    Id id = 0;
    std::string kind;  // "ingest", later "refresh", "train", ...
    Id project_id = 0;
    JobState state = JobState::kQueued;
    std::string payload_json;
    std::string worker;  // who claimed it
    std::int64_t progress_done = 0;
    std::int64_t progress_total = 0;
    std::string error;
    TimeMs created_at = 0;
    TimeMs started_at = 0;
    TimeMs finished_at = 0;
    TimeMs heartbeat_at = 0;
};

std::string_view JobStateName(JobState state);
std::string_view AnnotationSourceName(AnnotationSource source);

}  // namespace tessera
