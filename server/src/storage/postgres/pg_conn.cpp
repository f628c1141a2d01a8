#include "storage/postgres/pg_conn.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <vector>

namespace tessera {
namespace {

struct ResultDeleter {
    void operator()(PGresult* res) const { PQclear(res); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string ParamText(const SqlValue& v, bool& is_null) {
    is_null = false;
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
        return std::to_string(*n);
    }
    if (const auto* d = std::get_if<double>(&v)) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.17g", *d);
        return buf;
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
        return *s;
    }
    is_null = true;
    return {};
}

}  // namespace

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo) {
    PGconn* raw = PQconnectdb(conninfo.c_str());
    std::unique_ptr<PgConn> conn(new PgConn(raw));
    if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
        return Error::Unavailable(std::string("cannot connect to PostgreSQL: ") +
                                  (raw ? PQerrorMessage(raw) : "out of memory"));
    }
    // Quiet NOTICEs ("relation already exists, skipping") would otherwise go to stderr.
    TESSERA_TRY(conn->ExecScript("SET client_min_messages = warning"));
    return conn;
}

PgConn::~PgConn() {
    if (conn_ != nullptr) {
        PQfinish(conn_);
    }
}

bool PgConn::EnsureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK) {
        return true;
    }
    PQreset(conn_);
    prepared_.clear();
    return PQstatus(conn_) == CONNECTION_OK && ExecScript("SET client_min_messages = warning").ok();
}

Error PgConn::ResultError(PGresult* res, std::string_view what) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    last_sqlstate_ = state ? state : "";
    std::string msg = std::string("postgres ") + std::string(what) + ": " +
                      (res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) {
        msg.pop_back();
    }
    if (last_sqlstate_ == "23505") {
        return Error::Conflict(msg);
    }
    if (last_sqlstate_ == "23503") {
        return Error::NotFound(msg);
    }
    // Class 08: connection exceptions; 57P: server shutting down; 40: retryable conflicts.
    if (last_sqlstate_.empty() || last_sqlstate_.rfind("08", 0) == 0 ||
        last_sqlstate_.rfind("57P", 0) == 0 || last_sqlstate_.rfind("40", 0) == 0) {
        return Error::Unavailable(msg);
    }
    return Error::Internal(msg);
}

Result<PGresult*> PgConn::Run(const std::string& sql, const SqlParams& params) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
        std::string name = "s" + std::to_string(prepared_.size());
        ResultPtr res(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
        if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
            return ResultError(res.get(), "prepare");
        }
        it = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        bool is_null = false;
        texts[i] = ParamText(params[i], is_null);
        values[i] = is_null ? nullptr : texts[i].c_str();
    }
    PGresult* res = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                                   values.data(), nullptr, nullptr, 0);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        ResultPtr owned(res);
        return ResultError(res, "query");
    }
    last_sqlstate_.clear();
    return res;
}

Result<SqlRows> PgConn::Query(const std::string& sql, const SqlParams& params) {
    TESSERA_ASSIGN_OR_RETURN(PGresult * raw, Run(sql, params));
    ResultPtr res(raw);
    const int n_rows = PQntuples(raw);
    const int n_cols = PQnfields(raw);
    SqlRows rows;
    rows.reserve(static_cast<std::size_t>(n_rows));
    for (int r = 0; r < n_rows; ++r) {
        std::vector<SqlValue> cells;
        cells.reserve(static_cast<std::size_t>(n_cols));
        for (int c = 0; c < n_cols; ++c) {
            if (PQgetisnull(raw, r, c)) {
                cells.emplace_back(std::monostate{});
            } else {
                cells.emplace_back(std::string(PQgetvalue(raw, r, c),
                                               static_cast<std::size_t>(PQgetlength(raw, r, c))));
            }
        }
        rows.emplace_back(std::move(cells));
    }
    return rows;
}

Result<std::int64_t> PgConn::Exec(const std::string& sql, const SqlParams& params) {
    TESSERA_ASSIGN_OR_RETURN(PGresult * raw, Run(sql, params));
    ResultPtr res(raw);
    const char* tuples = PQcmdTuples(raw);
    return tuples && *tuples ? std::stoll(tuples) : std::int64_t{0};
}

Status PgConn::ExecScript(std::string_view sql) {
    std::string text(sql);
    ResultPtr res(PQexec(conn_, text.c_str()));
    ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return ResultError(res.get(), "exec");
    }
    last_sqlstate_.clear();
    return Status::Ok();
}

}  // namespace tessera
