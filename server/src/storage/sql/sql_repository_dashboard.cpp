// Dashboard figures from counter tables (O(1) in the project size) and the streaming export.
#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::QueryInt;
using sql_internal::RequireLiveProject;

namespace {

constexpr std::int64_t kExportPage = 5000;

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
    const std::string sql = "SELECT " + ItemColumns("i") + ", " + AnnotationColumns("a") +
                            ", COALESCE(u.username, '') FROM items i JOIN annotations a ON a.id "
                            "= i.result_annotation_id LEFT JOIN users u ON u.id = a.author_id "
                            "WHERE i.project_id = $1 AND i.state = 'labeled' AND i.id > $2 "
                            "ORDER BY i.id LIMIT $3";
    Id after = 0;
    while (true) {
        // One short read per page; callbacks run outside it so a slow client holds no
        // connection or snapshot.
        std::vector<ExportRow> page;
        TESSERA_TRY(db().Read([&](SqlConn& conn) -> Status {
            page.clear();
            TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                     conn.Query(sql, {project_id, after, kExportPage}));
            page.reserve(rows.size());
            for (const SqlRow& row : rows) {
                page.push_back({ReadItem(row), ReadAnnotation(row, kItemColumnCount),
                                row.Text(kItemColumnCount + kAnnotationColumnCount)});
            }
            return Status::Ok();
        }));
        for (const ExportRow& row : page) {
            if (!callback(row)) {
                return Status::Ok();
            }
        }
        if (static_cast<std::int64_t>(page.size()) < kExportPage) {
            return Status::Ok();
        }
        after = page.back().item.id;
    }
}

}  // namespace tessera
