#include "storage/sqlite/sqlite_repository.hpp"

#include <filesystem>

#include "storage/sqlite/sqlite_conn.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace tessera {
namespace {

// Readers run concurrently under WAL; a handful covers the dashboard, export and page loads.
constexpr int kReaders = 4;

}  // namespace

Result<std::unique_ptr<SqliteRepository>> SqliteRepository::Open(const std::string& path) {
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, kReaders));
    return std::unique_ptr<SqliteRepository>(new SqliteRepository(std::move(db)));
}

Status SqliteRepository::BackupInto(const std::string& path, const std::string& out_path) {
    std::error_code ec;
    if (std::filesystem::exists(out_path, ec)) {
        return Error::Conflict("backup target already exists: " + out_path);
    }
    // A read-write connection: query_only (how readers are fenced) would refuse VACUUM. It
    // writes nothing to `path`.
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConn> conn,
                             SqliteConn::Open(path, /*read_only=*/false));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t ignored, conn->Exec("VACUUM INTO $1", {out_path}));
    (void)ignored;
    return Status::Ok();
}

}  // namespace tessera
