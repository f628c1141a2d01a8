#pragma once
// Pieces the repository-driven benchmarks (load_bench, coco_bench) share: opening the database a
// --db argument names, and the peak memory each phase reports.
#include <sys/resource.h>

#include <memory>
#include <string>

#include "base/result.hpp"
#include "storage/postgres/postgres_repository.hpp"
#include "storage/sqlite/sqlite_repository.hpp"

namespace tessera::bench {

// Peak resident set of this process in MB (getrusage reports KiB on Linux).
inline long PeakRssMb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

// A postgresql:// URL opens PostgreSQL (with `pg_pool` connections when > 0, else the default
// pool), anything else a SQLite file.
inline Result<std::unique_ptr<Repository>> OpenRepo(const std::string& db, int pg_pool = 0) {
    if (db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0) {
        TESSERA_ASSIGN_OR_RETURN(auto pg, pg_pool > 0 ? PostgresRepository::Open(db, pg_pool)
                                                      : PostgresRepository::Open(db));
        return std::unique_ptr<Repository>(std::move(pg));
    }
    TESSERA_ASSIGN_OR_RETURN(auto lite, SqliteRepository::Open(db));
    return std::unique_ptr<Repository>(std::move(lite));
}

}  // namespace tessera::bench
