#pragma once
// SqlDb over SQLite: one writer connection serialized by a mutex (writes use BEGIN IMMEDIATE so
// other processes, e.g. a `tessera worker`, queue on busy_timeout instead of failing mid-way)
// plus a pool of reader connections that run concurrently thanks to WAL.
//
// ":memory:" gets a single connection for everything: each in-memory connection would otherwise
// be a separate, empty database.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/sql/sql_conn.hpp"
#include "storage/sqlite/fair_mutex.hpp"

struct sqlite3;

namespace tessera {

class SqliteConn;

class SqliteDb final : public SqlDb {
public:
    static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, int readers);
    ~SqliteDb() override;

    SqlDialect dialect() const override { return SqlDialect::kSqlite; }
    Status Write(const SqlWork& work) override;
    Status Read(const SqlWork& work) override;

private:
    SqliteDb() = default;
    std::unique_ptr<SqliteConn> TakeReader();
    void ReturnReader(std::unique_ptr<SqliteConn> conn);

    FairMutex write_mu_;
    std::unique_ptr<SqliteConn> writer_;  // guarded by write_mu_

    std::mutex pool_mu_;
    std::condition_variable pool_cv_;
    std::vector<std::unique_ptr<SqliteConn>> readers_;  // idle readers; guarded by pool_mu_
    bool has_readers_ = false;
};

}  // namespace tessera
