// Projects. Rows are never deleted so a name stays reserved forever (see 0001_init.sql).
#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::ConflictAs;
using sql_internal::QueryInt;

Result<Project> SqlRepository::CreateProject(const Project& project) {
    Result<Project> out = WriteTx<Project>([&](SqlConn& conn) -> Result<Project> {
        TESSERA_ASSIGN_OR_RETURN(
            Id id,
            QueryInt(
                conn,
                "INSERT INTO projects (name, name_key, task_type, status, labels_json, "
                "instructions_text, instructions_url, datasource_kind, datasource_path, "
                "datasource_pattern, item_limit, shuffle_seed, item_limit_reached, "
                "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                "$11, $12, $13, $14, $15) RETURNING id",
                {project.name, NameKey(project.name), std::string(TaskTypeName(project.task_type)),
                 std::string(ProjectStatusName(project.status)), project.labels_json,
                 project.instructions_text, project.instructions_url, project.datasource.kind,
                 project.datasource.path, project.datasource.pattern, project.item_limit,
                 static_cast<std::int64_t>(project.shuffle_seed),
                 std::int64_t{project.item_limit_reached ? 1 : 0}, project.created_by,
                 project.created_at}));
        Project created = project;
        created.id = id;
        created.deleted_at.reset();
        TESSERA_ASSIGN_OR_RETURN(
            created.datasource, InsertDatasource(conn, id, project.datasource, project.created_at));
        if (project.refresh.enabled ||
            project.refresh.interval_s != RefreshSettings::kDefaultIntervalS) {
            TESSERA_TRY(conn.Exec(
                "UPDATE projects SET refresh_enabled = $2, refresh_interval_s = "
                "$3 WHERE id = $1",
                {id, std::int64_t{project.refresh.enabled ? 1 : 0}, project.refresh.interval_s}));
        }
        created.refresh.last_at.reset();
        return created;
    });
    if (!out.ok()) {
        return ConflictAs(out.error(), "project name already used: " + project.name);
    }
    return out;
}

Result<Project> SqlRepository::GetProject(Id id) {
    return ReadTx<Project>([&](SqlConn& conn) -> Result<Project> {
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT " + ProjectColumns() +
                                                              " FROM projects WHERE id = $1 AND "
                                                              "deleted_at IS NULL",
                                                          {id}));
        if (rows.empty()) {
            return Error::NotFound("project not found");
        }
        std::vector<Project> projects{ReadProject(rows[0])};
        TESSERA_TRY(FillPrimaryDatasources(conn, projects));
        return std::move(projects[0]);
    });
}

Result<std::vector<Project>> SqlRepository::ListProjects() {
    return ReadTx<std::vector<Project>>([&](SqlConn& conn) -> Result<std::vector<Project>> {
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                 conn.Query("SELECT " + ProjectColumns() +
                                                " FROM projects WHERE deleted_at IS NULL "
                                                "ORDER BY created_at DESC, id DESC",
                                            {}));
        std::vector<Project> out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            out.push_back(ReadProject(row));
        }
        TESSERA_TRY(FillPrimaryDatasources(conn, out));
        return out;
    });
}

namespace {

// Runs an UPDATE on one live project; kNotFound when it matched nothing.
Status UpdateLiveProject(SqlDb& db, const std::string& set_clause, Id id, SqlValue value) {
    return db.Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(
            std::int64_t n,
            conn.Exec("UPDATE projects SET " + set_clause + " WHERE id = $1 AND deleted_at IS NULL",
                      {id, value}));
        if (n == 0) {
            return Error::NotFound("project not found");
        }
        return Status::Ok();
    });
}

}  // namespace

Status SqlRepository::SetProjectStatus(Id id, ProjectStatus status) {
    if (status == ProjectStatus::kRunning) {
        return UpdateLiveProject(db(), "status = $2", id, std::string(ProjectStatusName(status)));
    }
    // Leaving "running" hands every page back: the released items go in front of the queue
    // front LeaseNext remembers, so that is forgotten before and after, as ReleaseLease does.
    ForgetQueueHint(id);
    Status set = db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(std::int64_t n,
                                 conn.Exec("UPDATE projects SET status = $2 WHERE id = $1 AND "
                                           "deleted_at IS NULL",
                                           {id, std::string(ProjectStatusName(status))}));
        if (n == 0) {
            return Error::NotFound("project not found");
        }
        // `leases` holds a page or two per labeler: cheap at any project size.
        TESSERA_TRY(conn.Exec("DELETE FROM leases WHERE project_id = $1", {id}));
        return Status::Ok();
    });
    ForgetQueueHint(id);
    return set;
}

Status SqlRepository::SetItemLimitReached(Id id, bool reached) {
    return UpdateLiveProject(db(), "item_limit_reached = $2", id, std::int64_t{reached ? 1 : 0});
}

Status SqlRepository::SetRefreshSettings(Id id, const RefreshSettings& settings) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(
            std::int64_t n,
            conn.Exec("UPDATE projects SET refresh_enabled = $2, refresh_interval_s = $3 WHERE id "
                      "= $1 AND deleted_at IS NULL",
                      {id, std::int64_t{settings.enabled ? 1 : 0}, settings.interval_s}));
        if (n == 0) {
            return Error::NotFound("project not found");
        }
        return Status::Ok();
    });
}

Status SqlRepository::RecordRefresh(Id id, TimeMs at) {
    return UpdateLiveProject(db(), "refresh_last_at = $2", id, at);
}

Status SqlRepository::DeleteProject(Id id, TimeMs now) {
    return UpdateLiveProject(db(), "deleted_at = $2", id, now);
}

}  // namespace tessera
