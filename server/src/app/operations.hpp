#pragma once
// Operator commands and the server's /metrics gauges: `tessera backup`, `tessera export`, and the
// collector that reads queue sizes, jobs and the connection pool on each scrape.
#include <iosfwd>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "base/result.hpp"
#include "http/metrics.hpp"
#include "storage/repository.hpp"

namespace tessera::app {

// Items by state, jobs by state and the database pool, read from `repo` on each scrape.
http::GaugeCollector MetricsGauges(Repository& repo);

// SQLite: a consistent copy of the live database (VACUUM INTO, safe while servers write).
// PostgreSQL: runs pg_dump --format=custom, or says how to when pg_dump is not installed.
// Writes OUT.part and renames it, so OUT is complete or absent; refuses an existing OUT.
Status RunBackup(const Config& config, const std::string& out_path, std::ostream& out);

// Streams a project's labels (PROJECT: id or name) in `format` to `out_path`, or to `out` when
// no path is given; the bytes are the ones GET /api/v1/projects/{id}/export returns.
Status RunExport(const Config& config, const std::string& project, const std::string& format,
                 const std::optional<std::string>& out_path, std::ostream& out);

}  // namespace tessera::app
