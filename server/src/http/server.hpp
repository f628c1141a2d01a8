#pragma once
// HTTP/1.1 server. Model: accepting, reading requests and writing responses are asynchronous on
// one io_context run by a fixed pool of I/O threads, so an idle or slow connection costs no
// thread. A request whose head and body have arrived is handed to a bounded pool of worker
// threads, where handlers may block on the database; stream callbacks run there too. Keep-alive,
// chunked streaming, file bodies, a JSON body limit, deadlines, connection caps and graceful
// shutdown are handled here; routing and auth come in.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "http/client_address.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace tessera::http {

struct ServerSettings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 picks a free port; see Server::port()
    // Over either cap a new connection gets an immediate 503 with Retry-After and is closed.
    std::size_t max_connections = 10'000;
    std::size_t max_connections_per_address = 256;  // 0: no per-address cap
    // Their connections are not capped per address (they carry many clients), and their
    // X-Forwarded-For names the client (client_address.hpp).
    TrustedProxies trusted_proxies;
    std::size_t io_threads = 0;     // 0: max(4, 2 x hardware threads)
    std::size_t max_workers = 512;  // threads running handlers and streams
    // The whole request head must arrive within this, counted from the connection's accept or,
    // on a kept-alive connection, from the first byte of the next request.
    std::chrono::milliseconds header_timeout{5'000};
    std::chrono::milliseconds idle_timeout{30'000};  // kept-alive connection between requests
    std::chrono::milliseconds io_timeout{60'000};    // a JSON body; each upload read; each write
    std::size_t body_limit = 1 << 20;                // JSON bodies; more is a 413
    // Uploads (POST .../import) carry whole annotation files or zips: up to this many bytes,
    // streamed into a temp file in upload_dir (held in memory when upload_dir is empty).
    std::size_t upload_body_limit = std::size_t{4} << 30;
    // tus chunks (PATCH .../uploads/{upload_id}, POST .../uploads/ with a body) are stored the
    // same way, each up to this many bytes: clients send a file in pieces of 8 MiB or so.
    std::size_t upload_chunk_limit = std::size_t{64} << 20;
    std::filesystem::path upload_dir;
    std::chrono::milliseconds shutdown_grace{60'000};  // then Shutdown returns anyway
};

// Establishes who sent a request (cookie + CSRF or bearer). Called from worker threads.
using Authenticator = std::function<Result<Principal>(const RawRequest&)>;

struct ServerState;  // shared with connection threads (server_state.hpp)

class Server {
public:
    // `router` must outlive the server and not change after Start().
    Server(const Router& router, Authenticator authenticate, Random& random,
           ServerSettings settings);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds, listens, logs `msg=listening address=HOST:PORT` and starts accepting.
    Status Start();
    std::uint16_t port() const { return port_; }
    // Stops accepting, closes idle keep-alive connections, asks streams to end and waits for
    // in-flight requests to finish (at most shutdown_grace). True when every connection was
    // done within the grace period (false: the rest were dropped). Idempotent (true again);
    // call it from the thread that owns the server (the destructor calls it too).
    bool Shutdown();

private:
    std::shared_ptr<ServerState> state_;
    std::uint16_t port_ = 0;
    bool started_ = false;
    bool shut_down_ = false;
};

}  // namespace tessera::http
