#pragma once
// SqlDb over PostgreSQL: a fixed pool of libpq connections. Write transactions that fail with a
// serialization failure or deadlock (SQLSTATE 40001/40P01) are retried a few times. BEGIN goes
// out in one pipeline with a transaction's first statement (PgConn::BeginDeferred), so a
// one-statement transaction costs two round trips, not three.
//
// The pool is FIFO: a returned connection goes straight to the thread that has waited longest.
// With a plain mutex + condition variable, a thread that returns a connection and asks for the
// next one at once usually wins it back, and with 50 labelers on an 8-connection pool a few of
// them waited hundreds of milliseconds. Read transactions wait in a line of their own that is
// served first: they are short and mostly someone watching a screen (the owner's dashboard
// polls, the labeler's image requests), and over HTTP with 50 labelers submitting they queued
// behind the writes (progress p50 ~40 ms).
#include <condition_variable>
#include <deque>
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
    PoolStats Stats() override;

private:
    PgDb() = default;
    Status RunTransaction(const char* begin, bool read, const SqlWork& work);
    std::unique_ptr<PgConn> Take(bool read);
    void Return(std::unique_ptr<PgConn> conn);

    struct Waiter {
        std::condition_variable cv;
        std::unique_ptr<PgConn> conn;  // handed over by Return(); guarded by mu_
    };

    int pool_size_ = 0;
    std::mutex mu_;
    std::vector<std::unique_ptr<PgConn>> idle_;  // guarded by mu_
    std::deque<Waiter*> read_waiters_;           // guarded by mu_; arrival order, served first
    std::deque<Waiter*> write_waiters_;          // guarded by mu_; arrival order
};

}  // namespace tessera
