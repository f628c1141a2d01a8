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

}  // namespace tessera::sql_internal
