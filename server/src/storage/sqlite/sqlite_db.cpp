#include "storage/sqlite/sqlite_db.hpp"

#include <sqlite3.h>

#include "storage/sqlite/sqlite_conn.hpp"

namespace tessera {
namespace {

// Most writes one transaction groups. Bounds how long the last of a batch waits for the COMMIT
// (a submit is ~0.1 ms of statements), while 50 labelers still fit in one or two batches.
constexpr std::size_t kMaxBatch = 64;
// WAL size (pages) at which the background thread checkpoints: SQLite's default autocheckpoint.
constexpr int kCheckpointPages = 1000;
// WAL size at which the writer checkpoints inline because the background thread fell behind
// (e.g. long readers kept it from finishing). ~64 MiB with 4 KiB pages.
constexpr int kInlineCheckpointPages = 16000;

// Runs `work` between `begin` and COMMIT, rolling back when it fails.
Status InTransaction(SqliteConn& conn, const char* begin, const SqlWork& work) {
    TESSERA_TRY(conn.ExecScript(begin));
    Status status = RunGuarded(work, conn);
    if (!status.ok()) {
        (void)conn.ExecScript("ROLLBACK");
        return status;
    }
    Status commit = conn.ExecScript("COMMIT");
    if (!commit.ok()) {
        (void)conn.ExecScript("ROLLBACK");
    }
    return commit;
}

}  // namespace

// One queued write. Lives on the stack of the thread that called Write().
struct SqliteDb::Pending {
    const SqlWork* work = nullptr;
    Status status;
    bool done = false;    // guarded by queue_mu_
    bool leader = false;  // guarded by queue_mu_
    std::condition_variable cv;
};

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, int readers) {
    std::unique_ptr<SqliteDb> db(new SqliteDb());
    TESSERA_ASSIGN_OR_RETURN(db->writer_, SqliteConn::Open(path, /*read_only=*/false));
    const bool in_memory =
        path == ":memory:" || path.empty() || path.find("mode=memory") != std::string::npos;
    if (in_memory) {
        return db;
    }
    for (int i = 0; i < readers; ++i) {
        TESSERA_ASSIGN_OR_RETURN(auto reader, SqliteConn::Open(path, /*read_only=*/true));
        db->readers_.push_back(std::move(reader));
    }
    db->has_readers_ = !db->readers_.empty();
    db->reader_count_ = static_cast<int>(db->readers_.size());
    TESSERA_ASSIGN_OR_RETURN(db->checkpointer_, SqliteConn::Open(path, /*read_only=*/false));
    // Replaces SQLite's own autocheckpoint on the writer (sqlite3_wal_autocheckpoint is a WAL
    // hook too); the checkpointer connection never writes, so it never autocheckpoints.
    sqlite3_wal_hook(db->writer_->handle(), &SqliteDb::OnWalCommit, db.get());
    db->ckpt_thread_ = std::thread([raw = db.get()] { raw->CheckpointLoop(); });
    return db;
}

SqliteDb::~SqliteDb() {
    if (ckpt_thread_.joinable()) {
        {
            std::lock_guard<std::mutex> lock(ckpt_mu_);
            ckpt_stop_ = true;
        }
        ckpt_cv_.notify_one();
        ckpt_thread_.join();
    }
}

int SqliteDb::OnWalCommit(void* self, sqlite3* db, const char* name, int pages) {
    auto* me = static_cast<SqliteDb*>(self);
    if (pages >= kInlineCheckpointPages) {
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kCheckpointPages) {
        {
            std::lock_guard<std::mutex> lock(me->ckpt_mu_);
            me->ckpt_wanted_ = true;
        }
        me->ckpt_cv_.notify_one();
    }
    return SQLITE_OK;
}

void SqliteDb::CheckpointLoop() {
    std::unique_lock<std::mutex> lock(ckpt_mu_);
    while (true) {
        ckpt_cv_.wait(lock, [this] { return ckpt_wanted_ || ckpt_stop_; });
        if (ckpt_stop_) {
            return;
        }
        ckpt_wanted_ = false;
        lock.unlock();
        // PASSIVE: copies what it can without waiting on the writer or readers; the WAL then
        // restarts from its beginning at a later write once every frame is copied.
        sqlite3_wal_checkpoint_v2(checkpointer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                  nullptr, nullptr);
        lock.lock();
    }
}

