// Drafts: a labeler's autosaved, unsubmitted shapes on one item.
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::RequireLiveProject;

Status SqlRepository::SaveDraft(Id project_id, Id item_id, Id user_id,
                                const std::string& payload_json, TimeMs now) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                 conn.Query("SELECT 1 FROM items WHERE id = $1 AND project_id = $2",
                                            {item_id, project_id}));
        if (rows.empty()) {
            return Error::NotFound("item not found");
        }
        TESSERA_TRY(conn.Exec(
            "INSERT INTO drafts (item_id, user_id, project_id, payload_json, updated_at) VALUES "
            "($1, $2, $3, $4, $5) ON CONFLICT (item_id, user_id) DO UPDATE SET payload_json = "
            "excluded.payload_json, updated_at = excluded.updated_at",
            {item_id, user_id, project_id, payload_json, now}));
        return Status::Ok();
    });
}

Result<Draft> SqlRepository::GetDraft(Id project_id, Id item_id, Id user_id) {
    return ReadTx<Draft>([&](SqlConn& conn) -> Result<Draft> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows, conn.Query("SELECT payload_json, updated_at FROM drafts WHERE item_id = "
                                     "$1 AND user_id = $2 AND project_id = $3",
                                     {item_id, user_id, project_id}));
        if (rows.empty()) {
            return Error::NotFound("no draft on this item");
        }
        return Draft{rows[0].Text(0), rows[0].Int(1)};
    });
}

Status SqlRepository::DeleteDraft(SqlConn& conn, Id item_id, Id user_id) {
    TESSERA_TRY(
        conn.Exec("DELETE FROM drafts WHERE item_id = $1 AND user_id = $2", {item_id, user_id}));
    return Status::Ok();
}

}  // namespace tessera
