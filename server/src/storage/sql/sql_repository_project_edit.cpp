// EditProject (repository.hpp): name, instructions and label changes in one transaction. Every
// rewrite is one set-based statement per table, never a loop over rows.
#include <nlohmann/json.hpp>

#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::ConflictAs;
using sql_internal::RequireLiveProject;

namespace {

// Text replacements that turn `from` into `to` wherever it stands as a label in stored JSON.
using Replacements = std::vector<std::pair<std::string, std::string>>;

// Both are written by nlohmann's compact dump, so a label is its JSON string, quoted and
// escaped, and a subclass starts with the same bytes up to the closing quote plus '/'.
std::string Quoted(const std::string& path) {
    return nlohmann::json(path).dump();
}
std::string Opened(const std::string& path) {
    std::string q = Quoted(path);
    q.pop_back();
    return q + "/";
}

// Labels as elements of a JSON array of strings: counted_labels, and {"labels": [...]}
// (whose only other string, the key, follows '{'). An element follows '[' or ',' and ends
// before ',' or ']'. Replacing ",x," consumes the comma the next element starts with, so a
// run of equal elements (a box of Cat twice counts Cat twice) needs the second pass.
Replacements ArrayReplacements(const std::string& from, const std::string& to) {
    const std::string qf = Quoted(from), qt = Quoted(to), of = Opened(from), ot = Opened(to);
    return {{"[" + qf + "]", "[" + qt + "]"},
            {"[" + qf + ",", "[" + qt + ","},
            {"," + qf + ",", "," + qt + ","},
            {"," + qf + ",", "," + qt + ","},
            {"," + qf + "]", "," + qt + "]"},
            {"[" + of, "[" + ot},
            {"," + of, "," + ot}};
}

// Labels of shapes: {"label":"Animal/Cat", ...}.
Replacements ShapeReplacements(const std::string& from, const std::string& to) {
    const std::string key = "\"label\":";
    return {{key + Quoted(from), key + Quoted(to)}, {key + Opened(from), key + Opened(to)}};
}

// "REPLACE(REPLACE(column, $a, $b), $c, $d)..." with the values appended to `params`.
std::string ReplaceExpression(const std::string& column, const Replacements& replacements,
                              SqlParams& params) {
    std::string expr = column;
    for (const auto& [from, to] : replacements) {
        params.emplace_back(from);
        const std::string a = "$" + std::to_string(params.size());
        params.emplace_back(to);
        const std::string b = "$" + std::to_string(params.size());
        expr = "REPLACE(" + expr + ", " + a + ", " + b + ")";
    }
    return expr;
}

// Rewrites `column` of `table`'s rows of project $1 that mention the label ($2: its opening
// quote and text, which a subclass shares).
Status RewriteColumn(SqlConn& conn, SqlDialect dialect, Id project_id, const std::string& table,
                     const std::string& column, const std::string& from,
                     const Replacements& replacements) {
    const std::string find = dialect == SqlDialect::kPostgres ? "strpos" : "instr";
    std::string mention = Quoted(from);
    mention.pop_back();
    SqlParams params{project_id, mention};
    const std::string expr = ReplaceExpression(column, replacements, params);
    TESSERA_TRY(conn.Exec("UPDATE " + table + " SET " + column + " = " + expr +
                              " WHERE project_id = $1 AND " + find + "(" + column + ", $2) > 0",
                          params));
    return Status::Ok();
}

// The item_counts changes a PostgreSQL restart counted itself (see RestartItems).
Status AddStateCounts(SqlConn& conn, SqlDialect dialect, Id project_id, const SqlRows& moved) {
    const std::string sql = sql_internal::AddToCounterSql(dialect, "item_counts", "state");
    std::int64_t total = 0;
    for (const SqlRow& row : moved) {
        TESSERA_TRY(conn.Exec(sql, {project_id, row.Text(0), -row.Int(1)}));
        total += row.Int(1);
    }
    if (total > 0) {
        TESSERA_TRY(conn.Exec(sql, {project_id, std::string("unlabeled"), total}));
    }
    return Status::Ok();
}

}  // namespace

