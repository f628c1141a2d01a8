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

// Per session: NOTICEs ("relation already exists, skipping") would otherwise go to stderr.
// No parallel query: every statement here is a short index walk, and on a small server the
// workers a plan starts cost more than they save (the export's 5000-row pages ran at half the
// speed with two workers each on 2 cores; see the git history of docs/PERFORMANCE.md).
constexpr const char* kSessionSetup =
    "SET client_min_messages = warning; SET max_parallel_workers_per_gather = 0";

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

bool Succeeded(const PGresult* res) {
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

}  // namespace

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo) {
    PGconn* raw = PQconnectdb(conninfo.c_str());
    std::unique_ptr<PgConn> conn(new PgConn(raw));
    if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
        return Error::Unavailable(std::string("cannot connect to PostgreSQL: ") +
                                  (raw ? PQerrorMessage(raw) : "out of memory"));
    }
    TESSERA_TRY(conn->SetUpSession());
    return conn;
}

PgConn::~PgConn() {
    if (conn_ != nullptr) {
        PQfinish(conn_);
    }
}

Status PgConn::SetUpSession() {
    return ExecScript(kSessionSetup);
}

bool PgConn::EnsureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK && !broken_) {
        return true;
    }
    PQreset(conn_);
    broken_ = false;
    prepared_.clear();
    pending_begin_.clear();
    return PQstatus(conn_) == CONNECTION_OK && SetUpSession().ok();
}

void PgConn::BeginDeferred(std::string begin_sql) {
    pending_begin_ = std::move(begin_sql);
    last_sqlstate_.clear();
}

Status PgConn::SendPendingBegin() {
    if (pending_begin_.empty()) {
        return Status::Ok();
    }
    std::string begin = std::move(pending_begin_);
    pending_begin_.clear();
    return ExecScript(begin);
}

Status PgConn::Commit() {
    if (!pending_begin_.empty()) {
        pending_begin_.clear();  // nothing was sent, so there is nothing to commit
        last_sqlstate_.clear();
        return Status::Ok();
    }
    switch (PQtransactionStatus(conn_)) {
        case PQTRANS_IDLE:
            last_sqlstate_.clear();
            return Status::Ok();  // QueryAndCommit committed already
        case PQTRANS_INERROR:
            // A statement failed and the work carried on: COMMIT would quietly roll back.
            return Error::Internal("postgres: commit of a failed transaction");
        default: return ExecScript("COMMIT");
    }
}

void PgConn::Rollback() {
    pending_begin_.clear();
    if (broken_) {
        return;  // EnsureConnected reconnects, which ends the transaction on the server
    }
    PGTransactionStatusType tx = PQtransactionStatus(conn_);
    if (tx == PQTRANS_INTRANS || tx == PQTRANS_INERROR) {
        std::string sqlstate = last_sqlstate_;  // the caller decides on the original failure
        (void)ExecScript("ROLLBACK");
        last_sqlstate_ = sqlstate;
    }
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

Result<PGresult*> PgConn::RunPipelined(const std::string& sql, const std::string& name,
                                       bool prepare, bool commit, const char* const* values,
                                       int n_params) {
    if (PQenterPipelineMode(conn_) != 1) {
        return ResultError(nullptr, "pipeline");
    }
    // Commands in order; the index of each in the results.
    int commands = 0;
    const int begin_at = pending_begin_.empty() ? -1 : commands++;
    const int prepare_at = prepare ? commands++ : -1;
    const int statement_at = commands++;
    const int commit_at = commit ? commands++ : -1;
    bool sent = true;
    if (begin_at >= 0) {
        sent = PQsendQueryParams(conn_, pending_begin_.c_str(), 0, nullptr, nullptr, nullptr,
                                 nullptr, 0) == 1;
        pending_begin_.clear();
    }
    if (sent && prepare_at >= 0) {
        sent = PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) == 1;
    }
    sent = sent &&
           PQsendQueryPrepared(conn_, name.c_str(), n_params, values, nullptr, nullptr, 0) == 1;
    if (sent && commit_at >= 0) {
        sent = PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    }
    if (!sent || PQpipelineSync(conn_) != 1) {
        // The connection is unusable mid-pipeline; start over on a fresh one next time.
        broken_ = true;
        return ResultError(nullptr, "pipeline");
    }
    // One result (then a null) per command, in order; after the first failure the rest come
    // back PGRES_PIPELINE_ABORTED (a COMMIT after a failed statement never runs, and the
    // transaction stays open in the failed state for Rollback). Then the sync point.
    ResultPtr failed;
    ResultPtr statement;
    bool prepared = false;
    bool broken = false;
    for (int i = 0; i < commands; ++i) {
        ResultPtr res(PQgetResult(conn_));
        if (!res) {
            broken = true;
            break;
        }
        while (PGresult* extra = PQgetResult(conn_)) {
            PQclear(extra);
        }
        // A statement prepared at the protocol level outlives a rollback: remember it even when
        // the statement after it fails, or the next PREPARE of the same name would.
        prepared = prepared || (i == prepare_at && Succeeded(res.get()));
        if (!failed && PQresultStatus(res.get()) != PGRES_PIPELINE_ABORTED &&
            !Succeeded(res.get())) {
            failed = std::move(res);
        } else if (i == statement_at) {
            statement = std::move(res);
        }
    }
    ResultPtr sync(broken ? nullptr : PQgetResult(conn_));
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC ||
        PQexitPipelineMode(conn_) != 1) {
        broken_ = true;
        return ResultError(failed.get(), "pipeline");
    }
    if (prepared) {
        prepared_.emplace(sql, name);
    }
    if (failed) {
        return ResultError(failed.get(), "query");
    }
    last_sqlstate_.clear();
    return statement.release();
}

