#pragma once
// SqlDb over PostgreSQL: a fixed pool of libpq connections. Write transactions that fail with a
// serialization failure or deadlock (SQLSTATE 40001/40P01) are retried a few times.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/sql/sql_conn.hpp"

namespace tessera {

class PgConn;

class PgDb final : public SqlDb {
public:
    static Result<std::unique_ptr<PgDb>> Open(const std::string& conninfo, int pool_size);
    ~PgDb() override;

    SqlDialect dialect() const override { return SqlDialect::kPostgres; }
    Status Write(const SqlWork& work) override;
    Status Read(const SqlWork& work) override;

private:
    PgDb() = default;
    Status RunTransaction(const char* begin, const SqlWork& work);
    std::unique_ptr<PgConn> Take();
    void Return(std::unique_ptr<PgConn> conn);

    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<PgConn>> idle_;  // guarded by mu_
};

}  // namespace tessera
