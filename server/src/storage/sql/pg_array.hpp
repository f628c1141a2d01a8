#pragma once
// PostgreSQL array literals ('{1,2}', '{"a","b"}') passed as ONE bound parameter and cast in the
// statement ($1::text[]): bulk statements stay parameterized without a round trip per row.
#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

std::string PgIntArray(const std::vector<std::int64_t>& values);
std::string PgTextArray(const std::vector<std::string>& values);

}  // namespace tessera
