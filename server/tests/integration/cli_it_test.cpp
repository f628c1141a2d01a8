// The binary's command line: version, bad flags, user add, migrate, worker, first-start admin.
#include <signal.h>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;

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

}  // namespace
}  // namespace tessera::testing
