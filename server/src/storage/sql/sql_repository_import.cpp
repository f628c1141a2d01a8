// Imports: every annotation of one upload in one transaction (repository.hpp, ApplyImport).
#include <map>

#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::RequireLiveProject;

namespace {

// Net label count changes, sorted by label so concurrent writers lock counter rows in the same
// order as SubmitAnnotation does.
Status AdjustCounts(SqlConn& conn, SqlDialect dialect, Id project_id,
                    const std::map<std::string, std::int64_t>& d) {
    const std::string sql = sql_internal::AddToCounterSql(dialect, "label_counts", "label");
    for (const auto& [label, n] : d) {
        if (n == 0) {
            continue;
        }
        TESSERA_TRY(conn.Exec(sql, {project_id, label, n}));
    }
    return Status::Ok();
}

// Applies the item state changes a bulk import counted itself (see ApplyImport): decrements
// first, then the increment of 'labeled', the order the row trigger locks counter rows in.
Status AdjustStateCounts(SqlConn& conn, SqlDialect dialect, Id project_id,
                         const std::map<std::string, std::int64_t>& left, std::int64_t labeled) {
    const std::string sql = sql_internal::AddToCounterSql(dialect, "item_counts", "state");
    for (const auto& [state, n] : left) {
        TESSERA_TRY(conn.Exec(sql, {project_id, state, -n}));
    }
    if (labeled == 0) {
        return Status::Ok();
    }
    TESSERA_TRY(conn.Exec(sql, {project_id, std::string("labeled"), labeled}));
    return Status::Ok();
}

}  // namespace

Result<ImportApplied> SqlRepository::ApplyImport(const ImportRequest& request) {
    const std::string source = request.final ? "import" : "prelabel";
    const bool postgres = db().dialect() == SqlDialect::kPostgres;
    const std::string lock = postgres ? " FOR UPDATE" : "";
    return WriteTx<ImportApplied>([&](SqlConn& conn) -> Result<ImportApplied> {
        TESSERA_TRY(RequireLiveProject(conn, request.project_id));
        // On PostgreSQL the per-row items_count_update trigger is quadratic over one large
        // transaction (migrations/postgres/0003): switch it off until the end of this
        // transaction and count the state changes here instead. SQLite's trigger updates its
        // counter rows in place and keeps counting.
        if (postgres) {
            TESSERA_TRY(conn.Query("SELECT set_config('tessera.bulk', 'on', true)", {}));
        }
        ImportApplied applied;
        std::map<std::string, std::int64_t> deltas;
        std::map<std::string, std::int64_t> states_left;  // old state -> items now labeled
        std::int64_t newly_labeled = 0;
        for (const ImportedAnnotation& a : request.annotations) {
            TESSERA_ASSIGN_OR_RETURN(
                SqlRows item,
                conn.Query("SELECT id, state FROM items WHERE id = $1 AND project_id = $2" + lock,
                           {a.item_id, request.project_id}));
            if (item.empty()) {
                return Error::NotFound("item " + std::to_string(a.item_id) + " not found");
            }
            TESSERA_ASSIGN_OR_RETURN(
                SqlRows old,
                conn.Query("DELETE FROM annotations WHERE item_id = $1 AND source = $2 RETURNING "
                           "counted_labels, id, payload_json, updated_at",
                           {a.item_id, source}));
            for (const SqlRow& row : old) {
                for (const std::string& label : DecodeLabels(row.Text(0))) {
                    --deltas[label];
                }
                ++applied.replaced;
                if (request.final) {
                    // Kept in the label history (an import's answers have no author). Only
                    // here, where an earlier import is replaced: a first import costs nothing.
                    TESSERA_TRY(conn.Exec(
                        "INSERT INTO annotation_history (project_id, item_id, annotation_id, "
                        "author_id, source, payload_json, stored_at, replaced_by, replaced_at, "
                        "reason) VALUES ($1, $2, $3, NULL, 'import', $4, $5, $6, $7, 'imported')",
                        {request.project_id, a.item_id, row.Int(1), row.Text(2), row.Int(3),
                         request.actor_id != 0 ? SqlValue(request.actor_id)
                                               : SqlValue(std::monostate{}),
                         request.now}));
                }
            }
            const std::vector<std::string> counted =
                request.final ? a.counted_labels : std::vector<std::string>();
            for (const std::string& label : counted) {
                ++deltas[label];
            }
            SqlValue confidence;
            if (a.confidence) {
                confidence = *a.confidence;
            }
            TESSERA_ASSIGN_OR_RETURN(
                Id id, sql_internal::QueryInt(
                           conn,
                           "INSERT INTO annotations (project_id, item_id, author_id, source, "
                           "payload_json, confidence, lease_token, counted_labels, created_at, "
                           "updated_at) VALUES ($1, $2, NULL, $3, $4, $5, '', $6, $7, $7) "
                           "RETURNING id",
                           {request.project_id, a.item_id, source, a.payload_json, confidence,
                            EncodeLabels(counted), request.now}));
            if (request.final) {
                TESSERA_TRY(
                    conn.Exec("UPDATE items SET state = 'labeled', result_annotation_id = $2 "
                              "WHERE id = $1",
                              {a.item_id, id}));
                // A labeled item holds no lease (0008_leases.sql).
                TESSERA_TRY(conn.Exec("DELETE FROM leases WHERE item_id = $1", {a.item_id}));
                // A later annotation of the same item reads 'labeled' and counts nothing.
                if (const std::string state = item[0].Text(1); state != "labeled") {
                    ++states_left[state];
                    ++newly_labeled;
                }
            }
            ++applied.stored;
        }
        if (postgres) {
            TESSERA_TRY(conn.Query("SELECT set_config('tessera.bulk', 'off', true)", {}));
            TESSERA_TRY(AdjustStateCounts(conn, db().dialect(), request.project_id, states_left,
                                          newly_labeled));
        }
        TESSERA_TRY(AdjustCounts(conn, db().dialect(), request.project_id, deltas));
        return applied;
    });
}

Result<Annotation> SqlRepository::GetPrelabel(Id project_id, Id item_id) {
    return ReadTx<Annotation>([&](SqlConn& conn) -> Result<Annotation> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows, conn.Query("SELECT " + AnnotationColumns() +
                                         " FROM annotations WHERE project_id = $1 AND item_id = "
                                         "$2 AND source = 'prelabel' ORDER BY id DESC LIMIT 1",
                                     {project_id, item_id}));
        if (rows.empty()) {
            return Error::NotFound("no prelabel on this item");
        }
        return ReadAnnotation(rows[0]);
    });
}

}  // namespace tessera
