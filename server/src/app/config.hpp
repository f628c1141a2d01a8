#pragma once
// Server settings from four layers, highest first: command-line flags, environment
// (TESSERA_DATA_DIR, TESSERA_DB, TESSERA_LISTEN, TESSERA_ALLOWED_ROOTS colon-separated), the
// TOML file given with --config, built-in defaults. See docs/design/http.md.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace tessera::app {

// What the command line said; unset options fall through to the next layer.
struct CliOptions {
    std::string command;  // serve, worker, migrate, backup, export, version, help, user, model
    std::vector<std::string> positional;  // after the command, e.g. {"add", "alice"}
    bool once = false;                    // worker --once: run the claimable jobs, then exit
    std::optional<std::string> out;       // backup/export: the file to write
    std::optional<std::string> format;    // export --format
    std::optional<std::string> config;
    std::optional<std::string> data_dir;
    std::optional<std::string> db;
    std::optional<std::string> listen;
    std::vector<std::string> allowed_roots;
    std::optional<std::string> role;
    std::optional<std::string> metrics_listen;
    std::vector<std::string> fetch_allowed_hosts;  // --fetch-allowed-host, repeatable
    // upload (app/upload_command.hpp)
    bool overwrite = false;
    std::optional<std::string> server;
    std::optional<std::string> token;
    std::optional<std::string> parallel;
    std::optional<std::string> chunk_size;
    std::optional<std::string> state;
    // model add (app/model_command.hpp)
    std::optional<std::string> input;
    std::optional<std::string> mean;
    std::optional<std::string> std;
    std::optional<std::string> sha256;
};

struct Config {
    std::filesystem::path data_dir = "tessera-data";
    std::string db;  // a SQLite path or a postgresql:// URL
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 8080;
    std::vector<std::filesystem::path> allowed_roots;  // canonical
    bool allowed_roots_defaulted = false;              // none configured: the current directory
    // Reverse proxies whose X-Forwarded-For names the client (http/client_address.hpp);
    // addresses or networks, checked when read.
    std::vector<std::string> trusted_proxies;
    std::int64_t item_limit = 500000;
    // Largest import upload in bytes (413 above it); uploads are streamed to DATA_DIR/uploads.
    std::int64_t upload_limit = std::int64_t{4} << 30;
    // Image uploads (tus, docs/design/uploads.md): each PATCH body up to the chunk limit (413
    // above it), each file up to the file limit (Tus-Max-Size).
    std::int64_t upload_chunk_limit = std::int64_t{64} << 20;
    std::int64_t upload_file_limit = std::int64_t{4} << 30;
    bool secure_cookies = false;  // mark the session cookie Secure (HTTPS in front)
    // Datasource credentials are sealed under this key (base64 of 32 bytes; TESSERA_SECRET_KEY
    // or `secret_key`); empty: the key file DATA_DIR/secret.key, made on first use (0600).
    std::string secret_key;
    // Azure Blob datasources over plain http to hosts other than the loopback (Azurite).
    bool allow_http_blob_storage = false;
    // Hosts whose http(s) images manifests may name (blobs/url_fetch.hpp: "img.example.com",
    // "10.0.0.7", "*.cdn.example.org"); empty: no URL is fetched.
    std::vector<std::string> fetch_allowed_hosts;
    // GET /metrics: with a token, served on the main listener to `Authorization: Bearer TOKEN`;
    // with a metrics listener, served there (also needing the token when one is set). Neither:
    // /metrics answers 404. See docs/deploy.md.
    std::string metrics_token;
    std::optional<std::pair<std::string, std::uint16_t>> metrics_listen;
    // HTTP connection handling set by the user, by TOML key (max_connections,
    // max_connections_per_address, header_timeout_ms, idle_timeout_ms, http_threads,
    // http_workers); what is absent keeps http::ServerSettings' default.
    std::map<std::string, std::int64_t> http;
    // Login throttle (services/login_throttle.hpp): failures before a 30 s lock, per username
    // and per client address, and password hashes allowed to run at once.
    int login_failures_per_user = 5;
    int login_failures_per_address = 20;
    int login_concurrent_checks = 4;
    // Hidden knob for tests (TESSERA_LEASE_SECONDS): how long a labeling page stays leased.
    TimeMs lease_ms = TimeMs{10} * 60 * 1000;
};

using Getenv = std::function<std::optional<std::string>(const std::string&)>;
Getenv ProcessEnvironment();

// kInvalidArgument naming the setting for bad values; kNotFound for a missing config file or
// allowed root.
Result<Config> LoadConfig(const CliOptions& options, const Getenv& getenv);

// "HOST:PORT" or "[v6]:PORT"; port 0 picks a free one.
Result<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& text);

// True for postgres:// and postgresql:// URLs; anything else is a SQLite path.
bool IsPostgresUrl(const std::string& db);

}  // namespace tessera::app
