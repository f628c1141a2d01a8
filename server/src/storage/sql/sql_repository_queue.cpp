// The labeling queue: leases, submit, skip. Rules are in repository.hpp; the comments here say
// how each is enforced.
#include <algorithm>
#include <limits>
#include <map>

#include "storage/sql/pg_array.hpp"
#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::RequireLiveProject;

namespace {

constexpr int kMaxLease = 100;

// An item row locked for update, with the columns only the queue needs.
struct LockedItem {
    Item item;
    std::string skip_token;
    Id skipped_by = 0;
};

Result<LockedItem> LockItem(SqlConn& conn, SqlDialect dialect, Id project_id, Id item_id) {
    TESSERA_TRY(RequireLiveProject(conn, project_id));
    // A plain FOR UPDATE: a concurrent submit of the same item waits and then sees our result.
    // The lease is read in the same statement. LeaseNext writes a lease only while it holds the
    // item's row lock, so none changes until this transaction ends (on PostgreSQL the read may
    // predate a lease committed while this lock waited: see "Lease and queue semantics").
    std::string lock = dialect == SqlDialect::kPostgres ? " FOR UPDATE OF i" : "";
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        conn.Query("SELECT " + ItemColumns("i") + ", i.skip_token, i.skipped_by FROM items i" +
                       ItemLeaseJoin("i") + " WHERE i.id = $1 AND i.project_id = $2" + lock,
                   {item_id, project_id}));
    if (rows.empty()) {
        return Error::NotFound("item not found");
    }
    return LockedItem{ReadItem(rows[0]), rows[0].Text(kItemColumnCount),
                      rows[0].Int(kItemColumnCount + 1)};
}

bool HoldsLiveLease(const Item& item, Id user_id, const std::string& token, TimeMs now) {
    return !token.empty() && item.lease_token == token && item.lease_owner == user_id &&
           item.lease_expires_at > now && item.state == ItemState::kUnlabeled;
}

// Applies the net change between an annotation's old and new counted labels to label_counts.
// Sorted by label (std::map) so concurrent transactions lock counter rows in the same order.
// Net change per label, sorted by label; labels whose count does not change are left out.
std::map<std::string, std::int64_t> LabelDeltas(const std::vector<std::string>& removed,
                                                const std::vector<std::string>& added) {
    std::map<std::string, std::int64_t> delta;
    for (const std::string& label : removed) {
        --delta[label];
    }
    for (const std::string& label : added) {
        ++delta[label];
    }
    std::erase_if(delta, [](const auto& entry) { return entry.second == 0; });
    return delta;
}

Status AdjustLabelCounts(SqlConn& conn, SqlDialect dialect, Id project_id,
                         const std::vector<std::string>& removed,
                         const std::vector<std::string>& added) {
    const std::string sql = sql_internal::AddToCounterSql(dialect, "label_counts", "label");
    for (const auto& [label, d] : LabelDeltas(removed, added)) {
        TESSERA_TRY(conn.Exec(sql, {project_id, label, d}));
    }
    return Status::Ok();
}

// A labeled (or skipped) item holds no lease: whoever's it was, it goes with the state change.
Status DeleteLease(SqlConn& conn, Id item_id) {
    TESSERA_TRY(conn.Exec("DELETE FROM leases WHERE item_id = $1", {item_id}));
    return Status::Ok();
}

Status MarkLabeled(SqlConn& conn, Id item_id, Id annotation_id) {
    TESSERA_TRY(
        conn.Exec("UPDATE items SET state = 'labeled', result_annotation_id = $2 WHERE id = $1",
                  {item_id, annotation_id}));
    return DeleteLease(conn, item_id);
}

struct OwnAnnotation {
    Id id = 0;
    std::string payload_json;
    std::string lease_token;
    std::vector<std::string> counted_labels;
};

