// Datasources and what refresh needs of items: the known paths, and marking files gone or back
// (docs/design/datasources.md).
#include <algorithm>
#include <map>

#include "storage/sql/pg_array.hpp"
#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::QueryInt;
using sql_internal::RequireLiveProject;

namespace {

constexpr std::int64_t kKnownPage = 5000;
// ForEachKnownItemInFolder's page right after passing a sub-folder: the next rows are likely
// the following sub-folder's, of which only the first is read.
constexpr std::int64_t kAfterSubfolderPage = 16;
constexpr std::size_t kMissingBatch = 1000;

KnownItem ReadKnownItem(const SqlRow& row, Id primary) {
    KnownItem known;
    known.id = row.Int(0);
    known.path = row.Text(1);
    known.source_id = row.IsNull(2) ? primary : row.Int(2);
    known.size_bytes = row.Int(3);
    known.missing = row.Text(4) == ItemStateName(ItemState::kMissing);
    return known;
}

}  // namespace

Result<Datasource> SqlRepository::InsertDatasource(SqlConn& conn, Id project_id,
                                                   const Datasource& source, TimeMs now) {
    const SqlDialect dialect = db().dialect();
    Datasource stored = source;
    stored.created_at = now;
    if (stored.config_json.empty()) {
        stored.config_json = "{}";
    }
    TESSERA_ASSIGN_OR_RETURN(
        stored.id,
        QueryInt(conn,
                 "INSERT INTO datasources (project_id, kind, path, pattern, config_json, secret, "
                 "created_at) VALUES ($1, $2, $3, $4, $5, " +
                     BytesParam(dialect, 6) + ", $7) RETURNING id",
                 {project_id, stored.kind, stored.path, stored.pattern, stored.config_json,
                  BytesValue(dialect, stored.secret), now}));
    return stored;
}

Result<Id> SqlRepository::PrimarySourceId(SqlConn& conn, Id project_id) {
    return QueryInt(conn, "SELECT COALESCE(MIN(id), 0) FROM datasources WHERE project_id = $1",
                    {project_id});
}

Status SqlRepository::FillPrimaryDatasources(SqlConn& conn, std::vector<Project>& projects) {
    if (projects.empty()) {
        return Status::Ok();
    }
    const SqlDialect dialect = db().dialect();
    // One query for all of them: a project list is a few hundred rows at most.
    std::string sql = "SELECT project_id, " + DatasourceColumns(dialect) +
                      " FROM datasources WHERE id IN (SELECT MIN(id) FROM datasources";
    SqlParams params;
    if (projects.size() == 1) {
        sql += " WHERE project_id = $1";
        params.emplace_back(projects[0].id);
    }
    sql += " GROUP BY project_id)";
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(sql, params));
    std::map<Id, Datasource> primary;
    for (const SqlRow& row : rows) {
        primary.emplace(row.Int(0), ReadDatasource(row, dialect, 1));
    }
    for (Project& project : projects) {
        auto found = primary.find(project.id);
        if (found != primary.end()) {
            project.datasource = found->second;
        }
    }
    return Status::Ok();
}

Result<Datasource> SqlRepository::AddDatasource(Id project_id, const Datasource& source) {
    return WriteTx<Datasource>([&](SqlConn& conn) -> Result<Datasource> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        return InsertDatasource(conn, project_id, source, source.created_at);
    });
}

Result<std::vector<Datasource>> SqlRepository::ListDatasources(Id project_id) {
    return ReadTx<std::vector<Datasource>>([&](SqlConn& conn) -> Result<std::vector<Datasource>> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        const SqlDialect dialect = db().dialect();
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                 conn.Query("SELECT " + DatasourceColumns(dialect) +
                                                " FROM datasources WHERE project_id = $1 "
                                                "ORDER BY id",
                                            {project_id}));
        std::vector<Datasource> out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            out.push_back(ReadDatasource(row, dialect));
        }
        return out;
    });
}

