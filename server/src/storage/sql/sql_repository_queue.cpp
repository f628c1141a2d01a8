// The labeling queue: leases, submit, skip. Rules are in repository.hpp; the comments here say
// how each is enforced.
#include <algorithm>
#include <limits>
#include <map>

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
    std::string lock = dialect == SqlDialect::kPostgres ? " FOR UPDATE" : "";
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                             conn.Query("SELECT " + ItemColumns() +
                                            ", skip_token, skipped_by FROM items WHERE id = $1 AND "
                                            "project_id = $2" +
                                            lock,
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
Status AdjustLabelCounts(SqlConn& conn, Id project_id, const std::vector<std::string>& removed,
                         const std::vector<std::string>& added) {
    std::map<std::string, std::int64_t> delta;
    for (const std::string& label : removed) {
        --delta[label];
    }
    for (const std::string& label : added) {
        ++delta[label];
    }
    for (const auto& [label, d] : delta) {
        if (d == 0) {
            continue;
        }
        TESSERA_TRY(
            conn.Exec("INSERT INTO label_counts (project_id, label, n) VALUES ($1, $2, $3) "
                      "ON CONFLICT (project_id, label) DO UPDATE SET n = label_counts.n + "
                      "excluded.n",
                      {project_id, label, d}));
    }
    return Status::Ok();
}

Status MarkLabeled(SqlConn& conn, Id item_id, Id annotation_id) {
    TESSERA_TRY(
        conn.Exec("UPDATE items SET state = 'labeled', lease_token = NULL, lease_owner = "
                  "NULL, lease_expires_at = NULL, result_annotation_id = $2 WHERE id = $1",
                  {item_id, annotation_id}));
    return Status::Ok();
}

struct OwnAnnotation {
    Id id = 0;
    std::string payload_json;
    std::string lease_token;
    std::vector<std::string> counted_labels;
};

Result<std::optional<OwnAnnotation>> FindOwnAnnotation(SqlConn& conn, Id item_id, Id user_id) {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        conn.Query("SELECT id, payload_json, lease_token, counted_labels FROM annotations WHERE "
                   "item_id = $1 AND author_id = $2 AND source = 'human'",
                   {item_id, user_id}));
    if (rows.empty()) {
        return std::optional<OwnAnnotation>();
    }
    const SqlRow& r = rows[0];
    return std::optional<OwnAnnotation>(
        OwnAnnotation{r.Int(0), r.Text(1), r.Text(2), DecodeLabels(r.Text(3))});
}

}  // namespace

Result<std::vector<Item>> SqlRepository::LeaseNext(const LeaseRequest& request) {
    if (request.lease_token.empty()) {
        return Error::InvalidArgument("lease token must not be empty");
    }
    const std::int64_t count = std::clamp(request.count, 0, kMaxLease);
    return WriteTx<std::vector<Item>>([&](SqlConn& conn) -> Result<std::vector<Item>> {
        TESSERA_TRY(RequireLiveProject(conn, request.project_id));
        // Walks items_queue from the front; rows with a live lease are passed over (they are
        // few), and on PostgreSQL rows another transaction is leasing right now are skipped.
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT " + ItemColumns() +
                           " FROM items WHERE project_id = $1 AND state = 'unlabeled' AND "
                           "(lease_token IS NULL OR lease_expires_at <= $2) ORDER BY rank, id "
                           "LIMIT $3" +
                           SkipLocked(),
                       {request.project_id, request.now, count}));
        std::vector<Item> out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            Item item = ReadItem(row);
            TESSERA_TRY(
                conn.Exec("UPDATE items SET lease_token = $2, lease_owner = $3, "
                          "lease_expires_at = $4 WHERE id = $1",
                          {item.id, request.lease_token, request.user_id, request.expires_at}));
            item.lease_token = request.lease_token;
            item.lease_owner = request.user_id;
            item.lease_expires_at = request.expires_at;
            out.push_back(std::move(item));
        }
        return out;
    });
}