// The item locked for update together with the user's own human answer on it, if any, in one
// statement (a submit is on the hot path of every labeler: fewer round trips on PostgreSQL,
// fewer VDBE programs on SQLite). kNotFound for a deleted project or an unknown item.
Result<std::pair<LockedItem, std::optional<OwnAnnotation>>> LockItemWithOwnAnnotation(
    SqlConn& conn, SqlDialect dialect, Id project_id, Id item_id, Id user_id) {
    std::string lock = dialect == SqlDialect::kPostgres ? " FOR UPDATE OF i" : "";
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        conn.Query("SELECT " + ItemColumns("i") +
                       ", i.skip_token, i.skipped_by, a.id, a.payload_json, a.lease_token, "
                       "a.counted_labels FROM items i" +
                       ItemLeaseJoin("i") +
                       " JOIN projects p ON p.id = i.project_id AND "
                       "p.deleted_at IS NULL LEFT JOIN annotations a ON a.item_id = i.id AND "
                       "a.author_id = $3 AND a.source = 'human' WHERE i.id = $1 AND "
                       "i.project_id = $2" +
                       lock,
                   {item_id, project_id, user_id}));
    if (rows.empty()) {
        TESSERA_TRY(RequireLiveProject(conn, project_id));  // says which of the two is missing
        return Error::NotFound("item not found");
    }
    const SqlRow& r = rows[0];
    const std::size_t at = kItemColumnCount + 2;
    std::optional<OwnAnnotation> own;
    if (!r.IsNull(at)) {
        own =
            OwnAnnotation{r.Int(at), r.Text(at + 1), r.Text(at + 2), DecodeLabels(r.Text(at + 3))};
    }
    return std::make_pair(
        LockedItem{ReadItem(r), r.Text(kItemColumnCount), r.Int(kItemColumnCount + 1)},
        std::move(own));
}

// The statements of LeaseNext (docs/design/storage.md, "Lease and queue semantics").
//
// LeaseCandidates: the CTE `pick(item_id)`, the first `n` items that may be leased, in rank
// order: unlabeled items without a lease from the front of items_queue (from rank $6 when
// hinted), and items whose lease expired by $2 (leases_expiry). items_queue holds every
// unlabeled item, leased or not: the anti-join passes over the leased ones, which lie at the
// front, and the remembered queue front ($6) keeps that walk to the few leased since the last
// lease. SQLite is told its indexes: without statistics it would rather walk items_state over
// every unlabeled row.
//
// On PostgreSQL the candidate rows are locked (FOR NO KEY UPDATE SKIP LOCKED): two concurrent
// leases pass over each other's rows instead of waiting for them, and a lease of an item is only
// ever written under that lock. The anti-join reads the statement's snapshot, which misses a
// lease committed after it was taken by a concurrent LeaseNext that has released its row locks
// by now: so each row is checked again once locked, by lease_is_free() (migration 0010), whose
// own snapshot sees that lease, and the LIMIT takes the next row instead. The OFFSET 0 keeps
// that check above the lock (the planner would push it down into the scan, before the lock).
// The page size is spelled into the text (an integer we clamped, never user text): with
// `LIMIT $n` PostgreSQL found a custom plan cheaper than the generic one and planned the
// statement again on every call; now it keeps one generic plan per page size.
std::string LeaseCandidates(SqlDialect dialect, std::int64_t n, bool hinted) {
    const bool postgres = dialect == SqlDialect::kPostgres;
    const std::string limit = " LIMIT " + std::to_string(n);
    // Wraps a candidate query (columns id, rank, in rank order) in the lock and the check.
    auto locked = [&](const std::string& candidates) {
        if (!postgres) {
            return candidates + limit;
        }
        return "SELECT c.id, c.rank FROM (" + candidates +
               " OFFSET 0 FOR NO KEY UPDATE OF i SKIP LOCKED) AS c WHERE lease_is_free(c.id, $2)" +
               limit;
    };
    return "WITH fresh AS (" +
           locked("SELECT i.id, i.rank FROM items i" +
                  std::string(postgres ? "" : " INDEXED BY items_queue") +
                  " WHERE i.project_id = $1 AND i.state = 'unlabeled'" +
                  std::string(hinted ? " AND i.rank >= $6" : "") +
                  " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.item_id = i.id) ORDER BY "
                  "i.rank, i.id") +
           "), expired AS (" +
           locked("SELECT i.id, i.rank FROM leases l" +
                  std::string(postgres ? "" : " INDEXED BY leases_expiry") +
                  " JOIN items i ON i.id = l.item_id WHERE l.project_id = $1 AND l.expires_at "
                  "<= $2 AND i.state = 'unlabeled' ORDER BY i.rank, i.id") +
           "), pick AS (SELECT id AS item_id FROM (SELECT id, rank FROM fresh UNION ALL SELECT id, "
           "rank FROM expired) AS c WHERE EXISTS (SELECT 1 FROM projects WHERE id = $1 AND "
           "deleted_at IS NULL) ORDER BY rank, id" +
           limit + ")";
}