Result<std::vector<FolderStamp>> SqlRepository::ListFolderStamps(Id datasource_id) {
    return ReadTx<std::vector<FolderStamp>>([&](SqlConn& conn) -> Result<std::vector<FolderStamp>> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows, conn.Query("SELECT path, mtime_ns, ctime_ns FROM datasource_folders "
                                     "WHERE datasource_id = $1 ORDER BY path",
                                     {datasource_id}));
        std::vector<FolderStamp> out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            out.push_back({row.Text(0), row.Int(1), row.Int(2)});
        }
        return out;
    });
}

Status SqlRepository::ReplaceFolderStamps(Id datasource_id,
                                          const std::vector<FolderStamp>& stamps) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(
            conn.Exec("DELETE FROM datasource_folders WHERE datasource_id = $1", {datasource_id}));
        for (const FolderStamp& stamp : stamps) {
            TESSERA_TRY(conn.Exec(
                "INSERT INTO datasource_folders (datasource_id, path, mtime_ns, ctime_ns) VALUES "
                "($1, $2, $3, $4)",
                {datasource_id, stamp.path, stamp.mtime_ns, stamp.ctime_ns}));
        }
        return Status::Ok();
    });
}

Result<SqlRows> SqlRepository::KnownItemsPage(SqlConn& conn, Id project_id,
                                              const std::string& condition, const SqlParams& params,
                                              Id& primary) {
    TESSERA_TRY(RequireLiveProject(conn, project_id));
    TESSERA_ASSIGN_OR_RETURN(primary, PrimarySourceId(conn, project_id));
    return conn.Query(
        "SELECT id, path, source_id, size_bytes, state FROM items WHERE project_id = $1 AND " +
            condition,
        params);
}

Status SqlRepository::ForEachKnownItem(Id project_id,
                                       const std::function<bool(const KnownItem&)>& callback) {
    Id after = 0;
    while (true) {
        // A page per read transaction: a refresh of millions of items holds no snapshot (and
        // no SQLite read lock) for the whole listing.
        Id primary = 0;
        Result<SqlRows> page = ReadTx<SqlRows>([&](SqlConn& conn) {
            return KnownItemsPage(conn, project_id, "id > $2 ORDER BY id LIMIT $3",
                                  {project_id, after, kKnownPage}, primary);
        });
        if (!page.ok()) {
            return page.error();
        }
        for (const SqlRow& row : *page) {
            if (!callback(ReadKnownItem(row, primary))) {
                return Status::Ok();
            }
        }
        if (page->size() < static_cast<std::size_t>(kKnownPage)) {
            return Status::Ok();
        }
        after = page->back().Int(0);
    }
}

Result<bool> SqlRepository::CanListKnownItemsByFolder() {
    if (db().dialect() == SqlDialect::kSqlite) {
        return true;  // BINARY: byte order
    }
    return ReadTx<bool>([&](SqlConn& conn) -> Result<bool> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT 1 FROM pg_database WHERE datname = current_database() AND "
                       "datlocprovider = 'c' AND datcollate IN ('C', 'POSIX', 'C.UTF-8', 'C.utf8')",
                       {}));
        return !rows.empty();
    });
}

Status SqlRepository::ForEachKnownItemInFolder(
    Id project_id, const std::string& folder,
    const std::function<bool(const KnownItem&)>& callback) {
    TESSERA_ASSIGN_OR_RETURN(bool byte_order, CanListKnownItemsByFolder());
    if (!byte_order) {
        return Error::FailedPrecondition("item paths do not sort byte by byte in this database");
    }
    // In byte order the paths under "a/b/" lie before "a/b0" ('0' follows '/'). A sub-folder's
    // paths are passed over by starting again after them, at "a/b/c0".
    const std::string prefix = folder.empty() ? "" : folder + "/";
    const std::string end = folder.empty() ? "" : folder + "0";
    std::string from = prefix;
    bool from_included = true;
    std::int64_t limit = kKnownPage;
    while (true) {
        Id primary = 0;
        Result<SqlRows> page = ReadTx<SqlRows>([&](SqlConn& conn) {
            return KnownItemsPage(conn, project_id,
                                  "path " + std::string(from_included ? ">=" : ">") + " $2" +
                                      (folder.empty() ? " AND $3 = ''" : " AND path < $3") +
                                      " ORDER BY path LIMIT $4",
                                  {project_id, from, end, limit}, primary);
        });
        if (!page.ok()) {
            return page.error();
        }
        bool passed_subfolder = false;
        for (const SqlRow& row : *page) {
            std::string path = row.Text(1);
            const auto slash = path.find('/', prefix.size());
            if (slash != std::string::npos) {
                from = path.substr(0, slash) + "0";
                from_included = true;
                passed_subfolder = true;
                break;
            }
            if (!callback(ReadKnownItem(row, primary))) {
                return Status::Ok();
            }
            from = std::move(path);
            from_included = false;
        }
        if (!passed_subfolder && page->size() < static_cast<std::size_t>(limit)) {
            return Status::Ok();
        }
        limit = passed_subfolder ? kAfterSubfolderPage : kKnownPage;
    }
}

