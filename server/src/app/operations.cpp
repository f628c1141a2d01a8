#include "app/operations.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <vector>

#include "app/app.hpp"
#include "base/clock.hpp"
#include "services/export_service.hpp"
#include "storage/sqlite/sqlite_repository.hpp"

namespace tessera::app {
namespace {

namespace fs = std::filesystem;

std::vector<std::pair<std::string, double>> AsSamples(
    const std::vector<std::pair<std::string, std::int64_t>>& counts) {
    std::vector<std::pair<std::string, double>> out;
    out.reserve(counts.size());
    for (const auto& [name, n] : counts) {
        out.emplace_back(name, static_cast<double>(n));
    }
    return out;
}

// OUT must not exist yet (a backup never overwrites one), and its folder must.
Status CheckNewFile(const fs::path& path) {
    std::error_code ec;
    if (fs::exists(path, ec)) {
        return Error::Conflict(path.string() + " already exists; choose a new file name");
    }
    const fs::path parent = path.parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec)) {
        return Error::NotFound("no such directory: " + parent.string());
    }
    return Status::Ok();
}

Status Publish(const fs::path& part, const fs::path& path) {
    std::error_code ec;
    fs::rename(part, path, ec);
    if (ec) {
        fs::remove(part, ec);
        return Error::Unavailable("cannot rename " + part.string() + ": " + ec.message());
    }
    return Status::Ok();
}

// Runs pg_dump (found on PATH) with the database URL; its own messages go to our stderr.
Status RunPgDump(const std::string& url, const fs::path& part) {
    const std::string file_arg = "--file=" + part.string();
    const std::string db_arg = "--dbname=" + url;
    std::vector<const char*> argv = {"pg_dump", "--format=custom", file_arg.c_str(), db_arg.c_str(),
                                     nullptr};
    pid_t pid = fork();
    if (pid < 0) {
        return Error::Unavailable(std::string("cannot start pg_dump: ") + std::strerror(errno));
    }
    if (pid == 0) {
        execvp("pg_dump", const_cast<char* const*>(argv.data()));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        return Error::Unavailable(
            "pg_dump is not installed; back up PostgreSQL with: pg_dump --format=custom "
            "--file=FILE --dbname=URL (docs/deploy.md)");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return Error::Unavailable("pg_dump failed (its message is above)");
    }
    return Status::Ok();
}

// A project by id (digits) or by name.
Result<Project> FindProject(Repository& repo, const std::string& key) {
    TESSERA_ASSIGN_OR_RETURN(std::vector<Project> projects, repo.ListProjects());
    Id id = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    const bool numeric = ec == std::errc() && end == key.data() + key.size();
    for (const Project& project : projects) {
        if ((numeric && project.id == id) || project.name == key) {
            return project;
        }
    }
    return Error::NotFound("no project with id or name '" + key + "'");
}

class OstreamSink final : public ByteSink {
public:
    explicit OstreamSink(std::ostream& out) : out_(out) {}
    Status Write(std::string_view bytes) override {
        out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out_) {
            return Error::Unavailable("cannot write the export (disk full or output closed?)");
        }
        return Status::Ok();
    }

private:
    std::ostream& out_;
};

}  // namespace

http::GaugeCollector MetricsGauges(Repository& repo) {
    return [&repo]() -> Result<std::vector<http::GaugeFamily>> {
        TESSERA_ASSIGN_OR_RETURN(OpsCounts counts, repo.CountForOps());
        const PoolStats pool = repo.PoolStatus();
        return std::vector<http::GaugeFamily>{
            {"tessera_items", "Items of live projects by state (leased items count as unlabeled).",
             "state", AsSamples(counts.items_by_state)},
            {"tessera_jobs", "Background job rows by state.", "state",
             AsSamples(counts.jobs_by_state)},
            {"tessera_db_connections",
             "Database connections of this process by state (SQLite: readers and the writer).",
             "state",
             {{"in_use", pool.in_use}, {"idle", pool.idle}}},
            {"tessera_db_waiting",
             "Callers waiting for a database connection (SQLite: also queued writes).",
             "",
             {{"", pool.waiting}}}};
    };
}

Status RunBackup(const Config& config, const std::string& out_path, std::ostream& out) {
    const fs::path path(out_path);
    TESSERA_TRY(CheckNewFile(path));
    const fs::path part = path.string() + ".part";
    std::error_code ec;
    fs::remove(part, ec);
    if (IsPostgresUrl(config.db)) {
        TESSERA_TRY(RunPgDump(config.db, part));
    } else {
        if (!fs::is_regular_file(config.db, ec)) {
            return Error::NotFound("no SQLite database at " + config.db);
        }
        if (Status copied = SqliteRepository::BackupInto(config.db, part.string()); !copied.ok()) {
            fs::remove(part, ec);
            return copied;
        }
    }
    TESSERA_TRY(Publish(part, path));
    out << "backup written: " << path.string() << "\n";
    return Status::Ok();
}

Status RunExport(const Config& config, const std::string& project, const std::string& format,
                 const std::optional<std::string>& out_path, std::ostream& out) {
    std::optional<ExportFormat> parsed = ParseExportFormat(format);
    if (!parsed) {
        return Error::InvalidArgument("unknown export format '" + format +
                                          "'; use csv, jsonl, mltable, coco, coco-azure, voc, "
                                          "yolo or masks",
                                      "--format");
    }
    if (out_path) {
        TESSERA_TRY(CheckNewFile(*out_path));
    }
    if (!IsPostgresUrl(config.db) && !fs::is_regular_file(config.db)) {
        return Error::NotFound("no SQLite database at " + config.db);
    }
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<Repository> repo, OpenRepository(config));
    TESSERA_ASSIGN_OR_RETURN(Project found, FindProject(*repo, project));
    SystemClock clock;
    ExportService exports(*repo, clock);
    User operator_user;  // the operator at the console acts as an owner
    operator_user.username = "tessera-cli";
    operator_user.role = Role::kOwner;
    TESSERA_TRY(exports.Prepare(operator_user, found.id, *parsed));
    if (!out_path) {
        OstreamSink sink(out);
        TESSERA_TRY(exports.Write(operator_user, found.id, *parsed, sink));
        out.flush();
        return Status::Ok();
    }
    const fs::path part = *out_path + ".part";
    Status written = Status::Ok();
    {
        std::ofstream file(part, std::ios::binary | std::ios::trunc);
        if (!file) {
            return Error::Unavailable("cannot write " + part.string());
        }
        OstreamSink sink(file);
        written = exports.Write(operator_user, found.id, *parsed, sink);
        file.close();
        if (written.ok() && !file) {
            written = Error::Unavailable("cannot write " + part.string());
        }
    }
    if (!written.ok()) {
        std::error_code ec;
        fs::remove(part, ec);
        return written;
    }
    return Publish(part, *out_path);
}

}  // namespace tessera::app