// PostgreSQL: the CTE `leased(item_id)` that writes the picked leases. The primary key refuses
// a second lease of an item whatever happened before (the conflict's WHERE only lets an expired
// lease be taken over); with the check in LeaseCandidates no picked item is refused, as the
// leases are only written under the row lock that check was made under.
std::string LeaseInsert() {
    return ", leased AS (INSERT INTO leases (item_id, project_id, token, owner_id, expires_at) "
           "SELECT item_id, $1, $3, $4, $5 FROM pick ON CONFLICT (item_id) DO UPDATE SET token = "
           "excluded.token, owner_id = excluded.owner_id, expires_at = excluded.expires_at WHERE "
           "leases.expires_at <= $2 RETURNING item_id) ";
}

// PostgreSQL: the number of items `pick` offered, then the leased items' columns (as
// LeasedItems), in every row; one row with NULL item columns when nothing was leased.
std::string LeasedItemsWithOffer() {
    return " SELECT (SELECT count(*) FROM pick), " + ItemColumns("i") +
           " FROM (SELECT 1) AS one LEFT JOIN (items i JOIN (SELECT item_id, CAST($3 AS text) AS "
           "token, CAST($4 AS bigint) AS owner_id, CAST($5 AS bigint) AS expires_at FROM leased) "
           "i_lease ON i_lease.item_id = i.id) ON true";
}

// SQLite: the picked items' rows with the lease they are about to get, from the CTE
// `source(item_id)`.
std::string LeasedItems(const std::string& source) {
    return " SELECT " + ItemColumns("i") +
           " FROM items i JOIN (SELECT item_id, CAST($3 AS text) AS token, CAST($4 AS bigint) AS "
           "owner_id, CAST($5 AS bigint) AS expires_at FROM " +
           source + ") i_lease ON i_lease.item_id = i.id";
}

bool ItemBefore(const Item& a, const Item& b) {
    return a.rank != b.rank ? a.rank < b.rank : a.id < b.id;
}

}  // namespace

void SqlRepository::ForgetQueueHint(Id project_id) {
    queue_fronts_.Forget(project_id);
}

