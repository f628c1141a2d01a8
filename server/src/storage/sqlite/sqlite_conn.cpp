#include "storage/sqlite/sqlite_conn.hpp"

#include <sqlite3.h>

#include <charconv>

namespace tessera {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Resets a statement when the call using it ends, however it ends.
struct ResetGuard {
    sqlite3_stmt* stmt;
    ~ResetGuard() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
};

SqlValue ColumnValue(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_NULL: return std::monostate{};
        case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(stmt, i));
        case SQLITE_FLOAT: return sqlite3_column_double(stmt, i);
        default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            return std::string(text ? text : "", sqlite3_column_bytes(stmt, i));
        }
    }
}

}  // namespace

Result<std::unique_ptr<SqliteConn>> SqliteConn::Open(const std::string& path, bool read_only) {
    sqlite3* db = nullptr;
    // Readers open read-write too (a SQLITE_OPEN_READONLY connection cannot create the WAL
    // index) and are fenced with query_only instead.
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    std::unique_ptr<SqliteConn> conn(new SqliteConn(db));
    if (rc != SQLITE_OK) {
        return Error::Unavailable("cannot open SQLite database " + path + ": " +
                                  (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db, 1);
    TESSERA_TRY(conn->ExecScript(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"));
    // The triggers that keep the name index current write to an FTS5 table
    // (0011_name_search.sql), which SQLite refuses from a trigger when a build defaults
    // trusted_schema to off. The database is the server's own file, not one a user hands it.
    TESSERA_TRY(conn->ExecScript("PRAGMA trusted_schema = ON;"));
    // Page cache per connection (negative = KiB). The writer's hot set at a million items is
    // the queue front, the counters and the random item rows and index leaves a page of leases
    // touches: 2 MiB (the default) re-read them from the OS on most submits. Readers stream
    // the export and serve page loads; a smaller cache keeps the export within its memory
    // budget. No mmap: mapped pages of a large database count toward the process RSS.
    TESSERA_TRY(
        conn->ExecScript(read_only ? "PRAGMA cache_size = -8192;" : "PRAGMA cache_size = -32768;"));
    if (read_only) {
        TESSERA_TRY(conn->ExecScript("PRAGMA query_only = ON;"));
    }
    return conn;
}

SqliteConn::~SqliteConn() {
    for (auto& [sql, p] : cache_) {
        sqlite3_finalize(p.stmt);
    }
    sqlite3_close_v2(db_);
}

Error SqliteConn::LastError(int rc, std::string_view what) const {
    std::string msg = std::string("sqlite ") + std::string(what) + ": " + sqlite3_errmsg(db_);
    switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY: return Error::Conflict(msg);
        case SQLITE_CONSTRAINT_FOREIGNKEY: return Error::NotFound(msg);
        default: break;
    }
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        return Error::Unavailable(msg);
    }
    return Error::Internal(msg);
}

Result<SqliteConn::Prepared*> SqliteConn::Prepare(const std::string& sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) {
        return &it->second;
    }
    Prepared p;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &p.stmt, nullptr);
    if (rc != SQLITE_OK) {
        return LastError(rc, "prepare");
    }
    // Placeholders are spelled $N; SQLite numbers them by first appearance, so map by name.
    int slots = sqlite3_bind_parameter_count(p.stmt);
    for (int slot = 1; slot <= slots; ++slot) {
        const char* name = sqlite3_bind_parameter_name(p.stmt, slot);
        int n = 0;
        if (name == nullptr || name[0] != '$' ||
            std::from_chars(name + 1, name + std::char_traits<char>::length(name), n).ec !=
                std::errc() ||
            n < 1) {
            sqlite3_finalize(p.stmt);
            return Error::Internal("sqlite: placeholders must be $1..$n: " + sql);
        }
        p.param_of_slot.push_back(n - 1);
    }
    return &cache_.emplace(sql, std::move(p)).first->second;
}

Status SqliteConn::Bind(const Prepared& p, const SqlParams& params) {
    for (std::size_t i = 0; i < p.param_of_slot.size(); ++i) {
        int slot = static_cast<int>(i) + 1;
        std::size_t index = static_cast<std::size_t>(p.param_of_slot[i]);
        if (index >= params.size()) {
            return Error::Internal("sqlite: missing parameter $" + std::to_string(index + 1));
        }
        const SqlValue& v = params[index];
        int rc = SQLITE_OK;
        if (const auto* n = std::get_if<std::int64_t>(&v)) {
            rc = sqlite3_bind_int64(p.stmt, slot, *n);
        } else if (const auto* d = std::get_if<double>(&v)) {
            rc = sqlite3_bind_double(p.stmt, slot, *d);
        } else if (const auto* s = std::get_if<std::string>(&v)) {
            rc =
                sqlite3_bind_text64(p.stmt, slot, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
        } else {
            rc = sqlite3_bind_null(p.stmt, slot);
        }
        if (rc != SQLITE_OK) {
            return LastError(rc, "bind");
        }
    }
    return Status::Ok();
}

Status SqliteConn::Run(const std::string& sql, const SqlParams& params, SqlRows* rows) {
    TESSERA_ASSIGN_OR_RETURN(Prepared * p, Prepare(sql));
    ResetGuard guard{p->stmt};
    TESSERA_TRY(Bind(*p, params));
    const int columns = sqlite3_column_count(p->stmt);
    while (true) {
        int rc = sqlite3_step(p->stmt);
        if (rc == SQLITE_DONE) {
            return Status::Ok();
        }
        if (rc != SQLITE_ROW) {
            return LastError(rc, "step");
        }
        if (rows != nullptr) {
            std::vector<SqlValue> cells;
            cells.reserve(static_cast<std::size_t>(columns));
            for (int i = 0; i < columns; ++i) {
                cells.push_back(ColumnValue(p->stmt, i));
            }
            rows->emplace_back(std::move(cells));
        }
    }
}

Result<SqlRows> SqliteConn::Query(const std::string& sql, const SqlParams& params) {
    SqlRows rows;
    TESSERA_TRY(Run(sql, params, &rows));
    return rows;
}

Result<std::int64_t> SqliteConn::Exec(const std::string& sql, const SqlParams& params) {
    TESSERA_TRY(Run(sql, params, nullptr));
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
}

bool SqliteConn::InTransaction() const {
    return sqlite3_get_autocommit(db_) == 0;
}

Status SqliteConn::ExecScript(std::string_view sql) {
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        Error e = LastError(rc, "exec");
        if (err != nullptr) {
            e.message = std::string("sqlite exec: ") + err;
            sqlite3_free(err);
        }
        return e;
    }
    return Status::Ok();
}

}  // namespace tessera
