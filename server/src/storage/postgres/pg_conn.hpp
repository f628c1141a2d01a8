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

    // SQLSTATE of the last failed statement ("" after success): lets the pool retry
    // serialization failures and deadlocks.
    const std::string& last_sqlstate() const { return last_sqlstate_; }
    // Reconnects when the server dropped the connection; prepared statements are lost then.
    bool EnsureConnected();

private:
    explicit PgConn(pg_conn* conn) : conn_(conn) {}
    Result<pg_result*> Run(const std::string& sql, const SqlParams& params);
    Error ResultError(pg_result* res, std::string_view what);

    pg_conn* conn_;
    std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
    std::string last_sqlstate_;
};

}  // namespace tessera