Result<std::vector<Item>> SqlRepository::LeaseNext(const LeaseRequest& request) {
    if (request.lease_token.empty()) {
        return Error::InvalidArgument("lease token must not be empty");
    }
    const std::int64_t count = std::clamp(request.count, 0, kMaxLease);
    if (count == 0) {
        TESSERA_TRY(
            db().Read([&](SqlConn& conn) { return RequireLiveProject(conn, request.project_id); }));
        return std::vector<Item>();
    }
    const bool postgres = db().dialect() == SqlDialect::kPostgres;
    // One statement's page: the items leased, and how many the queue offered (more than leased
    // when PostgreSQL's insert refused some, see LeaseInsert).
    struct Leased {
        std::vector<Item> items;
        std::int64_t offered = 0;
    };
    auto lease = [&](std::int64_t n, std::optional<std::int64_t> from) {
        return WriteTx<Leased>([&](SqlConn& conn) -> Result<Leased> {
            SqlParams params{request.project_id, request.now, request.lease_token, request.user_id,
                             request.expires_at};
            if (from) {
                params.emplace_back(*from);
            }
            const std::string picked = LeaseCandidates(db().dialect(), n, from.has_value());
            Leased page;
            if (postgres) {
                // One round trip: the project check is part of the statement, which commits
                // with it. The first row carries the number offered even when nothing was
                // leased.
                TESSERA_ASSIGN_OR_RETURN(
                    SqlRows rows,
                    conn.QueryAndCommit(picked + LeaseInsert() + LeasedItemsWithOffer(), params));
                for (const SqlRow& row : rows) {
                    page.offered = row.Int(0);
                    if (!row.IsNull(1)) {
                        page.items.push_back(ReadItem(row, 1));
                    }
                }
            } else {
                // One writer: nobody can take the picked items between these statements.
                TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                         conn.Query(picked + LeasedItems("pick"), params));
                for (const SqlRow& row : rows) {
                    TESSERA_TRY(conn.Exec(
                        "INSERT INTO leases (item_id, project_id, token, owner_id, expires_at) "
                        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (item_id) DO UPDATE SET token = "
                        "excluded.token, owner_id = excluded.owner_id, expires_at = "
                        "excluded.expires_at",
                        {row.Int(0), request.project_id, request.lease_token, request.user_id,
                         request.expires_at}));
                    page.items.push_back(ReadItem(row));
                }
                page.offered = static_cast<std::int64_t>(page.items.size());
            }
            if (page.items.empty()) {
                // "Queue empty" or "project gone": tell them apart.
                TESSERA_TRY(RequireLiveProject(conn, request.project_id));
            }
            return page;
        });
    };
    // A page comes back short when the queue past `from` ran out: then it is topped up from the
    // start of the queue, where a short page means the queue is empty. It would also come back
    // short if PostgreSQL's insert refused an item (leased meanwhile: never handed out twice);
    // LeaseCandidates' check leaves none to refuse, but should one be, the statement runs again
    // from the front as remembered now. The number of tries is bounded.
    constexpr int kMaxTries = 8;
    std::vector<Item> out;
    std::optional<std::int64_t> from = queue_fronts_.Get(request.project_id, request.now);
    for (int attempt = 0; attempt < kMaxTries; ++attempt) {
        const auto want = count - static_cast<std::int64_t>(out.size());
        if (want <= 0) {
            break;
        }
        (attempt == 0 ? lease_first_tries_ : lease_reruns_).fetch_add(1);
        if (!from) {
            lease_from_start_.fetch_add(1);
        }
        TESSERA_ASSIGN_OR_RETURN(Leased page, lease(want, from));
        lease_refused_.fetch_add(page.offered - static_cast<std::int64_t>(page.items.size()));
        std::optional<std::int64_t> highest;
        for (Item& item : page.items) {
            highest = std::max(highest.value_or(item.rank), item.rank);
            out.push_back(std::move(item));
        }
        if (highest) {
            // Nothing unleased is left between where this statement started and the highest
            // rank it took: the rows in between were leased, or locked by a lease running at
            // the same time (if that one rolls back, the front's expiry brings them back).
            queue_fronts_.Advance(request.project_id, *highest, request.now, !from.has_value());
        }
        if (page.offered < want) {
            if (!from) {
                break;  // the whole queue is on someone's page or done
            }
            ForgetQueueHint(request.project_id);
            from.reset();
        } else {
            from = queue_fronts_.Get(request.project_id, request.now);
        }
    }
    std::sort(out.begin(), out.end(), ItemBefore);  // RETURNING has no order
    return out;
}

SqlRepository::LeaseStats SqlRepository::LeaseStatus() const {
    const std::int64_t reruns = lease_reruns_.load();
    return LeaseStats{lease_first_tries_.load() + reruns, reruns, lease_refused_.load(),
                      lease_from_start_.load()};
}

Result<int> SqlRepository::RenewLease(Id project_id, Id user_id, const std::string& lease_token,
                                      TimeMs now, TimeMs expires_at) {
    return WriteTx<int>([&](SqlConn& conn) -> Result<int> {
        TESSERA_ASSIGN_OR_RETURN(
            std::int64_t n,
            conn.Exec("UPDATE leases SET expires_at = $5 WHERE token = $3 AND project_id = $1 AND "
                      "owner_id = $2 AND expires_at > $4",
                      {project_id, user_id, lease_token, now, expires_at}));
        if (n == 0 || lease_token.empty()) {
            return Error::LeaseInvalid("no live lease with this token");
        }
        return static_cast<int>(n);
    });
}

