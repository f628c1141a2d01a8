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

}  // namespace

Status SqlRepository::InsertItemBatch(SqlConn& conn, Id project_id, std::uint64_t seed,
                                      const std::vector<NewItem>& items, std::size_t begin,
                                      std::size_t end, TimeMs now, std::int64_t& inserted) {
    if (db_->dialect() == SqlDialect::kSqlite) {
        // SQLite runs in-process: one cached prepared INSERT per row is already fast.
        for (std::size_t i = begin; i < end; ++i) {
            const NewItem& it = items[i];
            TESSERA_ASSIGN_OR_RETURN(
                std::int64_t n,
                conn.Exec("INSERT INTO items (project_id, path, size_bytes, width, height, "
                          "format, state, error, created_at, rank) VALUES ($1, $2, $3, $4, $5, "
                          "$6, $7, $8, $9, $10) ON CONFLICT (project_id, path) DO NOTHING",
                          {project_id, it.path, it.size_bytes, std::int64_t{it.width},
                           std::int64_t{it.height}, it.format, std::string(ItemStateName(it.state)),
                           it.error, now, ShuffleRank(seed, it.path)}));
            inserted += n;
        }
        return Status::Ok();
    }
    std::vector<std::string> paths, formats, states, errors;
    std::vector<std::int64_t> sizes, widths, heights, ranks;
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
        conn.Exec("INSERT INTO items (project_id, path, size_bytes, width, height, format, state, "
                  "error, rank, created_at) SELECT $1::bigint, u.* , $9::bigint FROM "
                  "unnest($2::text[], $3::bigint[], $4::int[], $5::int[], $6::text[], $7::text[], "
                  "$8::text[], $10::bigint[]) AS u ON CONFLICT (project_id, path) DO NOTHING",
                  {project_id, PgTextArray(paths), PgIntArray(sizes), PgIntArray(widths),
                   PgIntArray(heights), PgTextArray(formats), PgTextArray(states),
                   PgTextArray(errors), now, PgIntArray(ranks)}));
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
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows project,
            conn.Query("SELECT shuffle_seed FROM projects WHERE id = $1 AND deleted_at IS NULL",
                       {project_id}));
        if (project.empty()) {
            return Error::NotFound("project not found");
        }
        const auto seed = static_cast<std::uint64_t>(project[0].Int(0));
        std::int64_t inserted = 0;
        for (std::size_t begin = 0; begin < items.size(); begin += kBatch) {
            std::size_t end = std::min(items.size(), begin + kBatch);
            TESSERA_TRY(InsertItemBatch(conn, project_id, seed, items, begin, end, now, inserted));
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
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_TRY(conn.Exec("UPDATE projects SET shuffle_seed = $2 WHERE id = $1",
                              {project_id, static_cast<std::int64_t>(seed)}));
        Id after = 0;
        while (true) {
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
            // takes "lease_token IS NOT NULL" for most rows and walks every unlabeled item for
            // the expired-lease and in-progress queries (seconds at a million items) until
            // autovacuum gets to it. ANALYZE samples ~30k rows and may run in a transaction.
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
            conn.Query("SELECT " + ItemColumns() + " FROM items WHERE id = $1 AND project_id = $2",
                       {item_id, project_id}));
        if (rows.empty()) {
            return Error::NotFound("item not found");
        }
        return ReadItem(rows[0]);
    });
}

}  // namespace tessera
