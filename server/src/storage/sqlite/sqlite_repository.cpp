#include "storage/sqlite/sqlite_repository.hpp"

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

}  // namespace tessera
