// The durable job queue.
#include <algorithm>

#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::QueryInt;

Result<Job> SqlRepository::EnqueueJob(const Job& job) {
    return WriteTx<Job>([&](SqlConn& conn) -> Result<Job> {
        TESSERA_ASSIGN_OR_RETURN(
            Id id, QueryInt(conn,
                            "INSERT INTO jobs (kind, project_id, state, payload_json, worker, "
                            "progress_done, progress_total, error, created_at, started_at, "
                            "finished_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                            "$9, $10, $11, $12) RETURNING id",
                            {job.kind, job.project_id, std::string(JobStateName(job.state)),
                             job.payload_json, job.worker, job.progress_done, job.progress_total,
                             job.error, job.created_at, job.started_at, job.finished_at,
                             job.heartbeat_at}));
        Job created = job;
        created.id = id;
        return created;
    });
}

Result<std::optional<Job>> SqlRepository::ClaimJob(const std::vector<std::string>& kinds,
                                                   const std::string& worker, TimeMs now,
                                                   TimeMs stale_before) {
    using Out = std::optional<Job>;
    if (kinds.empty()) {
        return Out();
    }
    // One placeholder per kind ($2, $3, ...): still parameterized, and the statement cache holds
    // one entry per distinct number of kinds.
    std::string in_list;
    SqlParams params{stale_before};
    for (const std::string& kind : kinds) {
        in_list += (in_list.empty() ? "$" : ", $") + std::to_string(params.size() + 1);
        params.emplace_back(kind);
    }
    const std::string sql = "SELECT " + JobColumns() +
                            " FROM jobs WHERE state IN ('queued', 'running') AND kind IN (" +
                            in_list +
                            ") AND (state = 'queued' OR heartbeat_at < $1) ORDER BY created_at, id "
                            "LIMIT 1" +
                            SkipLocked();
    return WriteTx<Out>([&](SqlConn& conn) -> Result<Out> {
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(sql, params));
        if (rows.empty()) {
            return Out();
        }
        Job job = ReadJob(rows[0]);
        TESSERA_TRY(
            conn.Exec("UPDATE jobs SET state = 'running', worker = $2, started_at = $3, "
                      "heartbeat_at = $3 WHERE id = $1",
                      {job.id, worker, now}));
        job.state = JobState::kRunning;
        job.worker = worker;
        job.started_at = now;
        job.heartbeat_at = now;
        return Out(std::move(job));
    });
}

namespace {

Status UpdateJob(SqlDb& db, const std::string& sql, const SqlParams& params) {
    return db.Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(std::int64_t n, conn.Exec(sql, params));
        if (n == 0) {
            return Error::NotFound("job not found");
        }
        return Status::Ok();
    });
}

}  // namespace

Status SqlRepository::UpdateJobProgress(Id job_id, std::int64_t done, std::int64_t total,
                                        TimeMs now) {
    return UpdateJob(db(),
                     "UPDATE jobs SET progress_done = $2, progress_total = $3, heartbeat_at = $4 "
                     "WHERE id = $1",
                     {job_id, done, total, now});
}

Status SqlRepository::FinishJob(Id job_id, JobState state, const std::string& error, TimeMs now) {
    return UpdateJob(db(),
                     "UPDATE jobs SET state = $2, error = $3, finished_at = $4, heartbeat_at = $4 "
                     "WHERE id = $1",
                     {job_id, std::string(JobStateName(state)), error, now});
}

Result<Job> SqlRepository::GetJob(Id job_id) {
    return ReadTx<Job>([&](SqlConn& conn) -> Result<Job> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT " + JobColumns() + " FROM jobs WHERE id = $1", {job_id}));
        if (rows.empty()) {
            return Error::NotFound("job not found");
        }
        return ReadJob(rows[0]);
    });
}

Result<std::vector<Job>> SqlRepository::ListJobs(Id project_id) {
    return ReadTx<std::vector<Job>>([&](SqlConn& conn) -> Result<std::vector<Job>> {
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                 conn.Query("SELECT " + JobColumns() +
                                                " FROM jobs WHERE project_id = $1 ORDER BY "
                                                "created_at DESC, id DESC",
                                            {project_id}));
        std::vector<Job> out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            out.push_back(ReadJob(row));
        }
        return out;
    });
}

Result<std::int64_t> SqlRepository::PruneFinishedJobs(Id project_id, const std::string& kind,
                                                      int keep) {
    return WriteTx<std::int64_t>([&](SqlConn& conn) -> Result<std::int64_t> {
        // jobs_project (project_id, created_at) finds the project's jobs; a project has few.
        return conn.Exec(
            "DELETE FROM jobs WHERE project_id = $1 AND kind = $2 AND state IN ('done', 'failed') "
            "AND id NOT IN (SELECT id FROM jobs WHERE project_id = $1 AND kind = $2 AND state IN "
            "('done', 'failed') ORDER BY created_at DESC, id DESC LIMIT $3)",
            {project_id, kind, std::int64_t{std::max(keep, 0)}});
    });
}

}  // namespace tessera
