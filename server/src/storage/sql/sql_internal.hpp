#pragma once
// Helpers shared by the sql_repository_*.cpp files. Not part of the storage surface.
#include <string>

#include "storage/sql/sql_conn.hpp"

namespace tessera::sql_internal {

// kNotFound unless the project exists and is not deleted. `lock` takes a shared row lock on
// PostgreSQL so a concurrent DeleteProject waits for this transaction.
Status RequireLiveProject(SqlConn& conn, std::int64_t project_id);

// The value of the one row and column a statement returns, e.g. `RETURNING id`.
Result<std::int64_t> QueryInt(SqlConn& conn, const std::string& sql, const SqlParams& params);

// Replaces a driver's generic message on kConflict with one naming what clashed.
Error ConflictAs(const Error& error, const std::string& message);

// An upsert adding $3 to the dashboard counter `table` (label_counts keyed by label,
// item_counts by state) of project $1 and key $2. On PostgreSQL it writes this backend's shard
// (migrations/postgres/0004: concurrent submits queued on one row's lock); SQLite keeps one row
// per counter. Readers sum the rows.
std::string AddToCounterSql(SqlDialect dialect, const std::string& table, const std::string& key);

// Part of a transaction that replaces or deletes answers: copies the annotations `where` selects
// ($1 and $2 in it are `params`' first two; more may follow) into annotation_history, replaced
// by `actor` (0: not known) at `at` for `reason` ("edited", "imported", "restarted").
Status KeepReplacedVersions(SqlConn& conn, const std::string& where, const SqlParams& params,
                            std::int64_t actor, std::int64_t at, const char* reason);

}  // namespace tessera::sql_internal
