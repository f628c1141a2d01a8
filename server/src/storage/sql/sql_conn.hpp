#pragma once
// The small driver seam under SqlRepository: a connection that runs parameterized statements
// and a database that hands out connections inside transactions. storage/sqlite and
// storage/postgres implement it; everything above is written once.
//
// Statements use PostgreSQL-style placeholders $1..$n in both dialects (SQLite accepts them as
// named parameters). Values are never spliced into SQL text.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "storage/pool_stats.hpp"

namespace tessera {

enum class SqlDialect { kSqlite, kPostgres };

// NULL, integer, real or text. PostgreSQL hands back text; the accessors convert.
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string>;
using SqlParams = std::vector<SqlValue>;

class SqlRow {
public:
    explicit SqlRow(std::vector<SqlValue> cells) : cells_(std::move(cells)) {}
    bool IsNull(std::size_t i) const;
    std::int64_t Int(std::size_t i) const;  // 0 for NULL
    double Real(std::size_t i) const;       // 0 for NULL
    std::string Text(std::size_t i) const;  // "" for NULL
    std::optional<std::int64_t> OptInt(std::size_t i) const;
    std::optional<double> OptReal(std::size_t i) const;
    std::size_t size() const { return cells_.size(); }

private:
    std::vector<SqlValue> cells_;
};

using SqlRows = std::vector<SqlRow>;

// One connection. Not thread-safe: SqlDb hands it to one caller at a time.
class SqlConn {
public:
    virtual ~SqlConn() = default;
    // Runs one statement (prepared once per connection and cached) and returns its rows.
    virtual Result<SqlRows> Query(const std::string& sql, const SqlParams& params) = 0;
    // Runs one statement and returns the number of rows it changed.
    virtual Result<std::int64_t> Exec(const std::string& sql, const SqlParams& params) = 0;
    // Runs a multi-statement script without parameters (migrations only).
    virtual Status ExecScript(std::string_view sql) = 0;
    // Query() for the last statement of a write transaction: a driver may commit together with
    // it (PostgreSQL sends statement and COMMIT in one round trip, so the row locks it took are
    // released without waiting for the client). A failed commit fails the statement. Anything
    // the work runs afterwards commits on its own; the work then returns ok.
    virtual Result<SqlRows> QueryAndCommit(const std::string& sql, const SqlParams& params) {
        return Query(sql, params);
    }
};

using SqlWork = std::function<Status(SqlConn&)>;

// Errors from the drivers: unique violations are kConflict, a busy/unreachable database is
// kUnavailable, anything else kInternal.
class SqlDb {
public:
    virtual ~SqlDb() = default;
    virtual SqlDialect dialect() const = 0;
    // Runs `work` in a read-write transaction; commits when it returns ok, else rolls back.
    // May run `work` again after a serialization failure, so `work` must not have side effects
    // outside the connection other than overwriting its own outputs.
    virtual Status Write(const SqlWork& work) = 0;
    // Runs `work` in a read-only transaction (one consistent snapshot).
    virtual Status Read(const SqlWork& work) = 0;
    // A snapshot of the connection pool; takes the pool's lock briefly, runs no query.
    virtual PoolStats Stats() = 0;
};

// Runs `work` and turns any escaping exception into kInternal (the module edge).
Status RunGuarded(const SqlWork& work, SqlConn& conn);

}  // namespace tessera