Status SqlRepository::ReleaseLease(Id project_id, Id user_id, const std::string& lease_token) {
    // The released items go back behind the queue front. Forgotten after the commit too: a
    // lease that ran meanwhile may have remembered a front past them.
    ForgetQueueHint(project_id);
    Status released = db().Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(
            conn.Exec("DELETE FROM leases WHERE token = $3 AND project_id = $1 AND owner_id = $2",
                      {project_id, user_id, lease_token}));
        return Status::Ok();
    });
    ForgetQueueHint(project_id);
    return released;
}

namespace {

// What the answer's item showed first (its newest prelabel: 'model' from an ML round,
// 'imported', else 'none') and whether the answer (`payload`, SQL) equals it: the two values
// for the label_efforts row (`columns`) from one lookup of that prelabel (`join`, LEFT JOINed
// so that an item without one still gives its row). Both payloads are canonical JSON, so equal
// text is equal content; `same` overrides that (SubmitRequest::same_as_prelabel).
struct ShownSql {
    std::string columns;
    std::string join;
};

ShownSql Shown(const std::string& item, const std::string& payload,
               const std::optional<bool>& same) {
    const std::string equal = same ? std::string(*same ? "1" : "0")
                                   : "CASE WHEN p.payload_json = " + payload + " THEN 1 ELSE 0 END";
    return {"COALESCE(shown.kind, 'none'), COALESCE(shown.same, 0)",
            " LEFT JOIN (SELECT CASE WHEN p.ml_round_id IS NULL THEN 'imported' ELSE 'model' END "
            "AS kind, " +
                equal + " AS same FROM annotations p WHERE p.item_id = " + item +
                " AND p.source = 'prelabel' ORDER BY p.id DESC LIMIT 1) shown ON 1 = 1"};
}

// The answer's label_efforts row: a first submit writes it; an edit of the answer says again
// what was shown and whether the answer equals it, and adds its time and edits to the answer's.
Status PutLabelEffort(SqlConn& conn, const SubmitRequest& r, Id annotation_id) {
    const ShownSql shown = Shown("CAST($3 AS BIGINT)", "CAST($4 AS TEXT)", r.same_as_prelabel);
    // "WHERE 1 = 1": SQLite needs a WHERE between a join's ON and the upsert's ON CONFLICT.
    TESSERA_TRY(conn.Exec(
        "INSERT INTO label_efforts (annotation_id, project_id, prelabel, unchanged, active_ms, "
        "edits) SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), " +
            shown.columns + ", CAST($5 AS BIGINT), CAST($6 AS BIGINT) FROM (SELECT 1 AS one) one" +
            shown.join +
            " WHERE 1 = 1 ON CONFLICT (annotation_id) DO UPDATE SET "
            "prelabel = excluded.prelabel, unchanged = excluded.unchanged, active_ms = CASE WHEN "
            "label_efforts.active_ms IS NULL THEN excluded.active_ms ELSE label_efforts.active_ms "
            "+ COALESCE(excluded.active_ms, 0) END, edits = CASE WHEN label_efforts.edits IS NULL "
            "THEN excluded.edits ELSE label_efforts.edits + COALESCE(excluded.edits, 0) END",
        {annotation_id, r.project_id, r.item_id, r.payload_json, NullableValue(r.effort.active_ms),
         NullableValue(r.effort.edits)}));
    return Status::Ok();
}

}  // namespace

