#include "app/cli.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <sstream>

#include "app/app.hpp"
#include "app/model_command.hpp"

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

TEST(ParseArgsTest, ModelAddListAndRemove) {
    auto add = ParseArgs({"model", "add", "resnet50", "https://example.com/r.onnx", "--sha256",
                          "ab", "--input", "224x224", "--mean", "0.4,0.4,0.4", "--std=1,1,1"});
    ASSERT_TRUE(add.ok()) << add.error().message;
    EXPECT_EQ(add->positional,
              (std::vector<std::string>{"add", "resnet50", "https://example.com/r.onnx"}));
    EXPECT_EQ(add->sha256, "ab");
    EXPECT_EQ(add->input, "224x224");
    EXPECT_EQ(add->mean, "0.4,0.4,0.4");
    EXPECT_EQ(add->std, "1,1,1");
    EXPECT_TRUE(ParseArgs({"model", "list"}).ok());
    EXPECT_TRUE(ParseArgs({"model", "remove", "resnet50"}).ok());
    for (const auto& bad :
         std::vector<std::vector<std::string>>{{"model"},
                                               {"model", "add", "resnet50"},
                                               {"model", "remove"},
                                               {"model", "list", "--input", "224x224"},
                                               {"model", "delete", "resnet50"},
                                               {"serve", "--sha256", "ab"}}) {
        auto parsed = ParseArgs(bad);
        EXPECT_FALSE(parsed.ok()) << bad.size();
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    }
}

TEST(ModelFlagsTest, InputSizeAndTriples) {
    EXPECT_EQ(*ParseInputSize("224x192"), (std::pair{224, 192}));
    for (const std::string bad : {"224", "x224", "224x", "8x8", "224x5000", "a x b", "224x224x3"}) {
        auto parsed = ParseInputSize(bad);
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_EQ(parsed.error().field, "--input");
    }
    const std::array<double, 3> mean{0.485, 0.456, 0.406};
    EXPECT_EQ(*ParseTriple("0.485,0.456,0.406", "--mean"), mean);
    for (const std::string bad : {"1,2", "1,2,3,4", "1,,3", "a,b,c", ""}) {
        auto parsed = ParseTriple(bad, "--std");
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_EQ(parsed.error().field, "--std");
    }
}

TEST(ParseArgsTest, Mistakes) {
    EXPECT_EQ(ParseArgs({}).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(ParseArgs({"fly"}).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(ParseArgs({"serve", "--colour", "x"}).error().field, "--colour");
    EXPECT_EQ(ParseArgs({"serve", "--db"}).error().field, "--db");
    EXPECT_FALSE(ParseArgs({"serve", "extra"}).ok());
}

TEST(ParseArgsTest, OperatorCommands) {
    auto once = ParseArgs({"worker", "--once", "--data-dir", "/d"});
    ASSERT_TRUE(once.ok()) << once.error().message;
    EXPECT_TRUE(once->once);
    EXPECT_EQ(once->data_dir, "/d");
    EXPECT_EQ(ParseArgs({"serve", "--once"}).error().field, "--once");

    auto backup = ParseArgs({"backup", "--out", "/b/t.db"});
    ASSERT_TRUE(backup.ok()) << backup.error().message;
    EXPECT_EQ(backup->out, "/b/t.db");
    EXPECT_EQ(ParseArgs({"backup"}).error().field, "--out");

    auto exported = ParseArgs({"export", "Pets", "--format", "csv"});
    ASSERT_TRUE(exported.ok()) << exported.error().message;
    EXPECT_EQ(exported->positional, (std::vector<std::string>{"Pets"}));
    EXPECT_EQ(exported->format, "csv");
    EXPECT_FALSE(exported->out);
    EXPECT_EQ(ParseArgs({"export", "Pets"}).error().field, "--format");
    EXPECT_FALSE(ParseArgs({"export", "--format", "csv"}).ok());
    EXPECT_FALSE(ParseArgs({"export", "a", "b", "--format", "csv"}).ok());

    auto metrics = ParseArgs({"serve", "--metrics-listen", "127.0.0.1:9464"});
    ASSERT_TRUE(metrics.ok()) << metrics.error().message;
    EXPECT_EQ(metrics->metrics_listen, "127.0.0.1:9464");
}

TEST(ParseArgsTest, HelpAndVersionWinAnywhere) {
    EXPECT_EQ(ParseArgs({"serve", "--help"})->command, "help");
    EXPECT_EQ(ParseArgs({"--version"})->command, "version");
}

TEST(ExitCodeTest, DistinguishesUsageFromOutages) {
    EXPECT_EQ(ExitCodeFor(ErrorCode::kInvalidArgument), 64);
    EXPECT_EQ(ExitCodeFor(ErrorCode::kUnsupportedMediaType), 64);
    EXPECT_EQ(ExitCodeFor(ErrorCode::kPreconditionFailed), 64);
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

// `tessera worker --once`: the queued job runs on the calling thread, then RunWorker returns.
class WorkerOnceTest : public UserAddTest {};

TEST_F(WorkerOnceTest, RunsTheQueuedJobAndReturns) {
    const std::filesystem::path images = dir_ / "images";
    std::filesystem::create_directories(images);
    Id job_id = 0;
    {
        auto repo = OpenRepository(config_);
        ASSERT_TRUE(repo.ok()) << repo.error().message;
        Project project;
        project.name = "Pets";
        project.labels_json = "[\"Cat\",\"Dog\"]";
        project.datasource = {"local", images.string(), "**/*.*"};
        auto created = (*repo)->CreateProject(project);
        ASSERT_TRUE(created.ok()) << created.error().message;
        Job job;
        job.kind = "ingest";
        job.project_id = created->id;
        job.payload_json = "{\"project_id\": " + std::to_string(created->id) + "}";
        auto queued = (*repo)->EnqueueJob(job);
        ASSERT_TRUE(queued.ok()) << queued.error().message;
        job_id = queued->id;
    }
    Status ran = RunWorker(config_, "tessera", /*once=*/true);
    ASSERT_TRUE(ran.ok()) << ran.error().message;
    auto repo = OpenRepository(config_);
    ASSERT_TRUE(repo.ok());
    auto job = (*repo)->GetJob(job_id);
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(job->state, JobState::kDone) << job->error;
    EXPECT_GT(job->finished_at, 0);
}

}  // namespace
}  // namespace tessera::app
