#include "app/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <map>

namespace tessera::app {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tessera-config-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = fs::canonical(tmpl);
        for (const char* name : {"file_root", "env_root", "flag_root"}) {
            fs::create_directory(dir_ / name);
        }
    }
    void TearDown() override { fs::remove_all(dir_); }

    Getenv Env() const {
        return [this](const std::string& name) -> std::optional<std::string> {
            auto it = env_.find(name);
            return it == env_.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
    }

    std::string WriteFile(const std::string& text) {
        fs::path path = dir_ / "tessera.toml";
        std::ofstream(path) << text;
        return path.string();
    }

    fs::path dir_;
    std::map<std::string, std::string> env_;
};

TEST_F(ConfigTest, DefaultsWhenNothingIsSet) {
    auto config = LoadConfig({}, Env());
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->data_dir, fs::path("tessera-data"));
    EXPECT_EQ(config->db, "tessera-data/tessera.db");
    EXPECT_EQ(config->listen_host, "127.0.0.1");
    EXPECT_EQ(config->listen_port, 8080);
    ASSERT_EQ(config->allowed_roots.size(), 1u);
    EXPECT_EQ(config->allowed_roots[0], fs::current_path());
    EXPECT_TRUE(config->allowed_roots_defaulted);
    EXPECT_EQ(config->item_limit, 500000);
    EXPECT_FALSE(config->secure_cookies);
}

TEST_F(ConfigTest, BlobStorageSecretKeyAndHttpFromFileAndEnvironment) {
    auto defaults = LoadConfig({}, Env());
    ASSERT_TRUE(defaults.ok()) << defaults.error().message;
    EXPECT_EQ(defaults->secret_key, "");  // the data dir's key file
    EXPECT_FALSE(defaults->allow_http_blob_storage);

    CliOptions options;
    options.config = WriteFile("secret_key = 'from-file'\nallow_http_blob_storage = true\n");
    auto from_file = LoadConfig(options, Env());
    ASSERT_TRUE(from_file.ok()) << from_file.error().message;
    EXPECT_EQ(from_file->secret_key, "from-file");
    EXPECT_TRUE(from_file->allow_http_blob_storage);

    env_["TESSERA_SECRET_KEY"] = "from-env";
    env_["TESSERA_ALLOW_HTTP_BLOB_STORAGE"] = "0";
    auto from_env = LoadConfig(options, Env());
    ASSERT_TRUE(from_env.ok()) << from_env.error().message;
    EXPECT_EQ(from_env->secret_key, "from-env");
    EXPECT_FALSE(from_env->allow_http_blob_storage);

    env_["TESSERA_ALLOW_HTTP_BLOB_STORAGE"] = "perhaps";
    auto bad = LoadConfig(options, Env());
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "TESSERA_ALLOW_HTTP_BLOB_STORAGE");
    options.config = WriteFile("allow_http_blob_storage = 'yes'\n");
    env_.clear();
    auto wrong_type = LoadConfig(options, Env());
    ASSERT_FALSE(wrong_type.ok());
    EXPECT_EQ(wrong_type.error().field, "allow_http_blob_storage");
}

TEST_F(ConfigTest, FetchAllowedHostsFromFileEnvironmentAndFlags) {
    auto defaults = LoadConfig({}, Env());
    ASSERT_TRUE(defaults.ok()) << defaults.error().message;
    EXPECT_TRUE(defaults->fetch_allowed_hosts.empty());  // no URL is fetched
    CliOptions options;
    options.config = WriteFile("fetch_allowed_hosts = ['img.example.com', '*.cdn.example.org']\n");
    auto from_file = LoadConfig(options, Env());
    ASSERT_TRUE(from_file.ok()) << from_file.error().message;
    EXPECT_EQ(from_file->fetch_allowed_hosts,
              (std::vector<std::string>{"img.example.com", "*.cdn.example.org"}));
    env_["TESSERA_FETCH_ALLOWED_HOSTS"] = "a.example.com,127.0.0.1";
    EXPECT_EQ(LoadConfig(options, Env())->fetch_allowed_hosts,
              (std::vector<std::string>{"a.example.com", "127.0.0.1"}));
    options.fetch_allowed_hosts = {"b.example.com"};
    EXPECT_EQ(LoadConfig(options, Env())->fetch_allowed_hosts,
              std::vector<std::string>{"b.example.com"});
    options = {};
    env_.clear();
    options.config = WriteFile("fetch_allowed_hosts = 'img.example.com'\n");
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "fetch_allowed_hosts");
}