Status SqlRepository::RenameLabel(SqlConn& conn, Id project_id, const LabelRename& rename,
                                  bool shapes) {
    const SqlDialect dialect = db().dialect();
    // Counters: the renamed rows are added onto any left under the new name (a class removed
    // earlier leaves rows counting zero), then the old ones go. One statement each.
    const bool sharded = dialect == SqlDialect::kPostgres;
    const std::string under =
        "project_id = $1 AND (label = CAST($2 AS TEXT) OR substr(label, 1, length(CAST($2 AS "
        "TEXT)) + 1) = CAST($2 AS TEXT) || '/')";
    TESSERA_TRY(conn.Exec(
        "INSERT INTO label_counts (project_id, label, " + std::string(sharded ? "shard, " : "") +
            "n) SELECT project_id, CAST($3 AS TEXT) || substr(label, length(CAST($2 AS TEXT)) + "
            "1), " +
            (sharded ? "shard, " : "") + "n FROM label_counts WHERE " + under +
            " ON CONFLICT (project_id, label" + (sharded ? ", shard" : "") +
            ") DO UPDATE SET n = label_counts.n + excluded.n",
        {project_id, rename.from, rename.to}));
    TESSERA_TRY(conn.Exec("DELETE FROM label_counts WHERE " + under, {project_id, rename.from}));
    // Answers and prelabels of every source, their counted labels (the item_labels_edit
    // trigger follows those) and the drafts.
    const Replacements in_arrays = ArrayReplacements(rename.from, rename.to);
    const Replacements in_payload = shapes ? ShapeReplacements(rename.from, rename.to) : in_arrays;
    auto rewrite = [&](const std::string& table, const std::string& column,
                       const Replacements& replacements) {
        return RewriteColumn(conn, dialect, project_id, table, column, rename.from, replacements);
    };
    TESSERA_TRY(rewrite("annotations", "counted_labels", in_arrays));
    TESSERA_TRY(rewrite("annotations", "payload_json", in_payload));
    TESSERA_TRY(rewrite("drafts", "payload_json", in_payload));
    return Status::Ok();
}

Status SqlRepository::RestartItems(SqlConn& conn, Id project_id, LabelRestart restart, TimeMs now,
                                   Id actor) {
    const SqlDialect dialect = db().dialect();
    // Every statement reads one index range: items_state for the finished items (the states
    // below), `leases` for the leased ones, the annotations' project index. None walks
    // the project's unlabeled items, however many there are.
    const std::string finished =
        "project_id = $1 AND state IN ('labeled', 'skipped', 'needs_review')";
    if (restart == LabelRestart::kKeep) {
        // Each item's counting answer becomes its prelabel, shown to the next labeler as an
        // imported prelabel is (LabelingService::GetAnnotation); earlier prelabels of those
        // items go so the kept answer is the one shown.
        TESSERA_TRY(conn.Exec(
            "DELETE FROM annotations WHERE project_id = $1 AND source = 'prelabel' AND item_id IN "
            "(SELECT id FROM items WHERE " +
                finished + " AND result_annotation_id IS NOT NULL)",
            {project_id}));
        TESSERA_TRY(conn.Exec(
            "INSERT INTO annotations (project_id, item_id, author_id, source, payload_json, "
            "confidence, lease_token, counted_labels, created_at, updated_at) SELECT i.project_id, "
            "i.id, NULL, 'prelabel', a.payload_json, NULL, '', '[]', $2, $2 FROM items i JOIN "
            "annotations a ON a.id = i.result_annotation_id WHERE i.project_id = $1 AND i.state IN "
            "('labeled', 'skipped', 'needs_review')",
            {project_id, now}));
    }
    TESSERA_TRY(sql_internal::KeepReplacedVersions(
        conn, "project_id = $1 AND source IN ('human', 'import')", {project_id}, actor, now,
        "restarted"));
    const std::string keep = restart == LabelRestart::kKeep ? " AND source <> 'prelabel'" : "";
    TESSERA_TRY(conn.Exec("DELETE FROM annotations WHERE project_id = $1" + keep, {project_id}));
    for (const char* table : {"item_labels", "drafts", "label_counts", "labeler_counts"}) {
        TESSERA_TRY(conn.Exec(std::string("DELETE FROM ") + table + " WHERE project_id = $1",
                              {project_id}));
    }
    TESSERA_TRY(conn.Exec("DELETE FROM leases WHERE project_id = $1", {project_id}));
    const std::string reset =
        "UPDATE items SET state = 'unlabeled', result_annotation_id = NULL, skip_token = NULL, "
        "skipped_by = NULL";
    if (dialect == SqlDialect::kSqlite) {
        // SQLite's row trigger updates its counter rows in place: let it count.
        TESSERA_TRY(conn.Exec(reset + " WHERE " + finished, {project_id}));
        return Status::Ok();
    }
    // PostgreSQL's row trigger would rewrite the same counter rows once per item (quadratic,
    // migrations/postgres/0003): off for this transaction, and the moves counted here from
    // the rows' old states.
    TESSERA_TRY(conn.Query("SELECT set_config('tessera.bulk', 'on', true)", {}));
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows moved,
        conn.Query("WITH old AS (SELECT id, state FROM items WHERE " + finished +
                       " FOR UPDATE), upd AS (" + reset +
                       " FROM old WHERE items.id = old.id RETURNING old.state AS state) SELECT "
                       "state, count(*) FROM upd GROUP BY state ORDER BY state",
                   {project_id}));
    TESSERA_TRY(conn.Query("SELECT set_config('tessera.bulk', 'off', true)", {}));
    return AddStateCounts(conn, dialect, project_id, moved);
}

