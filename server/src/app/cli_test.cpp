#include "app/cli.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <sstream>

#include "app/app.hpp"

namespace tessera::app {
namespace {

TEST(ParseArgsTest, CommandFlagsAndRepeats) {
    auto options = ParseArgs({"serve", "--data-dir", "/d", "--listen=127.0.0.1:0", "--allowed-root",
                              "/a", "--allowed-root", "/b"});
    ASSERT_TRUE(options.ok()) << options.error().message;
    EXPECT_EQ(options->command, "serve");
    EXPECT_EQ(options->data_dir, "/d");
    EXPECT_EQ(options->listen, "127.0.0.1:0");
    EXPECT_EQ(options->allowed_roots, (std::vector<std::string>{"/a", "/b"}));
}

TEST(ParseArgsTest, UserAddNeedsNameAndRole) {
    auto ok = ParseArgs({"user", "add", "bob", "--role", "labeler"});
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->positional, (std::vector<std::string>{"add", "bob"}));
    EXPECT_EQ(ok->role, "labeler");
    EXPECT_FALSE(ParseArgs({"user", "add", "bob"}).ok());
    EXPECT_FALSE(ParseArgs({"user", "remove", "bob", "--role", "owner"}).ok());
}

TEST(ParseArgsTest, Mistakes) {
    EXPECT_EQ(ParseArgs({}).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(ParseArgs({"fly"}).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(ParseArgs({"serve", "--colour", "x"}).error().field, "--colour");
    EXPECT_EQ(ParseArgs({"serve", "--db"}).error().field, "--db");
    EXPECT_FALSE(ParseArgs({"serve", "extra"}).ok());
}

TEST(ParseArgsTest, HelpAndVersionWinAnywhere) {
    EXPECT_EQ(ParseArgs({"serve", "--help"})->command, "help");
    EXPECT_EQ(ParseArgs({"--version"})->command, "version");
}

TEST(ExitCodeTest, DistinguishesUsageFromOutages) {
    EXPECT_EQ(ExitCodeFor(ErrorCode::kInvalidArgument), 64);
    EXPECT_EQ(ExitCodeFor(ErrorCode::kUnsupportedMediaType), 64);
    EXPECT_EQ(ExitCodeFor(ErrorCode::kUnavailable), 69);
    EXPECT_EQ(ExitCodeFor(ErrorCode::kInternal), 70);
    EXPECT_EQ(ExitCodeFor(ErrorCode::kConflict), 65);
    EXPECT_NE(ExitCodeFor(ErrorCode::kNotFound), 0);
}

class UserAddTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tessera-cli-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        config_.data_dir = dir_;
        config_.db = (dir_ / "t.db").string();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path dir_;
    Config config_;
};

TEST_F(UserAddTest, CreatesUserFromStdinAndRejectsDuplicates) {
    std::istringstream in("a long password\n");
    std::ostringstream out;
    Status status = RunUserAdd(config_, "bob", "labeler", in, out);
    ASSERT_TRUE(status.ok()) << status.error().message;
    EXPECT_EQ(out.str(), "created user bob (labeler)\n");

    std::istringstream again("another password\n");
    Status duplicate = RunUserAdd(config_, "BOB", "owner", again, out);
    ASSERT_FALSE(duplicate.ok());
    EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
}

TEST_F(UserAddTest, RejectsBadRoleAndMissingPassword) {
    std::istringstream in("a long password\n");
    std::ostringstream out;
    EXPECT_EQ(RunUserAdd(config_, "bob", "admin", in, out).error().code,
              ErrorCode::kInvalidArgument);
    std::istringstream empty("");
    EXPECT_EQ(RunUserAdd(config_, "bob", "owner", empty, out).error().code,
              ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::app
