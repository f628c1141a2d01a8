#pragma once
// One SQLite connection with its prepared-statement cache.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/sql/sql_conn.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tessera {

class SqliteConn final : public SqlConn {
public:
    // Opens and configures (WAL, foreign keys, busy timeout, synchronous=NORMAL).
    static Result<std::unique_ptr<SqliteConn>> Open(const std::string& path, bool read_only);
    ~SqliteConn() override;
    SqliteConn(const SqliteConn&) = delete;
    SqliteConn& operator=(const SqliteConn&) = delete;

    Result<SqlRows> Query(const std::string& sql, const SqlParams& params) override;
    Result<std::int64_t> Exec(const std::string& sql, const SqlParams& params) override;
    Status ExecScript(std::string_view sql) override;

    // False once a transaction has ended, including when SQLite rolled it back by itself after
    // an I/O, disk-full, busy or out-of-memory error (SqliteDb checks this inside a batch).
    bool InTransaction() const;
    // The raw handle, for the WAL hook and checkpoints in SqliteDb.
    sqlite3* handle() const { return db_; }

private:
    struct Prepared {
        sqlite3_stmt* stmt = nullptr;
        std::vector<int> param_of_slot;  // SQLite slot i+1 binds params[param_of_slot[i]]
    };

    explicit SqliteConn(sqlite3* db) : db_(db) {}
    Result<Prepared*> Prepare(const std::string& sql);
    Status Bind(const Prepared& p, const SqlParams& params);
    // Steps to completion, collecting rows when `rows` is not null.
    Status Run(const std::string& sql, const SqlParams& params, SqlRows* rows);
    Error LastError(int rc, std::string_view what) const;

    sqlite3* db_;
    std::unordered_map<std::string, Prepared> cache_;
};

}  // namespace tessera
