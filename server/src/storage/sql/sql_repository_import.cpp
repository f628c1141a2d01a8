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
Status AdjustCounts(SqlConn& conn, Id project_id, const std::map<std::string, std::int64_t>& d) {
    for (const auto& [label, n] : d) {
        if (n == 0) {
            continue;
        }
        TESSERA_TRY(
            conn.Exec("INSERT INTO label_counts (project_id, label, n) VALUES ($1, $2, $3) "
                      "ON CONFLICT (project_id, label) DO UPDATE SET n = label_counts.n + "
                      "excluded.n",
                      {project_id, label, n}));
    }
    return Status::Ok();
}

}  // namespace

Result<ImportApplied> SqlRepository::ApplyImport(const ImportRequest& request) {
    const std::string source = request.final ? "import" : "prelabel";
    const std::string lock = db().dialect() == SqlDialect::kPostgres ? " FOR UPDATE" : "";
    return WriteTx<ImportApplied>([&](SqlConn& conn) -> Result<ImportApplied> {
        TESSERA_TRY(RequireLiveProject(conn, request.project_id));
        ImportApplied applied;
        std::map<std::string, std::int64_t> deltas;
        for (const ImportedAnnotation& a : request.annotations) {
            TESSERA_ASSIGN_OR_RETURN(
                SqlRows item,
                conn.Query("SELECT id FROM items WHERE id = $1 AND project_id = $2" + lock,
                           {a.item_id, request.project_id}));
            if (item.empty()) {
                return Error::NotFound("item " + std::to_string(a.item_id) + " not found");
            }
            TESSERA_ASSIGN_OR_RETURN(SqlRows old,
                                     conn.Query("SELECT id, counted_labels FROM annotations WHERE "
                                                "item_id = $1 AND source = $2",
                                                {a.item_id, source}));
            for (const SqlRow& row : old) {
                for (const std::string& label : DecodeLabels(row.Text(1))) {
                    --deltas[label];
                }
                TESSERA_TRY(conn.Exec("DELETE FROM annotations WHERE id = $1", {row.Int(0)}));
                ++applied.replaced;
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
                TESSERA_TRY(conn.Exec(
                    "UPDATE items SET state = 'labeled', lease_token = NULL, lease_owner = NULL, "
                    "lease_expires_at = NULL, result_annotation_id = $2 WHERE id = $1",
                    {a.item_id, id}));
            }
            ++applied.stored;
        }
        TESSERA_TRY(AdjustCounts(conn, request.project_id, deltas));
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
