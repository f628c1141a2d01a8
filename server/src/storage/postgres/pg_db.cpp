#include "storage/postgres/pg_db.hpp"

#include <algorithm>

#include "storage/postgres/pg_conn.hpp"

namespace tessera {
namespace {

constexpr int kMaxAttempts = 5;

bool Retryable(const std::string& sqlstate) {
    return sqlstate == "40001" || sqlstate == "40P01";
}

}  // namespace

Result<std::unique_ptr<PgDb>> PgDb::Open(const std::string& conninfo, int pool_size) {
    std::unique_ptr<PgDb> db(new PgDb());
    for (int i = 0; i < std::max(1, pool_size); ++i) {
        TESSERA_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(conninfo));
        db->idle_.push_back(std::move(conn));
    }
    db->pool_size_ = static_cast<int>(db->idle_.size());
    return db;
}

PoolStats PgDb::Stats() {
    std::lock_guard<std::mutex> lock(mu_);
    PoolStats stats;
    stats.connections = pool_size_;
    stats.idle = static_cast<int>(idle_.size());
    stats.in_use = pool_size_ - stats.idle;
    stats.waiting = static_cast<int>(read_waiters_.size() + write_waiters_.size());
    return stats;
}

PgDb::~PgDb() = default;

std::unique_ptr<PgConn> PgDb::Take(bool read) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!idle_.empty() && read_waiters_.empty() && write_waiters_.empty()) {
        std::unique_ptr<PgConn> conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
    }
    Waiter self;
    (read ? read_waiters_ : write_waiters_).push_back(&self);
    self.cv.wait(lock, [&] { return self.conn != nullptr; });
    return std::move(self.conn);
}

void PgDb::Return(std::unique_ptr<PgConn> conn) {
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<Waiter*>& line = read_waiters_.empty() ? write_waiters_ : read_waiters_;
    if (line.empty()) {
        idle_.push_back(std::move(conn));
        return;
    }
    Waiter* next = line.front();
    line.pop_front();
    next->conn = std::move(conn);
    // Under mu_: `next` lives on the waiter's stack and goes away once it sees its connection.
    next->cv.notify_one();
}

Status PgDb::RunTransaction(const char* begin, bool read, const SqlWork& work) {
    std::unique_ptr<PgConn> conn = Take(read);
    Status status;
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
        if (!conn->EnsureConnected()) {
            status = Error::Unavailable("PostgreSQL connection lost");
            break;
        }
        conn->BeginDeferred(begin);
        status = RunGuarded(work, *conn);
        std::string failed_state = conn->last_sqlstate();
        if (status.ok()) {
            status = conn->Commit();
            failed_state = conn->last_sqlstate();
        }
        if (!status.ok()) {
            conn->Rollback();
        }
        if (status.ok() || !Retryable(failed_state)) {
            break;
        }
    }
    Return(std::move(conn));
    return status;
}

Status PgDb::Write(const SqlWork& work) {
    return RunTransaction("BEGIN", /*read=*/false, work);
}

Status PgDb::Read(const SqlWork& work) {
    // REPEATABLE READ: the queries of one read (counters + live leases) see one snapshot.
    return RunTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", /*read=*/true, work);
}

}  // namespace tessera