Result<SubmitOutcome> SqlRepository::SubmitAnnotation(const SubmitRequest& request) {
    const SqlDialect dialect = db().dialect();
    return WriteTx<SubmitOutcome>([&](SqlConn& conn) -> Result<SubmitOutcome> {
        TESSERA_ASSIGN_OR_RETURN(auto found,
                                 LockItemWithOwnAnnotation(conn, dialect, request.project_id,
                                                           request.item_id, request.user_id));
        const LockedItem& locked = found.first;
        const std::optional<OwnAnnotation>& own = found.second;
        const bool lease_ok =
            HoldsLiveLease(locked.item, request.user_id, request.lease_token, request.now);
        const std::string counted = EncodeLabels(request.counted_labels);
        // Every outcome supersedes the draft (a rejected one rolls back, draft and all). The
        // PostgreSQL insert below deletes it in its own statement.
        if (own) {
            TESSERA_TRY(DeleteDraft(conn, request.item_id, request.user_id));
            if (!request.lease_token.empty() && own->lease_token == request.lease_token &&
                own->payload_json == request.payload_json) {
                return SubmitOutcome::kUnchanged;
            }
            // An edit keeps the token it was first stored under, so a late retry of that
            // original submit is still recognised.
            std::string token =
                request.lease_token.empty() ? own->lease_token : request.lease_token;
            if (own->payload_json != request.payload_json) {
                TESSERA_TRY(sql_internal::KeepReplacedVersions(
                    conn, "id = $1", {own->id}, request.user_id, request.now, "edited"));
            }
            TESSERA_TRY(
                conn.Exec("UPDATE annotations SET payload_json = $2, counted_labels = $3, "
                          "lease_token = $4, updated_at = $5 WHERE id = $1",
                          {own->id, request.payload_json, counted, token, request.now}));
            TESSERA_TRY(AdjustLabelCounts(conn, dialect, request.project_id, own->counted_labels,
                                          request.counted_labels));
            TESSERA_TRY(PutLabelEffort(conn, request, own->id));
            if (lease_ok) {
                TESSERA_TRY(MarkLabeled(conn, request.item_id, own->id));
            }
            return SubmitOutcome::kUpdated;
        }
        if (!lease_ok) {
            return Error::LeaseInvalid("lease not held, expired or unknown");
        }
        if (dialect == SqlDialect::kPostgres) {
            // One round trip for the annotation, both counters, the draft and the item instead
            // of 4 + labels. Counter rows are still locked in the order an edit locks them:
            // label_counts (labels sorted), then item_counts, whose row trigger on the items
            // UPDATE is an AFTER trigger and so runs when the whole statement ends. Edits and
            // submits therefore cannot deadlock.
            std::vector<std::string> labels;
            std::vector<std::int64_t> deltas;
            const ShownSql shown = Shown("$2::bigint", "$4::text", request.same_as_prelabel);
            for (const auto& [label, d] : LabelDeltas({}, request.counted_labels)) {
                labels.push_back(label);
                deltas.push_back(d);
            }
            TESSERA_ASSIGN_OR_RETURN(
                SqlRows stored,
                conn.QueryAndCommit(
                    "WITH a AS (INSERT INTO annotations (project_id, item_id, author_id, source, "
                    "payload_json, lease_token, counted_labels, created_at, updated_at) VALUES "
                    "($1::bigint, $2::bigint, $3::bigint, 'human', $4, $5, $6, $7, $7) RETURNING "
                    "id), l AS (INSERT INTO label_counts (project_id, label, shard, n) SELECT "
                    "$1::bigint, t.label, counter_shard(), t.d FROM unnest($8::text[], "
                    "$9::bigint[]) WITH ORDINALITY AS t(label, d, ord) ORDER BY t.ord ON CONFLICT "
                    "(project_id, label, shard) DO UPDATE SET n = label_counts.n + excluded.n), u "
                    "AS (INSERT INTO labeler_counts "
                    "(project_id, user_id, n) VALUES ($1::bigint, $3::bigint, 1) ON CONFLICT "
                    "(project_id, user_id) DO UPDATE SET n = labeler_counts.n + 1), d AS (DELETE "
                    "FROM drafts WHERE item_id = $2::bigint AND user_id = $3::bigint), m AS "
                    "(UPDATE items SET state = 'labeled', result_annotation_id = a.id FROM a WHERE "
                    "items.id = $2::bigint), x AS (DELETE FROM leases WHERE item_id = $2::bigint), "
                    "e AS (INSERT INTO label_efforts (annotation_id, project_id, prelabel, "
                    "unchanged, active_ms, edits) SELECT a.id, $1::bigint, " +
                        shown.columns + ", $10::bigint, $11::bigint FROM a" + shown.join +
                        ") SELECT id FROM a",
                    {request.project_id, request.item_id, request.user_id, request.payload_json,
                     request.lease_token, counted, request.now, PgTextArray(labels),
                     PgIntArray(deltas), NullableValue(request.effort.active_ms),
                     NullableValue(request.effort.edits)}));
            if (stored.size() != 1) {
                // Cannot happen: an INSERT ... VALUES returns its one row or fails.
                return Error::Internal("submit stored " + std::to_string(stored.size()) + " rows");
            }
            return SubmitOutcome::kStored;
        }
        TESSERA_TRY(DeleteDraft(conn, request.item_id, request.user_id));
        TESSERA_ASSIGN_OR_RETURN(
            Id id, sql_internal::QueryInt(
                       conn,
                       "INSERT INTO annotations (project_id, item_id, author_id, source, "
                       "payload_json, lease_token, counted_labels, created_at, updated_at) "
                       "VALUES ($1, $2, $3, 'human', $4, $5, $6, $7, $7) RETURNING id",
                       {request.project_id, request.item_id, request.user_id, request.payload_json,
                        request.lease_token, counted, request.now}));
        TESSERA_TRY(
            AdjustLabelCounts(conn, dialect, request.project_id, {}, request.counted_labels));
        TESSERA_TRY(
            conn.Exec("INSERT INTO labeler_counts (project_id, user_id, n) VALUES ($1, "
                      "$2, 1) ON CONFLICT (project_id, user_id) DO UPDATE SET n = "
                      "labeler_counts.n + 1",
                      {request.project_id, request.user_id}));
        TESSERA_TRY(PutLabelEffort(conn, request, id));
        TESSERA_TRY(MarkLabeled(conn, request.item_id, id));
        return SubmitOutcome::kStored;
    });
}

