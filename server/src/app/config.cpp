#include "app/config.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <map>

#include "base/text.hpp"
#include "http/client_address.hpp"

namespace tessera::app {
namespace {

namespace fs = std::filesystem;

// Settings before paths are resolved: each layer overwrites what it sets.
struct RawSettings {
    std::optional<std::string> data_dir;
    std::optional<std::string> db;
    std::optional<std::string> listen;
    std::optional<std::vector<std::string>> allowed_roots;
    std::optional<std::vector<std::string>> trusted_proxies;
    std::optional<std::vector<std::string>> fetch_allowed_hosts;
    std::optional<bool> secure_cookies;
    std::optional<bool> allow_http_blob_storage;
    std::optional<std::string> secret_key;
    std::optional<std::string> metrics_token;
    std::optional<std::string> metrics_listen;
    // Every integer setting given (kIntSettings), by TOML key.
    std::map<std::string, std::int64_t> ints;
};

// Every integer setting: TOML key, environment variable (none: file only), allowed range, and
// whether it is one of the HTTP server's connection settings (Config::http, passed on to
// http::ServerSettings by key) rather than a field of its own.
struct IntSetting {
    const char* key;
    const char* env;
    std::int64_t min;
    std::int64_t max;
    bool http;
};
constexpr std::int64_t kNoMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMaxCount = 1'000'000;
constexpr IntSetting kIntSettings[] = {
    {"item_limit", nullptr, 1, kNoMax, false},
    {"upload_limit", "TESSERA_UPLOAD_LIMIT", 1, kNoMax, false},
    {"upload_chunk_limit", "TESSERA_UPLOAD_CHUNK_LIMIT", 1, kNoMax, false},
    {"upload_file_limit", "TESSERA_UPLOAD_FILE_LIMIT", 1, kNoMax, false},
    {"login_failures_per_user", "TESSERA_LOGIN_FAILURES_PER_USER", 1, kMaxCount, false},
    {"login_failures_per_address", "TESSERA_LOGIN_FAILURES_PER_ADDRESS", 1, kMaxCount, false},
    {"login_concurrent_checks", "TESSERA_LOGIN_CONCURRENT_CHECKS", 1, kMaxCount, false},
    {"max_connections", "TESSERA_MAX_CONNECTIONS", 1, kNoMax, true},
    {"max_connections_per_address", "TESSERA_MAX_CONNECTIONS_PER_ADDRESS", 0, kNoMax, true},
    {"header_timeout_ms", "TESSERA_HEADER_TIMEOUT_MS", 1, kNoMax, true},
    {"idle_timeout_ms", "TESSERA_IDLE_TIMEOUT_MS", 1, kNoMax, true},
    {"http_threads", "TESSERA_HTTP_THREADS", 0, kNoMax, true},
    {"http_workers", "TESSERA_HTTP_WORKERS", 1, kNoMax, true},
};

const IntSetting* FindIntSetting(const std::string& key) {
    for (const IntSetting& setting : kIntSettings) {
        if (key == setting.key) {
            return &setting;
        }
    }
    return nullptr;
}

Result<RawSettings> ReadConfigFile(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        return Error::NotFound("config file not found: " + path);
    }
    toml::table table;
    try {
        table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        return Error::InvalidArgument("config file " + path + ": " + std::string(e.description()),
                                      "config");
    }
    RawSettings out;
    for (const auto& [key, node] : table) {
        const std::string name(key.str());
        auto wrong = [&](const char* type) {
            return Error::InvalidArgument("config file " + path + ": " + name + " must be " + type,
                                          name);
        };
        if (name == "data_dir" || name == "db" || name == "listen") {
            auto value = node.value<std::string>();
            if (!value) {
                return wrong("a string");
            }
            (name == "data_dir" ? out.data_dir : name == "db" ? out.db : out.listen) = *value;
        } else if (name == "metrics_token" || name == "metrics_listen" || name == "secret_key") {
            auto value = node.value<std::string>();
            if (!value) {
                return wrong("a string");
            }
            (name == "metrics_token"    ? out.metrics_token
             : name == "metrics_listen" ? out.metrics_listen
                                        : out.secret_key) = *value;
        } else if (name == "allowed_roots" || name == "trusted_proxies" ||
                   name == "fetch_allowed_hosts") {
            const toml::array* array = node.as_array();
            if (array == nullptr) {
                return wrong("an array of strings");
            }
            std::vector<std::string> values;
            for (const auto& element : *array) {
                auto value = element.value<std::string>();
                if (!value) {
                    return wrong("an array of strings");
                }
                values.push_back(*value);
            }
            (name == "allowed_roots"     ? out.allowed_roots
             : name == "trusted_proxies" ? out.trusted_proxies
                                         : out.fetch_allowed_hosts) = std::move(values);
        } else if (FindIntSetting(name) != nullptr) {
            auto value = node.value<std::int64_t>();
            if (!value) {
                return wrong("an integer");
            }
            out.ints[name] = *value;
        } else if (name == "secure_cookies" || name == "allow_http_blob_storage") {
            auto value = node.value<bool>();
            if (!value) {
                return wrong("true or false");
            }
            (name == "secure_cookies" ? out.secure_cookies : out.allow_http_blob_storage) = *value;
        } else {
            return Error::InvalidArgument("config file " + path + ": unknown key " + name, name);
        }
    }
    return out;
}

// The non-empty parts of `text` between `separator`s.
std::vector<std::string> SplitOn(const std::string& text, char separator) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(separator, start);
        if (end == std::string::npos) {
            end = text.size();
        }
        if (end > start) {
            out.push_back(text.substr(start, end - start));
        }
        start = end + 1;
    }
    return out;
}