TEST_F(ConfigTest, FlagsBeatEnvironmentWhichBeatsTheFile) {
    CliOptions options;
    options.config = WriteFile("data_dir = '" + (dir_ / "file_data").string() + "'\n" +
                               "listen = '127.0.0.1:1000'\n" + "allowed_roots = ['" +
                               (dir_ / "file_root").string() + "']\n" + "item_limit = 42\n" +
                               "db = 'file.db'\n");
    auto from_file = LoadConfig(options, Env());
    ASSERT_TRUE(from_file.ok()) << from_file.error().message;
    EXPECT_EQ(from_file->data_dir, dir_ / "file_data");
    EXPECT_EQ(from_file->db, "file.db");
    EXPECT_EQ(from_file->listen_port, 1000);
    EXPECT_EQ(from_file->allowed_roots, std::vector<fs::path>{dir_ / "file_root"});
    EXPECT_FALSE(from_file->allowed_roots_defaulted);
    EXPECT_EQ(from_file->item_limit, 42);

    env_["TESSERA_LISTEN"] = "0.0.0.0:2000";
    env_["TESSERA_ALLOWED_ROOTS"] =
        (dir_ / "env_root").string() + ":" + (dir_ / "file_root").string();
    env_["TESSERA_DB"] = "env.db";
    auto from_env = LoadConfig(options, Env());
    ASSERT_TRUE(from_env.ok()) << from_env.error().message;
    EXPECT_EQ(from_env->listen_host, "0.0.0.0");
    EXPECT_EQ(from_env->listen_port, 2000);
    EXPECT_EQ(from_env->db, "env.db");
    EXPECT_EQ(from_env->allowed_roots.size(), 2u);
    EXPECT_EQ(from_env->data_dir, dir_ / "file_data");  // not overridden

    options.listen = "[::1]:3000";
    options.allowed_roots = {(dir_ / "flag_root").string()};
    options.db = "postgresql://u@h/db";
    auto from_flags = LoadConfig(options, Env());
    ASSERT_TRUE(from_flags.ok()) << from_flags.error().message;
    EXPECT_EQ(from_flags->listen_host, "::1");
    EXPECT_EQ(from_flags->listen_port, 3000);
    EXPECT_EQ(from_flags->db, "postgresql://u@h/db");
    EXPECT_EQ(from_flags->allowed_roots, std::vector<fs::path>{dir_ / "flag_root"});
}

TEST_F(ConfigTest, DbDefaultsUnderTheChosenDataDir) {
    CliOptions options;
    options.data_dir = (dir_ / "d").string();
    auto config = LoadConfig(options, Env());
    ASSERT_TRUE(config.ok());
    EXPECT_EQ(config->db, (dir_ / "d" / "tessera.db").string());
}

TEST_F(ConfigTest, BadValuesAreInvalidArguments) {
    CliOptions bad_listen;
    bad_listen.listen = "8080";
    EXPECT_EQ(LoadConfig(bad_listen, Env()).error().code, ErrorCode::kInvalidArgument);

    CliOptions missing_root;
    missing_root.allowed_roots = {(dir_ / "nope").string()};
    EXPECT_EQ(LoadConfig(missing_root, Env()).error().code, ErrorCode::kNotFound);

    CliOptions missing_file;
    missing_file.config = (dir_ / "absent.toml").string();
    EXPECT_EQ(LoadConfig(missing_file, Env()).error().code, ErrorCode::kNotFound);

    CliOptions unknown_key;
    unknown_key.config = WriteFile("colour = 'blue'\n");
    auto unknown = LoadConfig(unknown_key, Env());
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().message.find("colour"), std::string::npos);

    CliOptions wrong_type;
    wrong_type.config = WriteFile("item_limit = 'many'\n");
    EXPECT_EQ(LoadConfig(wrong_type, Env()).error().field, "item_limit");

    CliOptions broken;
    broken.config = WriteFile("listen = \n");
    EXPECT_EQ(LoadConfig(broken, Env()).error().code, ErrorCode::kInvalidArgument);

    env_["TESSERA_LEASE_SECONDS"] = "soon";
    EXPECT_EQ(LoadConfig({}, Env()).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ConfigTest, UploadLimitFromFileThenEnvironment) {
    EXPECT_EQ(LoadConfig({}, Env())->upload_limit, std::int64_t{4} << 30);
    CliOptions options;
    options.config = WriteFile("upload_limit = 1000\n");
    EXPECT_EQ(LoadConfig(options, Env())->upload_limit, 1000);
    env_["TESSERA_UPLOAD_LIMIT"] = "2000";
    EXPECT_EQ(LoadConfig(options, Env())->upload_limit, 2000);
    env_["TESSERA_UPLOAD_LIMIT"] = "0";
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "upload_limit");
    env_["TESSERA_UPLOAD_LIMIT"] = "4G";
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "TESSERA_UPLOAD_LIMIT");
}