Result<int> SqlRepository::RenewLease(Id project_id, Id user_id, const std::string& lease_token,
                                      TimeMs now, TimeMs expires_at) {
    return WriteTx<int>([&](SqlConn& conn) -> Result<int> {
        TESSERA_ASSIGN_OR_RETURN(
            std::int64_t n,
            conn.Exec("UPDATE items SET lease_expires_at = $5 WHERE lease_token = $3 AND "
                      "project_id = $1 AND lease_owner = $2 AND lease_expires_at > $4 AND "
                      "state = 'unlabeled'",
                      {project_id, user_id, lease_token, now, expires_at}));
        if (n == 0 || lease_token.empty()) {
            return Error::LeaseInvalid("no live lease with this token");
        }
        return static_cast<int>(n);
    });
}

Status SqlRepository::ReleaseLease(Id project_id, Id user_id, const std::string& lease_token) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(
            conn.Exec("UPDATE items SET lease_token = NULL, lease_owner = NULL, "
                      "lease_expires_at = NULL WHERE lease_token = $3 AND project_id = $1 "
                      "AND lease_owner = $2",
                      {project_id, user_id, lease_token}));
        return Status::Ok();
    });
}

Result<SubmitOutcome> SqlRepository::SubmitAnnotation(const SubmitRequest& request) {
    const SqlDialect dialect = db().dialect();
    return WriteTx<SubmitOutcome>([&](SqlConn& conn) -> Result<SubmitOutcome> {
        TESSERA_ASSIGN_OR_RETURN(LockedItem locked,
                                 LockItem(conn, dialect, request.project_id, request.item_id));
        TESSERA_ASSIGN_OR_RETURN(std::optional<OwnAnnotation> own,
                                 FindOwnAnnotation(conn, request.item_id, request.user_id));
        const bool lease_ok =
            HoldsLiveLease(locked.item, request.user_id, request.lease_token, request.now);
        const std::string counted = EncodeLabels(request.counted_labels);
        if (own) {
            if (!request.lease_token.empty() && own->lease_token == request.lease_token &&
                own->payload_json == request.payload_json) {
                return SubmitOutcome::kUnchanged;
            }
            // An edit keeps the token it was first stored under, so a late retry of that
            // original submit is still recognised.
            std::string token =
                request.lease_token.empty() ? own->lease_token : request.lease_token;
            TESSERA_TRY(
                conn.Exec("UPDATE annotations SET payload_json = $2, counted_labels = $3, "
                          "lease_token = $4, updated_at = $5 WHERE id = $1",
                          {own->id, request.payload_json, counted, token, request.now}));
            TESSERA_TRY(AdjustLabelCounts(conn, request.project_id, own->counted_labels,
                                          request.counted_labels));
            if (lease_ok) {
                TESSERA_TRY(MarkLabeled(conn, request.item_id, own->id));
            }
            return SubmitOutcome::kUpdated;
        }
        if (!lease_ok) {
            return Error::LeaseInvalid("lease not held, expired or unknown");
        }
        TESSERA_ASSIGN_OR_RETURN(
            Id id, sql_internal::QueryInt(
                       conn,
                       "INSERT INTO annotations (project_id, item_id, author_id, source, "
                       "payload_json, lease_token, counted_labels, created_at, updated_at) VALUES "
                       "($1, $2, $3, 'human', $4, $5, $6, $7, $7) RETURNING id",
                       {request.project_id, request.item_id, request.user_id, request.payload_json,
                        request.lease_token, counted, request.now}));
        TESSERA_TRY(AdjustLabelCounts(conn, request.project_id, {}, request.counted_labels));
        TESSERA_TRY(
            conn.Exec("INSERT INTO labeler_counts (project_id, user_id, n) VALUES ($1, "
                      "$2, 1) ON CONFLICT (project_id, user_id) DO UPDATE SET n = "
                      "labeler_counts.n + 1",
                      {request.project_id, request.user_id}));
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
            conn.Exec("UPDATE items SET state = 'skipped', lease_token = NULL, "
                      "lease_owner = NULL, lease_expires_at = NULL, skip_token = $2, "
                      "skipped_by = $3 WHERE id = $1",
                      {item.id, request.lease_token, request.user_id}));
        return Status::Ok();
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
                           " FROM annotations a JOIN items i ON i.id = a.item_id WHERE "
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
