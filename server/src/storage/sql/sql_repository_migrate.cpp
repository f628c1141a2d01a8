// Schema migrations and the shared helpers.
#include "base/log.hpp"
#include "storage/migrations/migrations.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {
namespace sql_internal {

Status RequireLiveProject(SqlConn& conn, std::int64_t project_id) {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        conn.Query("SELECT 1 FROM projects WHERE id = $1 AND deleted_at IS NULL", {project_id}));
    if (rows.empty()) {
        return Error::NotFound("project not found");
    }
    return Status::Ok();
}

Result<std::int64_t> QueryInt(SqlConn& conn, const std::string& sql, const SqlParams& params) {
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(sql, params));
    if (rows.empty()) {
        return Error::Internal("storage: statement returned no row");
    }
    return rows[0].Int(0);
}

Error ConflictAs(const Error& error, const std::string& message) {
    if (error.code == ErrorCode::kConflict) {
        return Error::Conflict(message);
    }
    return error;
}

std::string AddToCounterSql(SqlDialect dialect, const std::string& table, const std::string& key) {
    const bool sharded = dialect == SqlDialect::kPostgres;
    return "INSERT INTO " + table + " (project_id, " + key + (sharded ? ", shard" : "") +
           ", n) VALUES ($1, $2" + (sharded ? ", counter_shard()" : "") +
           ", $3) ON CONFLICT (project_id, " + key + (sharded ? ", shard" : "") +
           ") DO UPDATE SET n = " + table + ".n + excluded.n";
}

}  // namespace sql_internal

namespace {

// Serializes concurrent migrators across processes (PostgreSQL; SQLite's BEGIN IMMEDIATE
// already does).
constexpr std::int64_t kMigrationLockKey = 0x7e55e7a;

}  // namespace

Result<int> SqlRepository::Migrate() {
    const bool postgres = db().dialect() == SqlDialect::kPostgres;
    const std::vector<Migration>& migrations = postgres ? PostgresMigrations() : SqliteMigrations();
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    const std::string now_ms = postgres
                                   ? "(extract(epoch from clock_timestamp()) * 1000)::bigint"
                                   : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    return WriteTx<int>([&](SqlConn& conn) -> Result<int> {
        if (postgres) {
            TESSERA_TRY(conn.Query("SELECT pg_advisory_xact_lock($1)", {kMigrationLockKey}));
        }
        TESSERA_TRY(conn.ExecScript(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "applied_at BIGINT NOT NULL)"));
        TESSERA_ASSIGN_OR_RETURN(
            std::int64_t current,
            sql_internal::QueryInt(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                                   {}));
        if (current > latest) {
            return Error::FailedPrecondition("database schema version " + std::to_string(current) +
                                             " is newer than this binary supports (" +
                                             std::to_string(latest) + "); upgrade Tessera");
        }
        for (const Migration& m : migrations) {
            if (m.version <= current) {
                continue;
            }
            TESSERA_TRY(conn.ExecScript(m.sql));
            TESSERA_TRY(conn.Exec(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, " + now_ms + ")",
                {std::int64_t{m.version}}));
            log::Info("applied schema migration", {{"name", std::string(m.name)}});
        }
        name_index_.store(-1);
        TESSERA_TRY(HasNameIndex(conn));  // logs at start when name search has no index
        return latest;
    });
}

Status SqlRepository::ExecForTest(const std::string& sql) {
    return db().Write([&](SqlConn& conn) { return conn.ExecScript(sql); });
}

std::string SqlRepository::SkipLocked() const {
    return db_->dialect() == SqlDialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
}

}  // namespace tessera
