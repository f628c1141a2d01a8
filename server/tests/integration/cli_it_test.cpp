// The binary's command line: version, bad flags, user add, migrate, worker, first-start admin,
// and the operator commands backup and export against a live server's database.
#include <signal.h>

#include <fstream>
#include <sstream>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class CliIt : public ::testing::Test {
protected:
    ProcessResult Run(const std::vector<std::string>& args, const std::string& input = "",
                      const EnvList& env = {}) {
        return RunToExit(TESSERA_BINARY_PATH, args, env, temp_.path(), input);
    }
    std::string DataDir() const { return (temp_.path() / "data").string(); }

    TempDir temp_;
};

TEST_F(CliIt, VersionAndHelp) {
    auto version = Run({"version"});
    EXPECT_EQ(version.status, 0);
    EXPECT_EQ(version.out, "tessera 0.1.0\n");
    auto help = Run({"--help"});
    EXPECT_EQ(help.status, 0);
    EXPECT_EQ(help.out.rfind("Usage: tessera COMMAND", 0), 0u);
    EXPECT_NE(help.out.find("user add NAME"), std::string::npos);
}

TEST_F(CliIt, BadFlagsAndValuesExitNonZeroWithAMessage) {
    auto unknown = Run({"serve", "--colour", "blue"});
    EXPECT_EQ(unknown.status, 64);
    EXPECT_NE(unknown.err.find("--colour"), std::string::npos) << unknown.err;
    auto listen = Run({"serve", "--data-dir", DataDir(), "--listen", "8080"});
    EXPECT_EQ(listen.status, 64);
    EXPECT_NE(listen.err.find("listen address"), std::string::npos) << listen.err;
    auto root = Run({"serve", "--data-dir", DataDir(), "--allowed-root", "/no/such/dir"});
    EXPECT_EQ(root.status, 66);
    EXPECT_NE(root.err.find("/no/such/dir"), std::string::npos) << root.err;
    auto env_listen = Run({"migrate", "--data-dir", DataDir()}, "", {{"TESSERA_LISTEN", "x"}});
    EXPECT_EQ(env_listen.status, 64);
}

TEST_F(CliIt, MigrateAndUserAdd) {
    auto migrate = Run({"migrate", "--data-dir", DataDir()});
    EXPECT_EQ(migrate.status, 0) << migrate.err;
    EXPECT_TRUE(std::filesystem::exists(temp_.path() / "data" / "tessera.db"));
    auto add = Run({"user", "add", "carol", "--role", "labeler", "--data-dir", DataDir()},
                   "carol-password\n");
    EXPECT_EQ(add.status, 0) << add.err;
    EXPECT_EQ(add.out, "created user carol (labeler)\n");
    auto again = Run({"user", "add", "Carol", "--role", "owner", "--data-dir", DataDir()},
                     "carol-password\n");
    EXPECT_EQ(again.status, 65) << again.err;  // conflict
    auto short_password =
        Run({"user", "add", "dave", "--role", "owner", "--data-dir", DataDir()}, "short\n");
    EXPECT_EQ(short_password.status, 64);
}

TEST_F(CliIt, FirstStartPrintsAGeneratedAdminPasswordOnce) {
    std::vector<std::string> args = {"serve", "--data-dir", DataDir(), "--listen", "127.0.0.1:0"};
    std::string password;
    {
        ServerProcess server;
        ASSERT_EQ(server.Start(TESSERA_BINARY_PATH, args, {}, temp_.path()), "");
        std::string out = server.Stdout();
        std::size_t at = out.find("password is:\n\n    ");
        ASSERT_NE(at, std::string::npos) << out;
        at += std::string("password is:\n\n    ").size();
        password = out.substr(at, out.find('\n', at) - at);
        ASSERT_GE(password.size(), 12u);
        HttpClient client("127.0.0.1", server.port());
        auto login = client.SendJson("POST", "/api/v1/session",
                                     {{"username", "admin"}, {"password", password}});
        EXPECT_EQ(login.status, 200u) << login.body;
        server.Signal(SIGTERM);
        EXPECT_EQ(server.WaitExit(10s), 0);
    }
    ServerProcess again;
    ASSERT_EQ(again.Start(TESSERA_BINARY_PATH, args, {}, temp_.path()), "");
    EXPECT_EQ(again.Stdout().find("password"), std::string::npos);
    again.Signal(SIGINT);
    EXPECT_EQ(again.WaitExit(10s), 0);
}

