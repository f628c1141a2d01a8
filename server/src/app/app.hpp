#pragma once
// The composition root: the only place that picks SQLite or PostgreSQL, wires the system clock
// and randomness into services, and starts the HTTP server and the job runner.
#include <iosfwd>
#include <memory>
#include <string>

#include "app/config.hpp"
#include "base/result.hpp"
#include "storage/repository.hpp"

namespace tessera::app {

std::string Version();

// A postgresql:// URL opens PostgreSQL; anything else is a SQLite file (its folder is created).
// Migrates before returning.
Result<std::unique_ptr<Repository>> OpenRepository(const Config& config);

// Blocks SIGTERM and SIGINT in the calling thread (and so in every thread started later); the
// serve and worker loops then wait for them with sigwait.
void BlockTerminationSignals();

// Runs until SIGTERM/SIGINT, then stops accepting, lets in-flight requests finish and returns.
Status RunServe(const Config& config, const char* argv0);
// Only the job runner, until SIGTERM/SIGINT; with `once`, runs the jobs that can be claimed
// now (queued, or running with a stale heartbeat) on this thread and returns.
Status RunWorker(const Config& config, const char* argv0, bool once = false);
Status RunMigrate(const Config& config, std::ostream& out);
// Reads the password as one line from `in`.
Status RunUserAdd(const Config& config, const std::string& username, const std::string& role,
                  std::istream& in, std::ostream& out);

}  // namespace tessera::app
