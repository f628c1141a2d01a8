// ML assist's storage (repository.hpp, "ML assist"; docs/design/ml.md): settings, rounds,
// embeddings, the queue window and the model's prelabels.
#include <algorithm>

#include "storage/sql/pg_array.hpp"
#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::QueryInt;
using sql_internal::RequireLiveProject;

namespace {

constexpr const char* kRoundColumns =
    "id, project_id, job_id, state, stage, backbone, labels_used, metrics_json, threshold, "
    "prelabeled, message, created_at, started_at, finished_at";

MlRound ReadRound(const SqlRow& row) {
    MlRound r;
    r.id = row.Int(0);
    r.project_id = row.Int(1);
    r.job_id = row.Int(2);
    r.state = ParseMlRoundState(row.Text(3)).value_or(MlRoundState::kFailed);
    r.stage = ParseMlStage(row.Text(4)).value_or(MlStage::kFeaturization);
    r.backbone = row.Text(5);
    r.labels_used = row.Int(6);
    r.metrics_json = row.Text(7);
    r.threshold = row.OptReal(8);
    r.prelabeled = row.Int(9);
    r.message = row.Text(10);
    r.created_at = row.Int(11);
    r.started_at = row.Int(12);
    r.finished_at = row.Int(13);
    return r;
}

// "column IN <the ids of parameter $index>", one bound parameter on both engines: a JSON array
// read by json_each on SQLite, a bigint[] on PostgreSQL.
std::string InIds(SqlDialect dialect, const std::string& column, int index) {
    const std::string param = "$" + std::to_string(index);
    return dialect == SqlDialect::kPostgres
               ? column + " = ANY(" + param + "::bigint[])"
               : column + " IN (SELECT value FROM json_each(" + param + "))";
}

SqlValue IdsValue(SqlDialect dialect, const std::vector<Id>& ids) {
    if (dialect == SqlDialect::kPostgres) {
        return PgIntArray(ids);
    }
    std::string json = "[";
    for (const Id id : ids) {
        json += (json.size() > 1 ? "," : "") + std::to_string(id);
    }
    return json + "]";
}

}  // namespace

Result<MlSettings> SqlRepository::GetMlSettings(Id project_id) {
    return ReadTx<MlSettings>([&](SqlConn& conn) -> Result<MlSettings> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows, conn.Query("SELECT enabled, target_precision, min_labels_per_class, "
                                     "retrain_after_labels FROM ml_settings WHERE project_id = $1",
                                     {project_id}));
        MlSettings settings;
        if (!rows.empty()) {
            settings.enabled = rows[0].Int(0) != 0;
            settings.target_precision = rows[0].Real(1);
            settings.min_labels_per_class = static_cast<int>(rows[0].Int(2));
            settings.retrain_after_labels = static_cast<int>(rows[0].Int(3));
        }
        return settings;
    });
}

Status SqlRepository::SetMlSettings(Id project_id, const MlSettings& settings) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_TRY(
            conn.Exec("INSERT INTO ml_settings (project_id, enabled, target_precision, "
                      "min_labels_per_class, retrain_after_labels) VALUES ($1, $2, $3, $4, $5) "
                      "ON CONFLICT (project_id) DO UPDATE SET enabled = excluded.enabled, "
                      "target_precision = excluded.target_precision, min_labels_per_class = "
                      "excluded.min_labels_per_class, retrain_after_labels = "
                      "excluded.retrain_after_labels",
                      {project_id, std::int64_t{settings.enabled ? 1 : 0},
                       settings.target_precision, std::int64_t{settings.min_labels_per_class},
                       std::int64_t{settings.retrain_after_labels}}));
        return Status::Ok();
    });
}

