#pragma once
// One libpq connection with its cache of server-side prepared statements.
#include <memory>
#include <string>
#include <unordered_map>

#include "storage/sql/sql_conn.hpp"

struct pg_conn;
struct pg_result;

namespace tessera {

class PgConn final : public SqlConn {
public:
    static Result<std::unique_ptr<PgConn>> Connect(const std::string& conninfo);
    ~PgConn() override;
    PgConn(const PgConn&) = delete;
    PgConn& operator=(const PgConn&) = delete;

    Result<SqlRows> Query(const std::string& sql, const SqlParams& params) override;
    Result<std::int64_t> Exec(const std::string& sql, const SqlParams& params) override;
    Status ExecScript(std::string_view sql) override;
    Result<SqlRows> QueryAndCommit(const std::string& sql, const SqlParams& params) override;

    // Opens a transaction with `begin_sql` ("BEGIN ..."), but sends it together with the first
    // statement that follows, in one libpq pipeline: one round trip fewer per transaction. A
    // transaction that runs no statement never reaches the server.
    void BeginDeferred(std::string begin_sql);
    // COMMIT, or nothing when the BEGIN was never sent or QueryAndCommit already committed.
    // kInternal when a statement failed and the work still returned ok.
    Status Commit();
    // ROLLBACK when the server has a transaction open (or failed) on this connection.
    void Rollback();

    // SQLSTATE of the last failed statement ("" after success): lets the pool retry
    // serialization failures and deadlocks.
    const std::string& last_sqlstate() const { return last_sqlstate_; }
    // Reconnects when the server dropped the connection or a pipeline broke off halfway;
    // prepared statements are lost then.
    bool EnsureConnected();

private:
    explicit PgConn(pg_conn* conn) : conn_(conn) {}
    Status SetUpSession();
    // Runs a prepared statement, then COMMIT when `commit`. When a BEGIN is pending, the
    // statement is not prepared yet or `commit` is set, BEGIN, PREPARE, the statement and COMMIT
    // go out in one pipeline and come back in one round trip.
    Result<pg_result*> Run(const std::string& sql, const SqlParams& params, bool commit = false);
    Result<pg_result*> RunPipelined(const std::string& sql, const std::string& name, bool prepare,
                                    bool commit, const char* const* values, int n_params);
    static SqlRows ToRows(pg_result* res);
    Status SendPendingBegin();
    Error ResultError(pg_result* res, std::string_view what);

    pg_conn* conn_;
    std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
    std::string pending_begin_;                              // BEGIN not yet sent; "" when none
    std::string last_sqlstate_;
    bool broken_ = false;  // a pipeline failed midway: reconnect before the next use
};

}  // namespace tessera