Result<std::int64_t> ParseInt(const std::string& text, const std::string& what) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return Error::InvalidArgument(what + " must be an integer, got '" + text + "'", what);
    }
    return value;
}

Result<bool> ParseBool(const std::string& text, const std::string& what) {
    if (text == "1" || text == "true" || text == "yes") {
        return true;
    }
    if (text == "0" || text == "false" || text == "no" || text.empty()) {
        return false;
    }
    return Error::InvalidArgument(what + " must be true or false", what);
}

Status ApplyEnvironment(const Getenv& getenv, RawSettings& raw) {
    if (auto v = getenv("TESSERA_DATA_DIR")) {
        raw.data_dir = *v;
    }
    if (auto v = getenv("TESSERA_DB")) {
        raw.db = *v;
    }
    if (auto v = getenv("TESSERA_LISTEN")) {
        raw.listen = *v;
    }
    if (auto v = getenv("TESSERA_ALLOWED_ROOTS")) {
        raw.allowed_roots = SplitOn(*v, ':');
    }
    if (auto v = getenv("TESSERA_TRUSTED_PROXIES")) {
        raw.trusted_proxies = SplitOn(*v, ',');
    }
    if (auto v = getenv("TESSERA_FETCH_ALLOWED_HOSTS")) {
        raw.fetch_allowed_hosts = SplitOn(*v, ',');
    }
    for (const IntSetting& setting : kIntSettings) {
        if (setting.env == nullptr) {
            continue;
        }
        if (auto v = getenv(setting.env)) {
            TESSERA_ASSIGN_OR_RETURN(raw.ints[setting.key], ParseInt(*v, setting.env));
        }
    }
    if (auto v = getenv("TESSERA_METRICS_TOKEN")) {
        raw.metrics_token = *v;
    }
    if (auto v = getenv("TESSERA_METRICS_LISTEN")) {
        raw.metrics_listen = *v;
    }
    if (auto v = getenv("TESSERA_SECURE_COOKIES")) {
        TESSERA_ASSIGN_OR_RETURN(raw.secure_cookies, ParseBool(*v, "TESSERA_SECURE_COOKIES"));
    }
    if (auto v = getenv("TESSERA_ALLOW_HTTP_BLOB_STORAGE")) {
        TESSERA_ASSIGN_OR_RETURN(raw.allow_http_blob_storage,
                                 ParseBool(*v, "TESSERA_ALLOW_HTTP_BLOB_STORAGE"));
    }
    if (auto v = getenv("TESSERA_SECRET_KEY")) {
        raw.secret_key = *v;
    }
    return Status::Ok();
}

void ApplyFlags(const CliOptions& options, RawSettings& raw) {
    if (options.data_dir) {
        raw.data_dir = options.data_dir;
    }
    if (options.db) {
        raw.db = options.db;
    }
    if (options.listen) {
        raw.listen = options.listen;
    }
    if (!options.allowed_roots.empty()) {
        raw.allowed_roots = options.allowed_roots;
    }
    if (options.metrics_listen) {
        raw.metrics_listen = options.metrics_listen;
    }
    if (!options.fetch_allowed_hosts.empty()) {
        raw.fetch_allowed_hosts = options.fetch_allowed_hosts;
    }
}

// A small positive count (a limit of logins or hashes).
// The integer settings given, checked against their range, into `config`.
Status ApplyIntSettings(const RawSettings& raw, Config& config) {
    for (const IntSetting& setting : kIntSettings) {
        auto it = raw.ints.find(setting.key);
        if (it == raw.ints.end()) {
            continue;
        }
        const std::int64_t value = it->second;
        if (value < setting.min || value > setting.max) {
            const std::string range =
                setting.max == kNoMax
                    ? "at least " + std::to_string(setting.min)
                    : "from " + std::to_string(setting.min) + " to " + std::to_string(setting.max);
            return Error::InvalidArgument(std::string(setting.key) + " must be " + range,
                                          setting.key);
        }
        const std::string_view key = setting.key;
        if (setting.http) {
            config.http[setting.key] = value;
        } else if (key == "item_limit") {
            config.item_limit = value;
        } else if (key == "upload_limit") {
            config.upload_limit = value;
        } else if (key == "upload_chunk_limit") {
            config.upload_chunk_limit = value;
        } else if (key == "upload_file_limit") {
            config.upload_file_limit = value;
        } else if (key == "login_failures_per_user") {
            config.login_failures_per_user = static_cast<int>(value);
        } else if (key == "login_failures_per_address") {
            config.login_failures_per_address = static_cast<int>(value);
        } else if (key == "login_concurrent_checks") {
            config.login_concurrent_checks = static_cast<int>(value);
        }
    }
    return Status::Ok();
}