TEST_F(CliIt, WorkerRunsUntilSigterm) {
    ASSERT_EQ(Run({"migrate", "--data-dir", DataDir()}).status, 0);
    ServerProcess worker;
    ASSERT_EQ(worker.Start(TESSERA_BINARY_PATH, {"worker", "--data-dir", DataDir()}, {},
                           temp_.path(), 30s, "msg=\"worker running\""),
              "");
    EXPECT_TRUE(worker.Running());
    worker.Signal(SIGTERM);
    EXPECT_EQ(worker.WaitExit(10s), 0) << worker.Stderr();
}

TEST_F(CliIt, WorkerOnceRunsTheClaimableJobsAndExits) {
    ASSERT_EQ(Run({"migrate", "--data-dir", DataDir()}).status, 0);
    auto once = Run({"worker", "--once", "--data-dir", DataDir()});
    EXPECT_EQ(once.status, 0) << once.err;
    EXPECT_NE(once.err.find("msg=\"worker ran the claimable jobs\""), std::string::npos)
        << once.err;
    EXPECT_NE(once.err.find("jobs=0"), std::string::npos) << once.err;
    auto misplaced = Run({"serve", "--once", "--data-dir", DataDir()});
    EXPECT_EQ(misplaced.status, 64);
    EXPECT_NE(misplaced.err.find("--once"), std::string::npos) << misplaced.err;
}

TEST_F(CliIt, OperatorCommandsNeedTheirArguments) {
    auto backup = Run({"backup", "--data-dir", DataDir()});
    EXPECT_EQ(backup.status, 64);
    EXPECT_NE(backup.err.find("--out"), std::string::npos) << backup.err;
    auto no_format = Run({"export", "Pets", "--data-dir", DataDir()});
    EXPECT_EQ(no_format.status, 64);
    EXPECT_NE(no_format.err.find("--format"), std::string::npos) << no_format.err;
    auto no_database =
        Run({"backup", "--out", (temp_.path() / "b.db").string(), "--data-dir", DataDir()});
    EXPECT_EQ(no_database.status, 66) << no_database.err;
    EXPECT_FALSE(std::filesystem::exists(temp_.path() / "b.db"));
}

// `tessera backup` and `tessera export` while `tessera serve` runs on the same database.
class CliOpsIt : public IntegrationTest {
protected:
    ProcessResult Tessera(std::vector<std::string> args) {
        args.insert(args.end(), {"--data-dir", data_.string()});
        if (database_) {
            args.insert(args.end(), {"--db", database_->url()});
        }
        return RunToExit(TESSERA_BINARY_PATH, args, {}, temp_.path());
    }

    // A running project "Pets" over 4 images, `labeled` of them labeled Cat by the admin.
    std::int64_t LabeledProject(HttpClient& admin, int labeled) {
        std::int64_t id = CreateIngestedProject(admin, "Pets")["id"];
        StartProject(admin, id);
        // Pages come in 1, 4, 6 or 9: lease all four and label the first `labeled`.
        auto page = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 4}});
        EXPECT_EQ(page.status, 200u) << page.body;
        const json items = page.Json()["items"];
        EXPECT_GE(items.size(), static_cast<std::size_t>(labeled));
        for (int i = 0; i < labeled && i < static_cast<int>(items.size()); ++i) {
            auto submitted = admin.SendJson(
                "PUT",
                ProjectPath(id,
                            "/items/" + std::to_string(items[i]["id"].get<int>()) + "/annotation"),
                {{"lease", page.Json()["lease"]}, {"labels", {"Cat"}}});
            EXPECT_EQ(submitted.status, 200u) << submitted.body;
        }
        return id;
    }

    static std::string ReadFile(const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        return bytes.str();
    }
};

