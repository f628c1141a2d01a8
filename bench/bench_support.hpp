#pragma once
// Pieces the repository-driven benchmarks (load_bench, coco_bench, import_bench) share: opening
// the database a --db argument names, the peak memory each phase reports, and the box projects
// of N item rows that the import benchmarks fill.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "storage/postgres/postgres_repository.hpp"
#include "storage/sqlite/sqlite_repository.hpp"

namespace tessera::bench {

// Peak resident set of this process in MB (getrusage reports KiB on Linux).
inline long PeakRssMb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

// A postgresql:// URL opens PostgreSQL (with `pg_pool` connections when > 0, else the default
// pool), anything else a SQLite file.
inline Result<std::unique_ptr<Repository>> OpenRepo(const std::string& db, int pg_pool = 0) {
    if (db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0) {
        TESSERA_ASSIGN_OR_RETURN(auto pg, pg_pool > 0 ? PostgresRepository::Open(db, pg_pool)
                                                      : PostgresRepository::Open(db));
        return std::unique_ptr<Repository>(std::move(pg));
    }
    TESSERA_ASSIGN_OR_RETURN(auto lite, SqliteRepository::Open(db));
    return std::unique_ptr<Repository>(std::move(lite));
}

inline double SecondsSince(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

inline const User kBenchOwner{0, "bench-owner", Role::kOwner, "x", 0};

inline Result<Id> FindProject(Repository& repo, const std::string& name) {
    TESSERA_ASSIGN_OR_RETURN(auto projects, repo.ListProjects());
    for (const auto& p : projects) {
        if (p.name == name) {
            return p.id;
        }
    }
    return Error::NotFound("no project " + name + "; run --phase seed first");
}

// The name of item `i` in the box projects below (1,000 images a folder).
inline std::string BenchItemPath(std::int64_t i) {
    return "dir" + std::to_string(i / 1000) + "/img" + std::to_string(i) + ".jpg";
}

// A running bbox project of `images` item rows of width x height (no files behind them),
// unlabeled, with the labels `labels_json`.
inline Result<Id> CreateBoxProject(Repository& repo, const std::string& name, std::int64_t images,
                                   int width, int height, const std::string& labels_json) {
    constexpr std::size_t kBatch = 5000;
    Project p;
    p.name = name;
    p.task_type = TaskType::kBbox;
    p.status = ProjectStatus::kRunning;
    p.labels_json = labels_json;
    p.datasource.path = "/bench";
    p.datasource.pattern = "**/*.*";
    p.item_limit = images;
    p.shuffle_seed = 7;
    TESSERA_ASSIGN_OR_RETURN(Project created, repo.CreateProject(p));
    std::vector<NewItem> batch;
    for (std::int64_t i = 0; i < images; ++i) {
        batch.push_back(
            NewItem{BenchItemPath(i), 123456, width, height, "jpeg", ItemState::kUnlabeled, ""});
        if (batch.size() == kBatch || i + 1 == images) {
            TESSERA_TRY(repo.InsertItems(created.id, batch, 0));
            batch.clear();
        }
    }
    return created.id;
}

// Boxes stored as the items' results, read back through the export rows.
inline Result<std::int64_t> CountBoxes(Repository& repo, Id project) {
    std::int64_t boxes = 0;
    bool bad = false;
    TESSERA_TRY(repo.ForEachExportRow(project, [&](const ExportRow& row) {
        auto payload = nlohmann::json::parse(row.annotation.payload_json, nullptr, false);
        if (payload.is_discarded() || !payload.contains("shapes")) {
            bad = true;
            return false;
        }
        boxes += static_cast<std::int64_t>(payload["shapes"].size());
        return true;
    }));
    if (bad) {
        return Error::Internal("a stored payload has no shapes");
    }
    return boxes;
}

}  // namespace tessera::bench