TEST_F(ConfigTest, ImageUploadLimits) {
    EXPECT_EQ(LoadConfig({}, Env())->upload_chunk_limit, std::int64_t{64} << 20);
    EXPECT_EQ(LoadConfig({}, Env())->upload_file_limit, std::int64_t{4} << 30);
    CliOptions options;
    options.config = WriteFile("upload_chunk_limit = 1000\nupload_file_limit = 5000\n");
    EXPECT_EQ(LoadConfig(options, Env())->upload_chunk_limit, 1000);
    EXPECT_EQ(LoadConfig(options, Env())->upload_file_limit, 5000);
    env_["TESSERA_UPLOAD_CHUNK_LIMIT"] = "2000";
    EXPECT_EQ(LoadConfig(options, Env())->upload_chunk_limit, 2000);
    env_["TESSERA_UPLOAD_FILE_LIMIT"] = "0";
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "upload_file_limit");
}

TEST_F(ConfigTest, MetricsAreOffUntilATokenOrListenerIsSet) {
    auto defaults = LoadConfig({}, Env());
    ASSERT_TRUE(defaults.ok());
    EXPECT_EQ(defaults->metrics_token, "");
    EXPECT_FALSE(defaults->metrics_listen);

    CliOptions options;
    options.config = WriteFile(
        "metrics_token = \"file-token-0123456789\"\nmetrics_listen = \"127.0.0.1:9464\"\n");
    auto from_file = LoadConfig(options, Env());
    ASSERT_TRUE(from_file.ok()) << from_file.error().message;
    EXPECT_EQ(from_file->metrics_token, "file-token-0123456789");
    ASSERT_TRUE(from_file->metrics_listen);
    EXPECT_EQ(from_file->metrics_listen->second, 9464);

    env_["TESSERA_METRICS_TOKEN"] = "env-token-0123456789";
    env_["TESSERA_METRICS_LISTEN"] = "127.0.0.1:9465";
    options.metrics_listen = "[::1]:0";
    auto layered = LoadConfig(options, Env());
    ASSERT_TRUE(layered.ok()) << layered.error().message;
    EXPECT_EQ(layered->metrics_token, "env-token-0123456789");
    EXPECT_EQ(layered->metrics_listen->first, "::1");

    env_["TESSERA_METRICS_TOKEN"] = "short";
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "metrics_token");
    env_["TESSERA_METRICS_TOKEN"] = "env-token-0123456789";
    options.metrics_listen = "9464";
    EXPECT_EQ(LoadConfig(options, Env()).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ConfigTest, TrustedProxiesFromFileThenEnvironmentAndEachEntryChecked) {
    EXPECT_TRUE(LoadConfig({}, Env())->trusted_proxies.empty());
    CliOptions options;
    options.config = WriteFile("trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n");
    auto config = LoadConfig(options, Env());
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->trusted_proxies, (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8"}));
    env_["TESSERA_TRUSTED_PROXIES"] = "::1,fd00::/8";
    config = LoadConfig(options, Env());
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->trusted_proxies, (std::vector<std::string>{"::1", "fd00::/8"}));
    env_["TESSERA_TRUSTED_PROXIES"] = "10.0.0.0/33";
    auto bad = LoadConfig(options, Env());
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "trusted_proxies");
    EXPECT_NE(bad.error().message.find("10.0.0.0/33"), std::string::npos);
    env_.erase("TESSERA_TRUSTED_PROXIES");
    options.config = WriteFile("trusted_proxies = \"10.0.0.1\"\n");
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "trusted_proxies");
}

