#pragma once
// The schema migrations of each dialect, embedded at build time from
// storage/migrations/<dialect>/NNNN_name.sql (see embed_migrations.cmake). Applying them is the
// repository's job (SqlRepository::Migrate); this module only hands out the text.
#include <string_view>
#include <vector>

namespace tessera {

struct Migration {
    int version = 0;        // NNNN from the file name; contiguous from 1
    std::string_view name;  // the file name, for logs
    std::string_view sql;   // one or more statements
};

// In ascending version order.
const std::vector<Migration>& SqliteMigrations();
const std::vector<Migration>& PostgresMigrations();

}  // namespace tessera