Result<MlRound> SqlRepository::CreateMlRound(const MlRound& round, const Job& job) {
    return WriteTx<MlRound>([&](SqlConn& conn) -> Result<MlRound> {
        TESSERA_TRY(RequireLiveProject(conn, round.project_id));
        TESSERA_ASSIGN_OR_RETURN(
            std::int64_t active,
            QueryInt(conn,
                     "SELECT COUNT(*) FROM ml_rounds WHERE project_id = $1 AND state IN "
                     "('queued', 'running')",
                     {round.project_id}));
        if (active > 0) {
            return Error::Conflict("a training round of this project is already queued or running");
        }
        MlRound created = round;
        TESSERA_ASSIGN_OR_RETURN(
            created.job_id,
            QueryInt(conn,
                     "INSERT INTO jobs (kind, project_id, state, payload_json, worker, "
                     "progress_done, progress_total, error, created_at, started_at, "
                     "finished_at, heartbeat_at) VALUES ($1, $2, 'queued', $3, '', 0, 0, '', "
                     "$4, 0, 0, 0) RETURNING id",
                     {job.kind, job.project_id, job.payload_json, job.created_at}));
        TESSERA_ASSIGN_OR_RETURN(
            created.id,
            QueryInt(conn,
                     "INSERT INTO ml_rounds (project_id, job_id, state, stage, backbone, "
                     "labels_used, metrics_json, threshold, prelabeled, message, created_at, "
                     "started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                     "$11, $12, $13) RETURNING id",
                     {round.project_id, created.job_id, std::string(MlRoundStateName(round.state)),
                      std::string(MlStageName(round.stage)), round.backbone, round.labels_used,
                      round.metrics_json, NullableValue(round.threshold), round.prelabeled,
                      round.message, round.created_at, round.started_at, round.finished_at}));
        return created;
    });
}

Status SqlRepository::UpdateMlRound(const MlRound& round) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(
            std::int64_t changed,
            conn.Exec("UPDATE ml_rounds SET job_id = $2, state = $3, stage = $4, backbone = $5, "
                      "labels_used = $6, metrics_json = $7, threshold = $8, prelabeled = $9, "
                      "message = $10, started_at = $11, finished_at = $12 WHERE id = $1",
                      {round.id, round.job_id, std::string(MlRoundStateName(round.state)),
                       std::string(MlStageName(round.stage)), round.backbone, round.labels_used,
                       round.metrics_json, NullableValue(round.threshold), round.prelabeled,
                       round.message, round.started_at, round.finished_at}));
        if (changed == 0) {
            return Error::NotFound("training round " + std::to_string(round.id) + " not found");
        }
        return Status::Ok();
    });
}

Result<MlRound> SqlRepository::GetMlRound(Id round_id) {
    return ReadTx<MlRound>([&](SqlConn& conn) -> Result<MlRound> {
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(std::string("SELECT ") + kRoundColumns +
                                                              " FROM ml_rounds WHERE id = $1",
                                                          {round_id}));
        if (rows.empty()) {
            return Error::NotFound("training round " + std::to_string(round_id) + " not found");
        }
        return ReadRound(rows[0]);
    });
}

Result<std::vector<MlRound>> SqlRepository::ListMlRounds(Id project_id, int limit) {
    if (limit < 1 || limit > 100) {
        return Error::InvalidArgument("limit must be between 1 and 100", "limit");
    }
    return ReadTx<std::vector<MlRound>>([&](SqlConn& conn) -> Result<std::vector<MlRound>> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query(std::string("SELECT ") + kRoundColumns +
                           " FROM ml_rounds WHERE project_id = $1 ORDER BY id DESC LIMIT $2",
                       {project_id, std::int64_t{limit}}));
        std::vector<MlRound> out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            out.push_back(ReadRound(row));
        }
        return out;
    });
}

Status SqlRepository::PutEmbeddings(const std::string& backbone,
                                    const std::vector<ItemEmbedding>& embeddings) {
    const SqlDialect dialect = db().dialect();
    const std::string sql =
        "INSERT INTO item_embeddings (item_id, backbone, vector) VALUES ($1, "
        "$2, " +
        BytesParam(dialect, 3) +
        ") ON CONFLICT (item_id, backbone) DO UPDATE SET vector = "
        "excluded.vector";
    return db().Write([&](SqlConn& conn) -> Status {
        for (const ItemEmbedding& e : embeddings) {
            if (e.vector.empty()) {
                return Error::InvalidArgument("an embedding has no values");
            }
            TESSERA_TRY(conn.Exec(sql, {e.item_id, backbone, BytesValue(dialect, e.vector)}));
        }
        return Status::Ok();
    });
}