Status SqlRepository::ApplyLabelChange(SqlConn& conn, Id project_id, const LabelChange& change) {
    if (change.restart != LabelRestart::kClear) {
        for (const std::string& label : change.removed) {
            TESSERA_ASSIGN_OR_RETURN(
                std::int64_t used,
                sql_internal::QueryInt(conn,
                                       "SELECT COALESCE(SUM(n), 0) FROM label_counts WHERE "
                                       "project_id = $1 AND label = $2",
                                       {project_id, label}));
            if (used > 0) {
                return Error::Conflict("class '" + label + "' is used " + std::to_string(used) +
                                       " time(s) in stored answers; keep it, rename it, or start "
                                       "over removing all labels (restart_clear)");
            }
        }
    }
    if (change.restart == LabelRestart::kContinue) {
        for (const LabelRename& rename : change.renames) {
            TESSERA_TRY(RenameLabel(conn, project_id, rename, change.shapes));
        }
    } else {
        if (change.restart == LabelRestart::kKeep) {
            // Renamed first so the answers kept as prelabels use the new names.
            for (const LabelRename& rename : change.renames) {
                TESSERA_TRY(RenameLabel(conn, project_id, rename, change.shapes));
            }
        }
        TESSERA_TRY(RestartItems(conn, project_id, change.restart, change.now, change.actor_id));
    }
    TESSERA_TRY(conn.Exec("UPDATE projects SET labels_json = $2 WHERE id = $1",
                          {project_id, change.labels_json}));
    return Status::Ok();
}

Status SqlRepository::EditProject(Id id, const ProjectEdit& edit) {
    if (edit.labels && edit.labels->restart != LabelRestart::kContinue) {
        ForgetQueueHint(id);  // items come back in front of the queue: before and after
    }
    Status edited = db().Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(RequireLiveProject(conn, id));
        if (edit.name) {
            auto renamed = conn.Exec("UPDATE projects SET name = $2, name_key = $3 WHERE id = $1",
                                     {id, *edit.name, NameKey(*edit.name)});
            if (!renamed.ok()) {
                return ConflictAs(renamed.error(), "project name already used: " + *edit.name);
            }
        }
        if (edit.instructions_text) {
            TESSERA_TRY(conn.Exec("UPDATE projects SET instructions_text = $2 WHERE id = $1",
                                  {id, *edit.instructions_text}));
        }
        if (edit.instructions_url) {
            TESSERA_TRY(conn.Exec("UPDATE projects SET instructions_url = $2 WHERE id = $1",
                                  {id, *edit.instructions_url}));
        }
        if (edit.labels) {
            TESSERA_TRY(ApplyLabelChange(conn, id, *edit.labels));
        }
        return Status::Ok();
    });
    if (edit.labels && edit.labels->restart != LabelRestart::kContinue) {
        ForgetQueueHint(id);
    }
    return edited;
}

}  // namespace tessera