TEST_F(ConfigTest, HttpConnectionSettingsFromFileThenEnvironment) {
    EXPECT_TRUE(LoadConfig({}, Env())->http.empty());  // the server's defaults apply
    CliOptions options;
    options.config = WriteFile("max_connections_per_address = 0\nheader_timeout_ms = 2000\n");
    auto config = LoadConfig(options, Env());
    ASSERT_TRUE(config.ok());
    EXPECT_EQ(config->http.at("max_connections_per_address"), 0);
    EXPECT_EQ(config->http.at("header_timeout_ms"), 2000);
    env_["TESSERA_HEADER_TIMEOUT_MS"] = "300";
    env_["TESSERA_HTTP_WORKERS"] = "8";
    config = LoadConfig(options, Env());
    ASSERT_TRUE(config.ok());
    EXPECT_EQ(config->http.at("header_timeout_ms"), 300);
    EXPECT_EQ(config->http.at("http_workers"), 8);
    env_["TESSERA_MAX_CONNECTIONS"] = "0";
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "max_connections");
    env_["TESSERA_MAX_CONNECTIONS"] = "many";
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "TESSERA_MAX_CONNECTIONS");
    options.config = WriteFile("idle_timeout_ms = \"long\"\n");
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "idle_timeout_ms");
}

TEST_F(ConfigTest, LoginThrottleLimitsFromFileThenEnvironment) {
    auto defaults = LoadConfig({}, Env());
    ASSERT_TRUE(defaults.ok());
    EXPECT_EQ(defaults->login_failures_per_user, 5);
    EXPECT_EQ(defaults->login_failures_per_address, 20);
    EXPECT_EQ(defaults->login_concurrent_checks, 4);
    CliOptions options;
    options.config = WriteFile(
        "login_failures_per_user = 7\nlogin_failures_per_address = 50\n"
        "login_concurrent_checks = 2\n");
    auto from_file = LoadConfig(options, Env());
    ASSERT_TRUE(from_file.ok()) << from_file.error().message;
    EXPECT_EQ(from_file->login_failures_per_user, 7);
    EXPECT_EQ(from_file->login_failures_per_address, 50);
    EXPECT_EQ(from_file->login_concurrent_checks, 2);
    env_["TESSERA_LOGIN_FAILURES_PER_ADDRESS"] = "3";
    env_["TESSERA_LOGIN_CONCURRENT_CHECKS"] = "1";
    auto from_env = LoadConfig(options, Env());
    ASSERT_TRUE(from_env.ok());
    EXPECT_EQ(from_env->login_failures_per_user, 7);
    EXPECT_EQ(from_env->login_failures_per_address, 3);
    EXPECT_EQ(from_env->login_concurrent_checks, 1);
    env_["TESSERA_LOGIN_CONCURRENT_CHECKS"] = "0";
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "login_concurrent_checks");
    env_["TESSERA_LOGIN_CONCURRENT_CHECKS"] = "many";
    EXPECT_EQ(LoadConfig(options, Env()).error().field, "TESSERA_LOGIN_CONCURRENT_CHECKS");
}

TEST_F(ConfigTest, LeaseSecondsIsReadFromTheEnvironment) {
    env_["TESSERA_LEASE_SECONDS"] = "3";
    auto config = LoadConfig({}, Env());
    ASSERT_TRUE(config.ok());
    EXPECT_EQ(config->lease_ms, 3000);
}

TEST(ParseListenTest, AcceptsHostPortForms) {
    EXPECT_EQ(ParseListen("127.0.0.1:0")->second, 0);
    EXPECT_EQ(ParseListen("localhost:8080")->first, "localhost");
    EXPECT_EQ(ParseListen("[::]:80")->first, "::");
    EXPECT_FALSE(ParseListen("::1:80").ok());
    EXPECT_FALSE(ParseListen("host:").ok());
    EXPECT_FALSE(ParseListen("host:70000").ok());
    EXPECT_FALSE(ParseListen(":80").ok());
}

TEST(IsPostgresUrlTest, RecognisesBothSchemes) {
    EXPECT_TRUE(IsPostgresUrl("postgresql://localhost/x"));
    EXPECT_TRUE(IsPostgresUrl("postgres://localhost/x"));
    EXPECT_FALSE(IsPostgresUrl("/var/lib/tessera/postgres.db"));
}

}  // namespace
}  // namespace tessera::app