Result<std::int64_t> SqlRepository::SetItemsMissing(Id project_id, const std::vector<Id>& item_ids,
                                                    bool missing) {
    // Missing items leave the queue and lose their lease; items coming back may rank before the
    // queue front LeaseNext remembers (as in InsertItems).
    const std::string set_clause =
        missing ? "SET missing_from = state, state = 'missing'"
                : "SET state = COALESCE(missing_from, 'unlabeled'), missing_from = NULL";
    const std::string condition = missing ? " AND state <> 'missing'" : " AND state = 'missing'";
    ForgetQueueHint(project_id);
    Result<std::int64_t> changed =
        WriteTx<std::int64_t>([&](SqlConn& conn) -> Result<std::int64_t> {
            TESSERA_TRY(RequireLiveProject(conn, project_id));
            std::int64_t n = 0;
            if (db().dialect() == SqlDialect::kSqlite) {
                for (Id id : item_ids) {
                    TESSERA_ASSIGN_OR_RETURN(
                        std::int64_t one,
                        conn.Exec("UPDATE items " + set_clause +
                                      " WHERE project_id = $1 AND id = $2" + condition,
                                  {project_id, id}));
                    if (missing && one > 0) {
                        TESSERA_TRY(
                            conn.Exec("DELETE FROM leases WHERE item_id = $2 AND project_id = $1",
                                      {project_id, id}));
                    }
                    n += one;
                }
                return n;
            }
            for (std::size_t begin = 0; begin < item_ids.size(); begin += kMissingBatch) {
                const std::size_t end = std::min(item_ids.size(), begin + kMissingBatch);
                std::vector<std::int64_t> batch(
                    item_ids.begin() + static_cast<std::ptrdiff_t>(begin),
                    item_ids.begin() + static_cast<std::ptrdiff_t>(end));
                TESSERA_ASSIGN_OR_RETURN(
                    std::int64_t some,
                    conn.Exec("UPDATE items " + set_clause +
                                  " WHERE project_id = $1 AND id = ANY($2::bigint[])" + condition,
                              {project_id, PgIntArray(batch)}));
                if (missing && some > 0) {
                    TESSERA_TRY(conn.Exec(
                        "DELETE FROM leases WHERE project_id = $1 AND item_id = ANY($2::bigint[])",
                        {project_id, PgIntArray(batch)}));
                }
                n += some;
            }
            return n;
        });
    ForgetQueueHint(project_id);
    return changed;
}

Result<Id> SqlRepository::UpdateItemImage(Id project_id, const NewItem& image) {
    ForgetQueueHint(project_id);  // a restored item may rank before the queue front
    return WriteTx<Id>([&](SqlConn& conn) -> Result<Id> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("UPDATE items SET size_bytes = $3, width = $4, height = $5, format = $6, "
                       "state = CASE WHEN state = 'missing' THEN COALESCE(missing_from, "
                       "'unlabeled') ELSE state END, missing_from = NULL WHERE project_id = $1 "
                       "AND path = $2 RETURNING id",
                       {project_id, image.path, image.size_bytes, std::int64_t{image.width},
                        std::int64_t{image.height}, image.format}));
        if (rows.empty()) {
            return Error::NotFound("no item at " + image.path);
        }
        return rows[0].Int(0);
    });
}

}  // namespace tessera