Result<PGresult*> PgConn::Run(const std::string& sql, const SqlParams& params, bool commit) {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        bool is_null = false;
        texts[i] = ParamText(params[i], is_null);
        values[i] = is_null ? nullptr : texts[i].c_str();
    }
    const int n_params = static_cast<int>(params.size());
    auto it = prepared_.find(sql);
    if (it == prepared_.end() || !pending_begin_.empty() || commit) {
        const bool prepare = it == prepared_.end();
        std::string name = prepare ? "s" + std::to_string(prepared_.size()) : it->second;
        return RunPipelined(sql, name, prepare, commit, values.data(), n_params);
    }
    PGresult* res =
        PQexecPrepared(conn_, it->second.c_str(), n_params, values.data(), nullptr, nullptr, 0);
    if (!Succeeded(res)) {
        ResultPtr owned(res);
        return ResultError(res, "query");
    }
    last_sqlstate_.clear();
    return res;
}

SqlRows PgConn::ToRows(PGresult* raw) {
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

Result<SqlRows> PgConn::Query(const std::string& sql, const SqlParams& params) {
    TESSERA_ASSIGN_OR_RETURN(PGresult * raw, Run(sql, params));
    ResultPtr res(raw);
    return ToRows(raw);
}

Result<SqlRows> PgConn::QueryAndCommit(const std::string& sql, const SqlParams& params) {
    if (pending_begin_.empty() && PQtransactionStatus(conn_) == PQTRANS_IDLE) {
        return Query(sql, params);  // no transaction open: this one commits on its own
    }
    TESSERA_ASSIGN_OR_RETURN(PGresult * raw, Run(sql, params, /*commit=*/true));
    ResultPtr res(raw);
    return ToRows(raw);
}

Result<std::int64_t> PgConn::Exec(const std::string& sql, const SqlParams& params) {
    TESSERA_ASSIGN_OR_RETURN(PGresult * raw, Run(sql, params));
    ResultPtr res(raw);
    const char* tuples = PQcmdTuples(raw);
    return tuples && *tuples ? std::stoll(tuples) : std::int64_t{0};
}

Status PgConn::ExecScript(std::string_view sql) {
    TESSERA_TRY(SendPendingBegin());
    std::string text(sql);
    ResultPtr res(PQexec(conn_, text.c_str()));
    if (!Succeeded(res.get())) {
        return ResultError(res.get(), "exec");
    }
    last_sqlstate_.clear();
    return Status::Ok();
}

}  // namespace tessera
