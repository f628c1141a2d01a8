#pragma once
// How records map to columns: the column lists each SELECT uses and the readers that turn a row
// back into a record, plus the small value encodings both dialects share.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.hpp"
#include "storage/sql/sql_conn.hpp"

namespace tessera {

// Column lists, optionally qualified with a table alias ("i" gives "i.id, i.project_id, ...").
std::string UserColumns(std::string_view alias = {});
std::string ProjectColumns(std::string_view alias = {});
// An item's lease lives in `leases` (migrations/*/0008_leases.sql): ItemColumns("i") reads it
// through the alias "i_lease", so every query selecting it joins ItemLeaseJoin("i") after
// "items i". The alias is required.
std::string ItemColumns(std::string_view alias);
std::string ItemLeaseJoin(std::string_view alias);
std::string AnnotationColumns(std::string_view alias = {});
std::string JobColumns(std::string_view alias = {});
inline constexpr std::size_t kItemColumnCount = 15;
inline constexpr std::size_t kAnnotationColumnCount = 11;

// A parameter that is NULL when `value` is empty.
template <typename T>
SqlValue NullableValue(const std::optional<T>& value) {
    return value ? SqlValue(*value) : SqlValue(std::monostate{});
}

// Binary columns (datasource secrets, item embeddings) are BLOB (SQLite) or bytea (PostgreSQL,
// sent and read as hex text: libpq text parameters cannot hold NUL bytes). The placeholder
// expression for parameter $index, the parameter's value (NULL for empty bytes), the select
// expression for a column, and the bytes back from that expression's cell.
std::string BytesParam(SqlDialect dialect, int index);
SqlValue BytesValue(SqlDialect dialect, const std::string& bytes);
std::string BytesColumn(SqlDialect dialect, std::string_view column);
std::string ReadBytes(SqlDialect dialect, std::string cell);
std::string DatasourceColumns(SqlDialect dialect);
Datasource ReadDatasource(const SqlRow& row, SqlDialect dialect, std::size_t at = 0);

// Readers start at column `at` so joined rows can be read piecewise.
User ReadUser(const SqlRow& row, std::size_t at = 0);
Project ReadProject(const SqlRow& row, std::size_t at = 0);
Item ReadItem(const SqlRow& row, std::size_t at = 0);
Annotation ReadAnnotation(const SqlRow& row, std::size_t at = 0);
Job ReadJob(const SqlRow& row, std::size_t at = 0);

JobState ParseJobState(std::string_view text);
AnnotationSource ParseAnnotationSource(std::string_view text);

// The key that makes names unique regardless of case: ASCII letters lower-cased. Computed here,
// not by the database, so both dialects agree byte for byte.
std::string NameKey(std::string_view name);

// Queue position of a path under a seed: a 63-bit hash, so ranks do not depend on insertion
// order, need no memory proportional to the project, and items added later slot in.
std::int64_t ShuffleRank(std::uint64_t seed, std::string_view path);

// JSON array text of labels (annotations.counted_labels) and back. Bad JSON reads as empty.
std::string EncodeLabels(const std::vector<std::string>& labels);
std::vector<std::string> DecodeLabels(const std::string& json);

}  // namespace tessera