Result<std::vector<fs::path>> CanonicalRoots(const std::vector<std::string>& roots) {
    std::vector<fs::path> out;
    for (const std::string& root : roots) {
        if (HasControlCharacter(root)) {
            return Error::InvalidArgument("allowed root has a control character");
        }
        std::error_code ec;
        fs::path canonical = fs::canonical(root, ec);
        if (ec || !fs::is_directory(canonical, ec)) {
            return Error::NotFound("allowed root is not an existing directory: " + root);
        }
        out.push_back(canonical);
    }
    return out;
}

}  // namespace

Getenv ProcessEnvironment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        return value == nullptr ? std::nullopt : std::optional<std::string>(value);
    };
}

bool IsPostgresUrl(const std::string& db) {
    return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

Result<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& text) {
    const Error bad = Error::InvalidArgument(
        "listen address must be HOST:PORT (e.g. 127.0.0.1:8080), got '" + text + "'", "listen");
    std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
        return bad;
    }
    std::string host = text.substr(0, colon);
    if (host.front() == '[') {
        if (host.back() != ']' || host.size() < 3) {
            return bad;
        }
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return bad;  // a bare IPv6 address needs brackets
    }
    std::string port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        return bad;
    }
    return std::make_pair(host, static_cast<std::uint16_t>(port));
}

Result<Config> LoadConfig(const CliOptions& options, const Getenv& getenv) {
    RawSettings raw;
    std::optional<std::string> config_path = options.config;
    if (!config_path) {
        config_path = getenv("TESSERA_CONFIG");
    }
    if (config_path) {
        TESSERA_ASSIGN_OR_RETURN(raw, ReadConfigFile(*config_path));
    }
    TESSERA_TRY(ApplyEnvironment(getenv, raw));
    ApplyFlags(options, raw);

    Config config;
    if (raw.data_dir) {
        if (raw.data_dir->empty()) {
            return Error::InvalidArgument("data dir must not be empty", "data_dir");
        }
        if (HasControlCharacter(*raw.data_dir)) {
            return Error::InvalidArgument("data dir has a control character", "data_dir");
        }
        config.data_dir = *raw.data_dir;
    }
    config.db = raw.db.value_or((config.data_dir / "tessera.db").string());
    if (config.db.empty()) {
        return Error::InvalidArgument("db must not be empty", "db");
    }
    if (raw.listen) {
        TESSERA_ASSIGN_OR_RETURN(auto listen, ParseListen(*raw.listen));
        config.listen_host = listen.first;
        config.listen_port = listen.second;
    }
    if (raw.allowed_roots && !raw.allowed_roots->empty()) {
        TESSERA_ASSIGN_OR_RETURN(config.allowed_roots, CanonicalRoots(*raw.allowed_roots));
    } else {
        TESSERA_ASSIGN_OR_RETURN(config.allowed_roots, CanonicalRoots({"."}));
        config.allowed_roots_defaulted = true;
    }
    if (raw.trusted_proxies) {
        TESSERA_TRY(http::TrustedProxies::Parse(*raw.trusted_proxies));  // names a bad entry
        config.trusted_proxies = *raw.trusted_proxies;
    }
    if (raw.fetch_allowed_hosts) {
        // Checked when the server starts (app.cpp, ParseFetchAllowList).
        config.fetch_allowed_hosts = *raw.fetch_allowed_hosts;
    }
    TESSERA_TRY(ApplyIntSettings(raw, config));
    config.secure_cookies = raw.secure_cookies.value_or(false);
    config.allow_http_blob_storage = raw.allow_http_blob_storage.value_or(false);
    config.secret_key = raw.secret_key.value_or("");
    config.metrics_token = raw.metrics_token.value_or("");
    if (!config.metrics_token.empty() && config.metrics_token.size() < 16) {
        return Error::InvalidArgument("metrics_token must be at least 16 characters",
                                      "metrics_token");
    }
    if (raw.metrics_listen && !raw.metrics_listen->empty()) {
        TESSERA_ASSIGN_OR_RETURN(config.metrics_listen, ParseListen(*raw.metrics_listen));
    }
    if (auto lease = getenv("TESSERA_LEASE_SECONDS")) {
        TESSERA_ASSIGN_OR_RETURN(std::int64_t seconds, ParseInt(*lease, "TESSERA_LEASE_SECONDS"));
        if (seconds < 1) {
            return Error::InvalidArgument("TESSERA_LEASE_SECONDS must be at least 1",
                                          "TESSERA_LEASE_SECONDS");
        }
        config.lease_ms = seconds * 1000;
    }
    return config;
}

}  // namespace tessera::app
