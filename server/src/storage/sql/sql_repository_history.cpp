// The label history (migration 0017, docs/design/teams.md, "History"): replaced versions of
// answers kept by the transactions that replace them, and an item's record read back.
#include <string>

#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

namespace sql_internal {

Status KeepReplacedVersions(SqlConn& conn, const std::string& where, const SqlParams& params,
                            std::int64_t actor, std::int64_t at, const char* reason) {
    SqlParams all = params;
    const std::string by = "$" + std::to_string(all.size() + 1);
    all.push_back(actor != 0 ? SqlValue(actor) : SqlValue(std::monostate{}));
    const std::string when = "$" + std::to_string(all.size() + 1);
    all.emplace_back(at);
    const std::string why = "$" + std::to_string(all.size() + 1);
    all.emplace_back(std::string(reason));
    TESSERA_TRY(
        conn.Exec("INSERT INTO annotation_history (project_id, item_id, annotation_id, author_id, "
                  "source, payload_json, stored_at, replaced_by, replaced_at, reason) SELECT "
                  "project_id, item_id, id, author_id, source, payload_json, updated_at, " +
                      by + ", " + when + ", " + why + " FROM annotations WHERE " + where,
                  all));
    return Status::Ok();
}

}  // namespace sql_internal

Result<ItemRecord> SqlRepository::GetItemRecord(Id project_id, Id item_id) {
    return ReadTx<ItemRecord>([&](SqlConn& conn) -> Result<ItemRecord> {
        TESSERA_TRY(sql_internal::RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows items,
            conn.Query("SELECT " + ItemColumns("i") + ", i.result_annotation_id FROM items i" +
                           ItemLeaseJoin("i") + " WHERE i.id = $1 AND i.project_id = $2",
                       {item_id, project_id}));
        if (items.empty()) {
            return Error::NotFound("item not found");
        }
        ItemRecord record;
        record.item = ReadItem(items[0]);
        record.counting = items[0].OptInt(kItemColumnCount);
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows current,
            conn.Query("SELECT " + AnnotationColumns("a") +
                           ", COALESCE(u.username, '') FROM annotations a LEFT JOIN users u ON "
                           "u.id = a.author_id WHERE a.item_id = $1 ORDER BY a.id",
                       {item_id}));
        for (const SqlRow& row : current) {
            const Annotation a = ReadAnnotation(row);
            AnnotationVersion v;
            v.annotation_id = a.id;
            v.author_id = a.author_id;
            v.author = row.Text(kAnnotationColumnCount);
            v.source = a.source;
            v.payload_json = a.payload_json;
            v.confidence = a.confidence;
            v.ml_round_id = a.ml_round_id;
            v.stored_at = a.updated_at;
            record.current.push_back(std::move(v));
        }
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows replaced,
            conn.Query("SELECT h.annotation_id, h.author_id, COALESCE(u.username, ''), h.source, "
                       "h.payload_json, h.stored_at, h.replaced_at, h.replaced_by, "
                       "COALESCE(r.username, ''), h.reason FROM annotation_history h LEFT JOIN "
                       "users u ON u.id = h.author_id LEFT JOIN users r ON r.id = h.replaced_by "
                       "WHERE h.item_id = $1 ORDER BY h.id",
                       {item_id}));
        for (const SqlRow& row : replaced) {
            AnnotationVersion v;
            v.annotation_id = row.Int(0);
            v.author_id = row.OptInt(1);
            v.author = row.Text(2);
            v.source = ParseAnnotationSource(row.Text(3));
            v.payload_json = row.Text(4);
            v.stored_at = row.Int(5);
            v.replaced_at = row.Int(6);
            v.replaced_by = row.OptInt(7);
            v.replaced_by_name = row.Text(8);
            v.reason = row.Text(9);
            record.replaced.push_back(std::move(v));
        }
        return record;
    });
}

}  // namespace tessera
