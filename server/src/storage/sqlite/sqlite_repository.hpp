#pragma once
// The embedded default backend. All logic lives in SqlRepository; this opens SQLite.
#include <memory>
#include <string>

#include "base/result.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

class SqliteRepository final : public SqlRepository {
public:
    // `path` is a file name, ":memory:" (tests; one connection) or a "file:" URI. Does not
    // migrate: call Migrate().
    static Result<std::unique_ptr<SqliteRepository>> Open(const std::string& path);
    // Writes a consistent copy of the database file `path` to `out_path` (VACUUM INTO on a
    // connection of its own: one read snapshot, so servers may keep writing meanwhile).
    // kConflict when `out_path` exists.
    static Status BackupInto(const std::string& path, const std::string& out_path);

private:
    using SqlRepository::SqlRepository;
};

}  // namespace tessera
