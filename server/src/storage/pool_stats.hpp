#pragma once
// How busy a repository's database connections are, read without a query (GET /metrics).
namespace tessera {

struct PoolStats {
    int connections = 0;  // open connections (SQLite: the readers and the writer)
    int in_use = 0;       // inside a transaction now
    int idle = 0;
    // Callers waiting for a connection (SQLite: for a reader, plus the writes queued for the
    // next group commit).
    int waiting = 0;
};

}  // namespace tessera