TEST_P(CliOpsIt, BackupOfALiveDatabaseRestoresWithItsLabels) {
    WriteImages(4);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = LabeledProject(admin, 3);
    const auto backup = temp_.path() / "backup.db";

    auto made = Tessera({"backup", "--out", backup.string()});
    if (database_ && made.status == 69 &&
        made.err.find("pg_dump is not installed") != std::string::npos) {
        GTEST_SKIP() << "pg_dump is not installed: " << made.err;
    }
    ASSERT_EQ(made.status, 0) << made.err;
    EXPECT_NE(made.out.find("backup written"), std::string::npos) << made.out;
    EXPECT_FALSE(std::filesystem::exists(backup.string() + ".part"));
    auto again = Tessera({"backup", "--out", backup.string()});
    EXPECT_EQ(again.status, 65) << again.err;
    EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
    if (database_) {
        EXPECT_EQ(ReadFile(backup).substr(0, 5), "PGDMP");  // pg_dump's custom format
        return;
    }
    // Restoring a SQLite backup is starting a server on the copy.
    std::filesystem::create_directories(temp_.path() / "restored-logs");
    ServerProcess restored;
    ASSERT_EQ(restored.Start(
                  TESSERA_BINARY_PATH,
                  {"serve", "--data-dir", (temp_.path() / "restored").string(), "--db",
                   backup.string(), "--listen", "127.0.0.1:0", "--allowed-root", images_.string()},
                  {}, temp_.path() / "restored-logs"),
              "");
    HttpClient client("127.0.0.1", restored.port());
    auto login = client.SendJson("POST", "/api/v1/session",
                                 {{"username", "admin"}, {"password", kAdminPassword}});
    ASSERT_EQ(login.status, 200u) << login.body;
    auto dashboard = client.Get(ProjectPath(id, "/dashboard"));
    ASSERT_EQ(dashboard.status, 200u) << dashboard.body;
    EXPECT_EQ(dashboard.Json()["progress"]["labeled"], 3) << dashboard.body;
    EXPECT_EQ(dashboard.Json()["labels"][0]["count"], 3) << dashboard.body;
}

TEST_P(CliOpsIt, ExportWritesTheBytesTheHttpExportServes) {
    WriteImages(4);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = LabeledProject(admin, 2);
    for (const std::string format : {"csv", "jsonl"}) {
        auto http = admin.Get(ProjectPath(id, "/export?format=" + format));
        ASSERT_EQ(http.status, 200u) << http.body;
        const auto file = temp_.path() / ("pets." + format);
        auto by_id =
            Tessera({"export", std::to_string(id), "--format", format, "--out", file.string()});
        ASSERT_EQ(by_id.status, 0) << by_id.err;
        EXPECT_EQ(ReadFile(file), http.body) << format;
        auto by_name = Tessera({"export", "Pets", "--format", format});
        ASSERT_EQ(by_name.status, 0) << by_name.err;
        EXPECT_EQ(by_name.out, http.body) << format;
    }
    auto unknown_format = Tessera({"export", "Pets", "--format", "xlsx"});
    EXPECT_EQ(unknown_format.status, 64);
    EXPECT_NE(unknown_format.err.find("unknown export format 'xlsx'"), std::string::npos)
        << unknown_format.err;
    auto wrong_type = Tessera({"export", "Pets", "--format", "coco"});
    EXPECT_EQ(wrong_type.status, 65) << wrong_type.err;
    auto unknown_project = Tessera(
        {"export", "Horses", "--format", "csv", "--out", (temp_.path() / "horses.csv").string()});
    EXPECT_EQ(unknown_project.status, 66);
    EXPECT_NE(unknown_project.err.find("'Horses'"), std::string::npos) << unknown_project.err;
    EXPECT_FALSE(std::filesystem::exists(temp_.path() / "horses.csv"));
    EXPECT_FALSE(std::filesystem::exists(temp_.path() / "horses.csv.part"));
}

TESSERA_INSTANTIATE_BACKENDS(CliOpsIt);

}  // namespace
}  // namespace tessera::testing
