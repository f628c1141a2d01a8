// Items: bulk insert, shuffle, reading one (listing is sql_repository_item_query.cpp).
#include <algorithm>
#include <limits>

#include "storage/sql/pg_array.hpp"
#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::QueryInt;
using sql_internal::RequireLiveProject;

namespace {

// Rows per bulk statement or page: large enough to amortize round trips, small enough to keep
// memory flat at 10 million items.
constexpr std::size_t kBatch = 1000;
constexpr int kPage = 5000;
// 11 parameters a row: 550 a statement, well under SQLite's limit of 32,766.
constexpr std::size_t kSqliteRowsPerStatement = 50;
constexpr std::size_t kSqliteColumns = 11;

// INSERT of `rows` items, numbered parameters $1..$11 for the first row, $12..$22 the next...
const std::string& SqliteInsertItems(std::size_t rows) {
    static const std::vector<std::string> kStatements = [] {
        std::vector<std::string> statements(kSqliteRowsPerStatement + 1);
        for (std::size_t n = 1; n <= kSqliteRowsPerStatement; ++n) {
            std::string sql =
                "INSERT INTO items (project_id, path, size_bytes, width, height, format, state, "
                "error, created_at, rank, source_id) VALUES ";
            for (std::size_t r = 0; r < n; ++r) {
                sql += r == 0 ? "(" : ", (";
                for (std::size_t c = 1; c <= kSqliteColumns; ++c) {
                    sql += "$" + std::to_string(r * kSqliteColumns + c) +
                           (c == kSqliteColumns ? ")" : ", ");
                }
            }
            statements[n] = sql + " ON CONFLICT (project_id, path) DO NOTHING";
        }
        return statements;
    }();
    return kStatements.at(rows);
}

// The live project's shuffle seed: what InsertItems ranks new items with.
Result<std::uint64_t> LiveProjectSeed(SqlConn& conn, Id project_id) {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows project,
        conn.Query("SELECT shuffle_seed FROM projects WHERE id = $1 AND deleted_at IS NULL",
                   {project_id}));
    if (project.empty()) {
        return Error::NotFound("project not found");
    }
    return static_cast<std::uint64_t>(project[0].Int(0));
}

}  // namespace

namespace {

// Items of the primary datasource are stored with source_id NULL (0006_datasources.sql).
SqlValue StoredSourceId(Id source_id, Id primary) {
    if (source_id == 0 || source_id == primary) {
        return std::monostate{};
    }
    return source_id;
}

}  // namespace

Status SqlRepository::InsertItemBatch(SqlConn& conn, Id project_id, std::uint64_t seed,
                                      Id primary_source, const std::vector<NewItem>& items,
                                      std::size_t begin, std::size_t end, TimeMs now,
                                      std::int64_t& inserted) {
    if (db_->dialect() == SqlDialect::kSqlite) {
        // SQLite runs in-process, but each statement still costs a cache lookup, a reset and a
        // step: rows go kSqliteRowsPerStatement to one cached multi-row INSERT.
        for (std::size_t chunk = begin; chunk < end; chunk += kSqliteRowsPerStatement) {
            const std::size_t rows = std::min(end - chunk, kSqliteRowsPerStatement);
            SqlParams params;
            params.reserve(rows * kSqliteColumns);
            for (std::size_t i = chunk; i < chunk + rows; ++i) {
                const NewItem& it = items[i];
                params.insert(params.end(), {project_id, it.path, it.size_bytes,
                                             std::int64_t{it.width}, std::int64_t{it.height},
                                             it.format, std::string(ItemStateName(it.state)),
                                             it.error, now, ShuffleRank(seed, it.path),
                                             StoredSourceId(it.source_id, primary_source)});
            }
            TESSERA_ASSIGN_OR_RETURN(std::int64_t n, conn.Exec(SqliteInsertItems(rows), params));
            inserted += n;
        }
        return Status::Ok();
    }
    std::vector<std::string> paths, formats, states, errors;
    std::vector<std::int64_t> sizes, widths, heights, ranks;
    // One datasource per batch is the common case (ingest and refresh insert one source's
    // files); mixed batches fall back to per-source statements.
    for (std::size_t i = begin; i < end; ++i) {
        if (items[i].source_id != items[begin].source_id) {
            for (std::size_t j = begin; j < end; ++j) {
                TESSERA_TRY(InsertItemBatch(conn, project_id, seed, primary_source, items, j, j + 1,
                                            now, inserted));
            }
            return Status::Ok();
        }
    }
    for (std::size_t i = begin; i < end; ++i) {
        const NewItem& it = items[i];
        ranks.push_back(ShuffleRank(seed, it.path));
        paths.push_back(it.path);
        sizes.push_back(it.size_bytes);
        widths.push_back(it.width);
        heights.push_back(it.height);
        formats.push_back(it.format);
        states.push_back(std::string(ItemStateName(it.state)));
        errors.push_back(it.error);
    }
    TESSERA_ASSIGN_OR_RETURN(
        std::int64_t n,
        conn.Exec(
            "INSERT INTO items (project_id, path, size_bytes, width, height, format, state, "
            "error, rank, created_at, source_id) SELECT $1::bigint, u.* , $9::bigint, "
            "$11::bigint FROM unnest($2::text[], $3::bigint[], $4::int[], $5::int[], "
            "$6::text[], $7::text[], $8::text[], $10::bigint[]) AS u ON CONFLICT "
            "(project_id, path) DO NOTHING",
            {project_id, PgTextArray(paths), PgIntArray(sizes), PgIntArray(widths),
             PgIntArray(heights), PgTextArray(formats), PgTextArray(states), PgTextArray(errors),
             now, PgIntArray(ranks), StoredSourceId(items[begin].source_id, primary_source)}));
    inserted += n;
    return Status::Ok();
}