void SqliteDb::RunBatch(const std::vector<Pending*>& batch) {
    SqliteConn& conn = *writer_;
    if (batch.size() == 1) {
        batch[0]->status = InTransaction(conn, "BEGIN IMMEDIATE", *batch[0]->work);
        return;
    }
    Status begin = conn.ExecScript("BEGIN IMMEDIATE");
    if (!begin.ok()) {
        for (Pending* p : batch) {
            p->status = begin;
        }
        return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        Pending* p = batch[i];
        Status status;
        if (auto savepoint = conn.Exec("SAVEPOINT tessera_write", {}); !savepoint.ok()) {
            status = savepoint.error();
        } else {
            status = RunGuarded(*p->work, conn);
        }
        if (!conn.InTransaction()) {
            // SQLite rolled the whole transaction back (I/O error, disk full, ...): the writes
            // before this one are lost too. Fail them, and run the rest in a new transaction.
            Status lost =
                status.ok() ? Error::Unavailable("sqlite: transaction rolled back") : status;
            for (std::size_t j = 0; j <= i; ++j) {
                batch[j]->status = j == i ? status : lost;
                if (batch[j]->status.ok()) {
                    batch[j]->status = lost;
                }
            }
            std::vector<Pending*> rest(batch.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                       batch.end());
            if (!rest.empty()) {
                RunBatch(rest);
            }
            return;
        }
        if (!status.ok()) {
            (void)conn.Exec("ROLLBACK TO tessera_write", {});
        }
        (void)conn.Exec("RELEASE tessera_write", {});
        p->status = status;
    }
    Status commit = conn.ExecScript("COMMIT");
    if (!commit.ok()) {
        (void)conn.ExecScript("ROLLBACK");
        for (Pending* p : batch) {
            if (p->status.ok()) {
                p->status = commit;
            }
        }
    }
}

Status SqliteDb::Write(const SqlWork& work) {
    Pending self;
    self.work = &work;
    std::unique_lock<std::mutex> lock(queue_mu_);
    queue_.push_back(&self);
    if (!leader_active_) {
        leader_active_ = true;
        self.leader = true;
    }
    self.cv.wait(lock, [&] { return self.done || self.leader; });
    if (self.done) {
        return self.status;
    }
    // We lead, and are at the front of the queue: take everyone queued so far, in order.
    std::vector<Pending*> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
    }
    lock.unlock();
    RunBatch(batch);
    lock.lock();
    // Notified under queue_mu_: each Pending lives on its waiter's stack and is destroyed as
    // soon as that waiter sees `done`.
    for (Pending* p : batch) {
        if (p != &self) {
            p->done = true;
            p->cv.notify_one();
        }
    }
    if (queue_.empty()) {
        leader_active_ = false;
    } else {
        queue_.front()->leader = true;
        queue_.front()->cv.notify_one();
    }
    return self.status;
}

Status SqliteDb::Read(const SqlWork& work) {
    if (!has_readers_) {
        return Write(work);  // ":memory:": the one connection, in the write queue
    }
    std::unique_ptr<SqliteConn> reader = TakeReader();
    Status status = InTransaction(*reader, "BEGIN", work);
    ReturnReader(std::move(reader));
    return status;
}

PoolStats SqliteDb::Stats() {
    PoolStats stats;
    {
        std::lock_guard<std::mutex> lock(pool_mu_);
        stats.idle = static_cast<int>(readers_.size());
        stats.in_use = reader_count_ - stats.idle;
        stats.waiting = reader_waiters_;
    }
    std::lock_guard<std::mutex> lock(queue_mu_);
    stats.connections = reader_count_ + 1;  // the writer
    (leader_active_ ? stats.in_use : stats.idle) += 1;
    stats.waiting += static_cast<int>(queue_.size());
    return stats;
}

std::unique_ptr<SqliteConn> SqliteDb::TakeReader() {
    std::unique_lock<std::mutex> lock(pool_mu_);
    ++reader_waiters_;
    pool_cv_.wait(lock, [this] { return !readers_.empty(); });
    --reader_waiters_;
    std::unique_ptr<SqliteConn> conn = std::move(readers_.back());
    readers_.pop_back();
    return conn;
}

void SqliteDb::ReturnReader(std::unique_ptr<SqliteConn> conn) {
    {
        std::lock_guard<std::mutex> lock(pool_mu_);
        readers_.push_back(std::move(conn));
    }
    pool_cv_.notify_one();
}

}  // namespace tessera
