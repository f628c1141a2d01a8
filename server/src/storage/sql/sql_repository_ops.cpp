// Whole-database sizes for GET /metrics.
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

Result<OpsCounts> SqlRepository::CountForOps() {
    return ReadTx<OpsCounts>([&](SqlConn& conn) -> Result<OpsCounts> {
        OpsCounts counts;
        // The per-project counters (sharded on PostgreSQL, hence SUM), not a scan of items.
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows items,
            conn.Query("SELECT c.state, SUM(c.n) FROM item_counts c JOIN projects p ON "
                       "p.id = c.project_id WHERE p.deleted_at IS NULL GROUP BY c.state "
                       "ORDER BY c.state",
                       {}));
        counts.items_by_state.reserve(items.size());
        for (const SqlRow& row : items) {
            counts.items_by_state.emplace_back(row.Text(0), row.Int(1));
        }
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows jobs,
            conn.Query("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state", {}));
        counts.jobs_by_state.reserve(jobs.size());
        for (const SqlRow& row : jobs) {
            counts.jobs_by_state.emplace_back(row.Text(0), row.Int(1));
        }
        return counts;
    });
}

}  // namespace tessera
