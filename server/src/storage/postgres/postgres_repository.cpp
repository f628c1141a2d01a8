#include "storage/postgres/postgres_repository.hpp"

#include "storage/postgres/pg_db.hpp"

namespace tessera {

Result<std::unique_ptr<PostgresRepository>> PostgresRepository::Open(const std::string& conninfo,
                                                                     int pool_size) {
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<PgDb> db, PgDb::Open(conninfo, pool_size));
    return std::unique_ptr<PostgresRepository>(new PostgresRepository(std::move(db)));
}

}  // namespace tessera