Status SqlRepository::SkipItem(const SkipRequest& request) {
    const SqlDialect dialect = db().dialect();
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(LockedItem locked,
                                 LockItem(conn, dialect, request.project_id, request.item_id));
        const Item& item = locked.item;
        if (item.state == ItemState::kSkipped && !request.lease_token.empty() &&
            locked.skip_token == request.lease_token && locked.skipped_by == request.user_id) {
            return Status::Ok();  // a retry of a skip that already happened
        }
        if (!HoldsLiveLease(item, request.user_id, request.lease_token, request.now)) {
            return Error::LeaseInvalid("lease not held, expired or unknown");
        }
        TESSERA_TRY(
            conn.Exec("UPDATE items SET state = 'skipped', skip_token = $2, skipped_by = $3 WHERE "
                      "id = $1",
                      {item.id, request.lease_token, request.user_id}));
        return DeleteLease(conn, item.id);
    });
}

Result<Annotation> SqlRepository::GetAnnotation(Id project_id, Id item_id, Id user_id) {
    return ReadTx<Annotation>([&](SqlConn& conn) -> Result<Annotation> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT " + AnnotationColumns() +
                           " FROM annotations WHERE item_id = $1 AND author_id = $2 AND "
                           "source = 'human' AND project_id = $3",
                       {item_id, user_id, project_id}));
        if (rows.empty()) {
            return Error::NotFound("no annotation by this user on this item");
        }
        return ReadAnnotation(rows[0]);
    });
}

Result<std::vector<std::pair<Item, Annotation>>> SqlRepository::ListUserAnnotations(
    Id project_id, Id user_id, int limit, TimeMs before_updated_at) {
    using Rows = std::vector<std::pair<Item, Annotation>>;
    const TimeMs before =
        before_updated_at > 0 ? before_updated_at : std::numeric_limits<TimeMs>::max();
    const std::int64_t capped = std::clamp(limit, 1, 1000);
    return ReadTx<Rows>([&](SqlConn& conn) -> Result<Rows> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT " + ItemColumns("i") + ", " + AnnotationColumns("a") +
                           " FROM annotations a JOIN items i ON i.id = a.item_id" +
                           ItemLeaseJoin("i") +
                           " WHERE "
                           "a.project_id = $1 AND a.author_id = $2 AND a.source = 'human' AND "
                           "a.updated_at < $3 ORDER BY a.updated_at DESC, a.id DESC LIMIT $4",
                       {project_id, user_id, before, capped}));
        Rows out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            out.emplace_back(ReadItem(row), ReadAnnotation(row, kItemColumnCount));
        }
        return out;
    });
}

}  // namespace tessera
