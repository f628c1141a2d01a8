#pragma once
// The PostgreSQL backend for larger or multi-process deployments. All logic lives in
// SqlRepository; this opens a libpq connection pool.
#include <memory>
#include <string>

#include "base/result.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

class PostgresRepository final : public SqlRepository {
public:
    // `conninfo` is a libpq URL or key=value string. Opens `pool_size` connections up front so
    // a bad address fails here, not on the first request. Does not migrate: call Migrate().
    static Result<std::unique_ptr<PostgresRepository>> Open(const std::string& conninfo,
                                                            int pool_size = 8);

private:
    using SqlRepository::SqlRepository;
};

}  // namespace tessera
