#include "storage/sqlite/sqlite_db.hpp"

#include "storage/sqlite/sqlite_conn.hpp"

namespace tessera {
namespace {

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
    return db;
}

SqliteDb::~SqliteDb() = default;

Status SqliteDb::Write(const SqlWork& work) {
    std::lock_guard<FairMutex> lock(write_mu_);
    return InTransaction(*writer_, "BEGIN IMMEDIATE", work);
}

Status SqliteDb::Read(const SqlWork& work) {
    if (!has_readers_) {
        std::lock_guard<FairMutex> lock(write_mu_);
        return InTransaction(*writer_, "BEGIN", work);
    }
    std::unique_ptr<SqliteConn> reader = TakeReader();
    Status status = InTransaction(*reader, "BEGIN", work);
    ReturnReader(std::move(reader));
    return status;
}

std::unique_ptr<SqliteConn> SqliteDb::TakeReader() {
    std::unique_lock<std::mutex> lock(pool_mu_);
    pool_cv_.wait(lock, [this] { return !readers_.empty(); });
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