Result<std::vector<ItemEmbedding>> SqlRepository::GetEmbeddings(Id project_id,
                                                                const std::string& backbone,
                                                                const std::vector<Id>& item_ids) {
    using Out = std::vector<ItemEmbedding>;
    const SqlDialect dialect = db().dialect();
    return ReadTx<Out>([&](SqlConn& conn) -> Result<Out> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT e.item_id, " + BytesColumn(dialect, "e.vector") +
                           " FROM item_embeddings e JOIN items i ON i.id = e.item_id WHERE "
                           "i.project_id = $1 AND e.backbone = $2 AND " +
                           InIds(dialect, "e.item_id", 3) + " ORDER BY e.item_id",
                       {project_id, backbone, IdsValue(dialect, item_ids)}));
        Out out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            out.push_back({row.Int(0), ReadBytes(dialect, row.Text(1))});
        }
        return out;
    });
}

Result<std::vector<Id>> SqlRepository::ListEmbeddedItems(Id project_id, const std::string& backbone,
                                                         const std::vector<Id>& item_ids) {
    using Out = std::vector<Id>;
    const SqlDialect dialect = db().dialect();
    return ReadTx<Out>([&](SqlConn& conn) -> Result<Out> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT e.item_id FROM item_embeddings e JOIN items i ON i.id = "
                       "e.item_id WHERE i.project_id = $1 AND e.backbone = $2 AND " +
                           InIds(dialect, "e.item_id", 3) + " ORDER BY e.item_id",
                       {project_id, backbone, IdsValue(dialect, item_ids)}));
        Out out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            out.push_back(row.Int(0));
        }
        return out;
    });
}

Result<std::vector<Item>> SqlRepository::ListQueueWindow(Id project_id, int limit) {
    using Out = std::vector<Item>;
    if (limit < 1) {
        return Out();
    }
    return ReadTx<Out>([&](SqlConn& conn) -> Result<Out> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT " + ItemColumns("i") + " FROM items i" + ItemLeaseJoin("i") +
                           " WHERE i.project_id = $1 AND i.state = 'unlabeled' ORDER BY i.rank, "
                           "i.id LIMIT $2",
                       {project_id, std::int64_t{limit}}));
        Out out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            out.push_back(ReadItem(row));
        }
        return out;
    });
}

Status SqlRepository::ReorderQueue(Id project_id, const std::vector<Id>& item_ids) {
    if (item_ids.empty()) {
        return Status::Ok();
    }
    const SqlDialect dialect = db().dialect();
    ForgetQueueHint(project_id);  // ranks move, maybe below the remembered front
    Status reordered = db().Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows, conn.Query("SELECT id, rank FROM items WHERE project_id = $1 AND " +
                                         InIds(dialect, "id", 2),
                                     {project_id, IdsValue(dialect, item_ids)}));
        std::vector<std::int64_t> ranks;
        std::vector<Id> present;
        ranks.reserve(rows.size());
        for (const SqlRow& row : rows) {
            present.push_back(row.Int(0));
            ranks.push_back(row.Int(1));
        }
        std::sort(ranks.begin(), ranks.end());
        std::sort(present.begin(), present.end());
        std::vector<std::pair<Id, std::int64_t>> assigned;
        assigned.reserve(ranks.size());
        for (const Id id : item_ids) {
            if (std::binary_search(present.begin(), present.end(), id) &&
                assigned.size() < ranks.size()) {
                assigned.emplace_back(id, ranks[assigned.size()]);
            }
        }
        return RankBatch(conn, assigned);
    });
    ForgetQueueHint(project_id);
    return reordered;
}

