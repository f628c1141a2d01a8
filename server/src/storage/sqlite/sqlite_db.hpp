#pragma once
// SqlDb over SQLite: one writer connection plus a pool of reader connections that run
// concurrently thanks to WAL.
//
// Writes are group-committed: callers queue in arrival order (FIFO, so no labeler starves),
// and whoever reaches the front runs every queued write in one BEGIN IMMEDIATE ... COMMIT,
// each inside its own SAVEPOINT. A write that fails rolls back to its savepoint and fails
// alone; the others commit together, and nobody is told "ok" before that COMMIT is done. The
// pages every submit touches (counters, the queue front, the newest annotations) are written to
// the WAL once per batch instead of once per write. BEGIN IMMEDIATE makes another process (a
// `tessera worker`) queue on busy_timeout instead of failing halfway through.
//
// Checkpoints run on a background thread with its own connection (PASSIVE, so they never
// block the writer), started when the WAL passes kCheckpointPages. The writer itself only
// checkpoints if the WAL grows past a much larger bound (the background thread fell behind).
//
// ":memory:" gets a single connection for everything: each in-memory connection would otherwise
// be a separate, empty database. Reads then queue with the writes.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/sql/sql_conn.hpp"

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
    PoolStats Stats() override;

private:
    struct Pending;

    SqliteDb() = default;
    std::unique_ptr<SqliteConn> TakeReader();
    void ReturnReader(std::unique_ptr<SqliteConn> conn);
    // Runs `batch` on the writer in one transaction; sets each entry's status.
    void RunBatch(const std::vector<Pending*>& batch);
    static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);
    void CheckpointLoop();

    // The write queue. The entry at the front runs the next batch (the "leader").
    std::mutex queue_mu_;
    std::deque<Pending*> queue_;          // guarded by queue_mu_
    bool leader_active_ = false;          // guarded by queue_mu_
    std::unique_ptr<SqliteConn> writer_;  // used only by the leader

    std::mutex pool_mu_;
    std::condition_variable pool_cv_;
    std::vector<std::unique_ptr<SqliteConn>> readers_;  // idle readers; guarded by pool_mu_
    int reader_count_ = 0;
    int reader_waiters_ = 0;  // guarded by pool_mu_
    bool has_readers_ = false;

    // Background checkpoints (file databases only).
    std::unique_ptr<SqliteConn> checkpointer_;
    std::mutex ckpt_mu_;
    std::condition_variable ckpt_cv_;
    bool ckpt_wanted_ = false;  // guarded by ckpt_mu_
    bool ckpt_stop_ = false;    // guarded by ckpt_mu_
    std::thread ckpt_thread_;
};

}  // namespace tessera