Result<std::int64_t> SqlRepository::InsertItems(Id project_id, const std::vector<NewItem>& items,
                                                TimeMs now) {
    // New items may rank before the queue front LeaseNext remembers; forgotten before and after
    // the commit (a lease running meanwhile may remember a front past them).
    ForgetQueueHint(project_id);
    Result<std::int64_t> result = WriteTx<std::int64_t>([&](SqlConn& conn) -> Result<std::int64_t> {
        // Items are ranked with the project's current seed as they are inserted, so the
        // ShuffleItems that ends an ingest (same seed) rewrites nothing. Rewriting every row
        // left, on PostgreSQL, a dead tuple per item whose items_queue entry sat at the front
        // of the queue (rank 0) until VACUUM: LeaseNext stepped over up to a million of them.
        TESSERA_ASSIGN_OR_RETURN(const std::uint64_t seed, LiveProjectSeed(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(Id primary, PrimarySourceId(conn, project_id));
        std::int64_t inserted = 0;
        for (std::size_t begin = 0; begin < items.size(); begin += kBatch) {
            std::size_t end = std::min(items.size(), begin + kBatch);
            TESSERA_TRY(
                InsertItemBatch(conn, project_id, seed, primary, items, begin, end, now, inserted));
        }
        return inserted;
    });
    ForgetQueueHint(project_id);
    return result;
}

Status SqlRepository::RankBatch(SqlConn& conn,
                                const std::vector<std::pair<Id, std::int64_t>>& ranks) {
    if (db_->dialect() == SqlDialect::kSqlite) {
        for (const auto& [id, rank] : ranks) {
            TESSERA_TRY(
                conn.Exec("UPDATE items SET rank = $2 WHERE id = $1 AND rank <> $2", {id, rank}));
        }
        return Status::Ok();
    }
    std::vector<std::int64_t> ids, values;
    for (const auto& [id, rank] : ranks) {
        ids.push_back(id);
        values.push_back(rank);
    }
    TESSERA_TRY(
        conn.Exec("UPDATE items SET rank = v.r FROM unnest($1::bigint[], $2::bigint[]) "
                  "AS v(id, r) WHERE items.id = v.id AND items.rank <> v.r",
                  {PgIntArray(ids), PgIntArray(values)}));
    return Status::Ok();
}

Status SqlRepository::ShuffleItems(Id project_id, std::uint64_t seed) {
    ForgetQueueHint(project_id);  // every rank may change: before and after, as in InsertItems
    Status shuffled = db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(const std::uint64_t stored_seed,
                                 LiveProjectSeed(conn, project_id));
        // InsertItems ranks every item with the project's seed, and only this method changes
        // ranks: with the same seed there is nothing to rewrite. Walking a million rows to find
        // that out took 2.5-10 s at the end of every ingest.
        const bool same_seed = stored_seed == seed;
        TESSERA_TRY(conn.Exec("UPDATE projects SET shuffle_seed = $2 WHERE id = $1",
                              {project_id, static_cast<std::int64_t>(seed)}));
        Id after = 0;
        while (!same_seed) {
            TESSERA_ASSIGN_OR_RETURN(
                SqlRows rows, conn.Query("SELECT id, path FROM items WHERE project_id = $1 AND "
                                         "id > $2 ORDER BY id LIMIT $3",
                                         {project_id, after, std::int64_t{kPage}}));
            if (rows.empty()) {
                break;
            }
            std::vector<std::pair<Id, std::int64_t>> ranks;
            ranks.reserve(rows.size());
            for (const SqlRow& row : rows) {
                ranks.emplace_back(row.Int(0), ShuffleRank(seed, row.Text(1)));
            }
            after = ranks.back().first;
            TESSERA_TRY(RankBatch(conn, ranks));
        }
        if (db_->dialect() == SqlDialect::kPostgres) {
            // Shuffle ends every ingest. Without fresh statistics on a new project the planner
            // misjudged the share of leased rows and walked every unlabeled item for the
            // expired-lease and in-progress queries (seconds at a million items) until
            // autovacuum got to it; those read `leases` since 0008, but the queue walk still
            // wants items_queue chosen. ANALYZE samples ~30k rows and may run in a transaction.
            TESSERA_TRY(conn.ExecScript("ANALYZE items"));
        }
        return Status::Ok();
    });
    ForgetQueueHint(project_id);
    return shuffled;
}

Result<std::int64_t> SqlRepository::CountItems(Id project_id) {
    return ReadTx<std::int64_t>([&](SqlConn& conn) -> Result<std::int64_t> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        return QueryInt(conn, "SELECT COALESCE(SUM(n), 0) FROM item_counts WHERE project_id = $1",
                        {project_id});
    });
}

Result<Item> SqlRepository::GetItem(Id project_id, Id item_id) {
    return ReadTx<Item>([&](SqlConn& conn) -> Result<Item> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT " + ItemColumns("i") + " FROM items i" + ItemLeaseJoin("i") +
                           " WHERE i.id = $1 AND i.project_id = $2",
                       {item_id, project_id}));
        if (rows.empty()) {
            return Error::NotFound("item not found");
        }
        return ReadItem(rows[0]);
    });
}

}  // namespace tessera
