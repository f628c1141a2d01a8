// Dashboard figures from counter tables (O(1) in the project size) and the streaming export.
#include <algorithm>
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
            conn.Query("SELECT state, SUM(n) FROM item_counts WHERE project_id = $1 GROUP BY state",
                       {project_id}));
        Progress p;
        for (const SqlRow& row : rows) {
            if (auto state = ParseItemState(row.Text(0))) {
                AddStateCount(p, *state, row.Int(1));
            }
        }
        // Live leases are at most a page or two per labeler and `leases` holds nothing else
        // (a leased item is always unlabeled, 0008_leases.sql), so this count stays small
        // however large the project is, and never touches the items.
        TESSERA_ASSIGN_OR_RETURN(
            p.in_progress,
            QueryInt(conn, "SELECT count(*) FROM leases WHERE project_id = $1 AND expires_at > $2",
                     {project_id, now}));
        p.unlabeled -= p.in_progress;
        return p;
    });
}

Result<std::vector<LabelCount>> SqlRepository::LabelDistribution(Id project_id) {
    return ReadTx<std::vector<LabelCount>>([&](SqlConn& conn) -> Result<std::vector<LabelCount>> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                 conn.Query("SELECT label, SUM(n) FROM label_counts WHERE "
                                            "project_id = $1 GROUP BY label HAVING SUM(n) > 0 "
                                            "ORDER BY label",
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

Result<std::vector<EffortTotal>> SqlRepository::LabelEffortTotals(Id project_id, int latest) {
    using Out = std::vector<EffortTotal>;
    return ReadTx<Out>([&](SqlConn& conn) -> Result<Out> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT prelabel, COUNT(*), SUM(unchanged), COUNT(active_ms), "
                       "COALESCE(SUM(active_ms), 0), COUNT(edits), COALESCE(SUM(edits), 0) FROM "
                       "(SELECT prelabel, unchanged, active_ms, edits FROM label_efforts WHERE "
                       "project_id = $1 ORDER BY annotation_id DESC LIMIT $2) latest GROUP BY "
                       "prelabel",
                       {project_id, static_cast<std::int64_t>(std::max(latest, 0))}));
        Out out;
        for (const SqlRow& row : rows) {
            EffortTotal t;
            const std::string kind = row.Text(0);
            t.prelabel = kind == "model"      ? PrelabelShown::kModel
                         : kind == "imported" ? PrelabelShown::kImported
                                              : PrelabelShown::kNone;
            t.answers = row.Int(1);
            t.unchanged = row.Int(2);
            t.timed = row.Int(3);
            t.active_ms = row.Int(4);
            t.counted_edits = row.Int(5);
            t.edits = row.Int(6);
            out.push_back(t);
        }
        std::sort(out.begin(), out.end(), [](const EffortTotal& a, const EffortTotal& b) {
            return a.prelabel < b.prelabel;
        });
        return out;
    });
}

Status SqlRepository::ForEachExportRow(Id project_id,
                                       const std::function<bool(const ExportRow&)>& callback) {
    // The project's id range: two probes of items_project. Pages are fixed ranges of item ids
    // rather than "the next N after the last one read", so several can be read at once.
    Id first = 0;
    Id last = -1;
    TESSERA_TRY(db().Read([&](SqlConn& conn) -> Status {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT MIN(id), MAX(id) FROM items WHERE project_id = $1", {project_id}));
        if (!rows.empty() && !rows[0].IsNull(0)) {
            first = rows[0].Int(0);
            last = rows[0].Int(1);
        }
        return Status::Ok();
    }));
    // Only the columns an export writes (see ExportRow in repository.hpp): each column costs
    // the server an output conversion per row, and this query runs a million times.
    const std::string sql =
        "SELECT i.id, i.path, i.size_bytes, i.width, i.height, i.format, i.created_at, a.id, "
        "a.author_id, a.source, a.payload_json, a.confidence, a.created_at, a.updated_at, "
        "COALESCE(u.username, '') FROM items i JOIN annotations a ON a.id = "
        "i.result_annotation_id LEFT JOIN users u ON u.id = a.author_id WHERE i.project_id = $1 "
        "AND i.state = 'labeled' AND i.id >= $2 AND i.id < $3 ORDER BY i.id";
    // One short read per page; callbacks run outside it so a slow client holds no connection
    // or snapshot. A page holds at most kExportPage rows (ids are unique).
    auto read_page = [&](Id from, std::vector<ExportRow>& page) -> Status {
        return db().Read([&](SqlConn& conn) -> Status {
            page.clear();
            TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                     conn.Query(sql, {project_id, from, from + kExportPage}));
            page.reserve(rows.size());
            for (const SqlRow& row : rows) {
                page.push_back(ReadExportRow(row, project_id));
            }
            return Status::Ok();
        });
    };
    // kExportReadAhead pages are read on other threads while the callbacks format the oldest:
    // on PostgreSQL the backend's join is the expensive part and the formatting is cheap, so
    // two backends reading and this thread writing keep both cores busy. Slots are reused
    // round-robin; each future is waited for before its slot is read again or freed.
    constexpr std::size_t kExportReadAhead = 2;
    struct Slot {
        std::vector<ExportRow> rows;
        std::future<Status> pending;
        Status done = Status::Ok();  // the result when the read ran on this thread
    };
    std::vector<Slot> slots(kExportReadAhead + 1);
    Id next_from = first;
    auto start_read = [&](Slot& slot) {
        const Id from = next_from;
        next_from += kExportPage;
        slot.pending = StartAsync([&read_page, &slot, from] { return read_page(from, slot.rows); });
        if (!slot.pending.valid()) {
            slot.done = read_page(from, slot.rows);
        }
    };
    auto finish_read = [](Slot& slot) {
        return slot.pending.valid() ? Await(slot.pending) : std::move(slot.done);
    };
    std::size_t started = 0;
    for (; started < slots.size() && next_from <= last; ++started) {
        start_read(slots[started]);
    }
    Status result = Status::Ok();
    bool stopped = false;
    for (std::size_t done = 0; done < started; ++done) {
        Slot& slot = slots[done % slots.size()];
        Status read = finish_read(slot);
        if (stopped || !result.ok()) {
            continue;  // waits for every started read: each fills its slot and holds a connection
        }
        if (!read.ok()) {
            result = std::move(read);
            continue;
        }
        for (const ExportRow& row : slot.rows) {
            if (!callback(row)) {
                stopped = true;
                break;
            }
        }
        if (!stopped && next_from <= last) {
            start_read(slot);
            ++started;
        }
    }
    return result;
}

}  // namespace tessera
