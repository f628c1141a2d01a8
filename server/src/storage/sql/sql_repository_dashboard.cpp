// Dashboard figures from counter tables (O(1) in the project size) and the streaming export.
#include <future>
#include <system_error>

#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::QueryInt;
using sql_internal::RequireLiveProject;

namespace {

constexpr std::int64_t kExportPage = 5000;

// Runs `work` on a new thread; an invalid future when no thread can be started (the caller
// then does the work itself).
template <typename F>
std::future<Status> StartAsync(F work) {
    try {
        return std::async(std::launch::async, std::move(work));
    } catch (const std::system_error&) {
        return {};
    }
}

// The future's status; an exception from the other thread becomes kInternal here, at the
// module edge.
Status Await(std::future<Status>& pending) {
    try {
        return pending.get();
    } catch (const std::exception& e) {
        return Error::Internal(std::string("storage: ") + e.what());
    }
}

void AddStateCount(Progress& p, ItemState state, std::int64_t n) {
    switch (state) {
        case ItemState::kUnlabeled: p.unlabeled += n; break;
        case ItemState::kLabeled: p.labeled += n; break;
        case ItemState::kSkipped: p.skipped += n; break;
        case ItemState::kNeedsReview: p.needs_review += n; break;
        case ItemState::kError: p.error += n; break;
        case ItemState::kMissing: p.missing += n; break;
    }
    p.total += n;
}

// A row of ForEachExportRow's query. Fields the query does not select are either implied by
// it (project, state, the annotation's item) or queue state that exports never write.
ExportRow ReadExportRow(const SqlRow& row, Id project_id) {
    ExportRow out;
    Item& item = out.item;
    item.id = row.Int(0);
    item.project_id = project_id;
    item.path = row.Text(1);
    item.size_bytes = row.Int(2);
    item.width = static_cast<int>(row.Int(3));
    item.height = static_cast<int>(row.Int(4));
    item.format = row.Text(5);
    item.state = ItemState::kLabeled;
    item.created_at = row.Int(6);
    Annotation& a = out.annotation;
    a.id = row.Int(7);
    a.project_id = project_id;
    a.item_id = item.id;
    a.author_id = row.OptInt(8);
    a.source = ParseAnnotationSource(row.Text(9));
    a.payload_json = row.Text(10);
    a.confidence = row.OptReal(11);
    a.created_at = row.Int(12);
    a.updated_at = row.Int(13);
    out.author = row.Text(14);
    return out;
}

}  // namespace

Result<Progress> SqlRepository::GetProgress(Id project_id, TimeMs now) {
    return ReadTx<Progress>([&](SqlConn& conn) -> Result<Progress> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT state, n FROM item_counts WHERE project_id = $1", {project_id}));
        Progress p;
        for (const SqlRow& row : rows) {
            if (auto state = ParseItemState(row.Text(0))) {
                AddStateCount(p, *state, row.Int(1));
            }
        }
        // Live leases are at most a page per labeler, and items_lease_live holds only leased
        // rows, so this count stays small however large the project is.
        TESSERA_ASSIGN_OR_RETURN(
            p.in_progress,
            QueryInt(conn,
                     "SELECT count(*) FROM items WHERE project_id = $1 AND lease_token IS NOT "
                     "NULL AND lease_expires_at > $2 AND state = 'unlabeled'",
                     {project_id, now}));
        p.unlabeled -= p.in_progress;
        return p;
    });
}

Result<std::vector<LabelCount>> SqlRepository::LabelDistribution(Id project_id) {
    return ReadTx<std::vector<LabelCount>>([&](SqlConn& conn) -> Result<std::vector<LabelCount>> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                 conn.Query("SELECT label, n FROM label_counts WHERE project_id = "
                                            "$1 AND n > 0 ORDER BY label",
                                            {project_id}));
        std::vector<LabelCount> out;
        for (const SqlRow& row : rows) {
            out.push_back({row.Text(0), row.Int(1)});
        }
        return out;
    });
}

Result<std::vector<LabelerCount>> SqlRepository::LabelerDistribution(Id project_id) {
    using Out = std::vector<LabelerCount>;
    return ReadTx<Out>([&](SqlConn& conn) -> Result<Out> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT c.user_id, COALESCE(u.username, ''), c.n FROM labeler_counts c "
                       "LEFT JOIN users u ON u.id = c.user_id WHERE c.project_id = $1 AND c.n > 0 "
                       "ORDER BY c.n DESC, c.user_id",
                       {project_id}));
        Out out;
        for (const SqlRow& row : rows) {
            out.push_back({row.Int(0), row.Text(1), row.Int(2)});
        }
        return out;
    });
}

Status SqlRepository::ForEachExportRow(Id project_id,
                                       const std::function<bool(const ExportRow&)>& callback) {
    TESSERA_TRY(db().Read([&](SqlConn& conn) { return RequireLiveProject(conn, project_id); }));
    // Only the columns an export writes (see ExportRow in repository.hpp): each column costs
    // the server an output conversion per row, and this query runs a million times.
    const std::string sql =
        "SELECT i.id, i.path, i.size_bytes, i.width, i.height, i.format, i.created_at, a.id, "
        "a.author_id, a.source, a.payload_json, a.confidence, a.created_at, a.updated_at, "
        "COALESCE(u.username, '') FROM items i JOIN annotations a ON a.id = "
        "i.result_annotation_id LEFT JOIN users u ON u.id = a.author_id WHERE i.project_id = $1 "
        "AND i.state = 'labeled' AND i.id > $2 ORDER BY i.id LIMIT $3";
    // One short read per page; callbacks run outside it so a slow client holds no connection
    // or snapshot.
    auto read_page = [&](Id after, std::vector<ExportRow>& page) -> Status {
        return db().Read([&](SqlConn& conn) -> Status {
            page.clear();
            TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                     conn.Query(sql, {project_id, after, kExportPage}));
            page.reserve(rows.size());
            for (const SqlRow& row : rows) {
                page.push_back(ReadExportRow(row, project_id));
            }
            return Status::Ok();
        });
    };
    std::vector<ExportRow> page;
    std::vector<ExportRow> next;  // declared before `pending`, which may still be filling it
    TESSERA_TRY(read_page(0, page));
    while (true) {
        const bool more = static_cast<std::int64_t>(page.size()) == kExportPage;
        // The next page is read on another thread while the callbacks format this one: the
        // database (a PostgreSQL backend or SQLite on a reader connection) and the writer then
        // use two cores instead of taking turns.
        std::future<Status> pending;
        if (more) {
            pending =
                StartAsync([&, after = page.back().item.id] { return read_page(after, next); });
        }
        bool stopped = false;
        for (const ExportRow& row : page) {
            if (!callback(row)) {
                stopped = true;
                break;
            }
        }
        if (!more) {
            return Status::Ok();
        }
        // A started read is waited for even when stopping: it fills `next` and holds a
        // connection.
        Status read = pending.valid() ? Await(pending)
                      : stopped       ? Status::Ok()
                                      : read_page(page.back().item.id, next);
        if (stopped) {
            return Status::Ok();
        }
        TESSERA_TRY(read);
        page.swap(next);
    }
}

}  // namespace tessera