Result<std::int64_t> SqlRepository::ReplaceModelPrelabels(
    Id project_id, Id round_id, const std::vector<ImportedAnnotation>& prelabels, TimeMs now) {
    return WriteTx<std::int64_t>([&](SqlConn& conn) -> Result<std::int64_t> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_TRY(conn.Exec(
            "DELETE FROM annotations WHERE project_id = $1 AND source = 'prelabel' AND "
            "ml_round_id IS NOT NULL AND item_id IN (SELECT id FROM items WHERE project_id = $1 "
            "AND state <> 'labeled')",
            {project_id}));
        std::int64_t stored = 0;
        for (const ImportedAnnotation& p : prelabels) {
            TESSERA_ASSIGN_OR_RETURN(
                std::int64_t inserted,
                conn.Exec("INSERT INTO annotations (project_id, item_id, author_id, source, "
                          "payload_json, confidence, lease_token, counted_labels, created_at, "
                          "updated_at, ml_round_id) SELECT $1, i.id, NULL, 'prelabel', $3, $4, "
                          "'', '[]', $5, $5, $6 FROM items i WHERE i.id = $2 AND i.project_id = "
                          "$1 AND i.state <> 'labeled' AND NOT EXISTS (SELECT 1 FROM annotations "
                          "a WHERE a.item_id = i.id AND a.source = 'prelabel' AND a.ml_round_id "
                          "IS NULL)",
                          {project_id, p.item_id, p.payload_json, NullableValue(p.confidence), now,
                           round_id}));
            stored += inserted;
        }
        return stored;
    });
}

Result<std::vector<Annotation>> SqlRepository::GetPrelabels(Id project_id,
                                                            const std::vector<Id>& item_ids) {
    using Out = std::vector<Annotation>;
    const SqlDialect dialect = db().dialect();
    return ReadTx<Out>([&](SqlConn& conn) -> Result<Out> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            // By item id alone, the project checked on each row: with "project_id = $1" in the
            // WHERE, SQLite walked every annotation of the project (annotations_author's
            // prefix) instead of the few ids on annotations_item, and `next`, which asks for
            // its page's prelabels, slowed with the number of answers (docs/PERFORMANCE.md).
            conn.Query("SELECT " + AnnotationColumns() +
                           " FROM annotations WHERE source = 'prelabel' AND " +
                           InIds(dialect, "item_id", 1) + " ORDER BY item_id, id DESC",
                       {IdsValue(dialect, item_ids)}));
        Out out;
        for (const SqlRow& row : rows) {
            Annotation a = ReadAnnotation(row);
            if (a.project_id != project_id) {
                continue;
            }
            if (out.empty() || out.back().item_id != a.item_id) {
                out.push_back(std::move(a));  // the newest of each item comes first
            }
        }
        return out;
    });
}

Status SqlRepository::ReplaceItemGroups(Id project_id, const std::vector<std::vector<Id>>& groups) {
    const SqlDialect dialect = db().dialect();
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_TRY(conn.Exec("DELETE FROM ml_groups WHERE project_id = $1", {project_id}));
        for (std::size_t g = 0; g < groups.size(); ++g) {
            if (groups[g].empty()) {
                continue;
            }
            // Only the project's own items: the ids come from a round's window.
            TESSERA_TRY(conn.Exec(
                "INSERT INTO ml_groups (item_id, project_id, group_id) SELECT id, project_id, $2 "
                "FROM items WHERE project_id = $1 AND " +
                    InIds(dialect, "id", 3),
                {project_id, static_cast<std::int64_t>(g), IdsValue(dialect, groups[g])}));
        }
        return Status::Ok();
    });
}

Result<std::map<Id, std::int64_t>> SqlRepository::GetItemGroups(Id project_id,
                                                                const std::vector<Id>& item_ids) {
    using Out = std::map<Id, std::int64_t>;
    const SqlDialect dialect = db().dialect();
    return ReadTx<Out>([&](SqlConn& conn) -> Result<Out> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT item_id, group_id FROM ml_groups WHERE project_id = $1 AND " +
                           InIds(dialect, "item_id", 2),
                       {project_id, IdsValue(dialect, item_ids)}));
        Out out;
        for (const SqlRow& row : rows) {
            out.emplace(row.Int(0), row.Int(1));
        }
        return out;
    });
}

}  // namespace tessera
