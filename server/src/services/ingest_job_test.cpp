#include "services/ingest_job.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class IngestJobTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        root_ = fs::canonical(dir_.path());
        owner_ = *env.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
        testing::WriteImage(root_ / "b" / "wide.jpg", 60, 20);
        testing::WriteImage(root_ / "b" / "turned.jpg", 60, 20, 6);
        testing::WriteImage(root_ / "a.png", 30, 40);
        testing::WriteBmp(root_ / "c.bmp", 7, 9);
        testing::WriteText(root_ / "d_broken.jpg", "not an image at all");
        testing::WriteText(root_ / "e.dcm", "DICM");
        testing::WriteText(root_ / "notes.txt", "ignored");
    }

    Id MakeProject(std::int64_t item_limit, const std::string& pattern = "**/*.*") {
        Project p;
        p.name = "P" + std::to_string(++projects_);
        p.labels_json = R"(["Cat"])";
        p.datasource = {"local", root_.string(), pattern};
        p.item_limit = item_limit;
        p.shuffle_seed = 1234;
        p.created_by = owner_.id;
        auto created = env.repo->CreateProject(p);
        EXPECT_TRUE(created.ok()) << created.error().message;
        return created->id;
    }

    Job Ingest(Id project_id) {
        Job job;
        job.kind = IngestJob::kKind;
        job.project_id = project_id;
        job.payload_json = "{\"project_id\": " + std::to_string(project_id) + "}";
        job.created_at = env.clock.NowMs();
        Id id = env.repo->EnqueueJob(job)->id;
        JobRunner runner(*env.repo, env.clock, JobRunnerSettings{});
        runner.Register(IngestJob::kKind, handler_);
        EXPECT_EQ(runner.RunUntilIdle(), 1);
        return *env.repo->GetJob(id);
    }

    std::map<std::string, Item> Items(Id project_id) {
        std::map<std::string, Item> out;
        auto items = env.repo->ListItems(project_id, ItemFilter{std::nullopt, 0, 100});
        EXPECT_TRUE(items.ok());
        for (const Item& item : *items) {
            out[item.path] = item;
        }
        return out;
    }

    testing::TempDir dir_;
    fs::path root_;
    testing::ServiceEnv env;
    VipsImageProber prober_;
    IngestJob handler_{*env.repo, env.clock, prober_};
    User owner_;
    int projects_ = 0;
};

TEST_F(IngestJobTest, InsertsEveryFileWithItsHeader) {
    Id id = MakeProject(100);
    Job job = Ingest(id);
    ASSERT_EQ(job.state, JobState::kDone) << job.error;
    EXPECT_EQ(job.progress_done, 6);
    EXPECT_EQ(job.progress_total, 6);
    auto items = Items(id);
    ASSERT_EQ(items.size(), 6u);
    EXPECT_EQ(items["b/wide.jpg"].width, 60);
    EXPECT_EQ(items["b/wide.jpg"].height, 20);
    EXPECT_EQ(items["b/wide.jpg"].format, "jpeg");
    EXPECT_EQ(items["b/turned.jpg"].width, 20);  // EXIF orientation 6
    EXPECT_EQ(items["b/turned.jpg"].height, 60);
    EXPECT_EQ(items["a.png"].format, "png");
    EXPECT_EQ(items["a.png"].size_bytes, static_cast<std::int64_t>(fs::file_size(root_ / "a.png")));
    EXPECT_EQ(items["c.bmp"].format, "bmp");
    EXPECT_EQ(items["c.bmp"].state, ItemState::kUnlabeled);
    EXPECT_EQ(items["d_broken.jpg"].state, ItemState::kError);
    EXPECT_FALSE(items["d_broken.jpg"].error.empty());
    EXPECT_EQ(items["e.dcm"].state, ItemState::kError);
    EXPECT_EQ(items["e.dcm"].format, "dicom");
    EXPECT_FALSE(env.repo->GetProject(id)->item_limit_reached);
}

TEST_F(IngestJobTest, ShufflesWithTheProjectSeed) {
    Id id = MakeProject(100);
    ASSERT_EQ(Ingest(id).state, JobState::kDone);
    std::set<std::int64_t> ranks;
    for (const auto& [path, item] : Items(id)) {
        ranks.insert(item.rank);
    }
    EXPECT_EQ(ranks.size(), 6u);  // a permutation: every item got its own place
}

TEST_F(IngestJobTest, ItemLimitTakesTheFirstFilesInSortedOrder) {
    Id id = MakeProject(3);
    Job job = Ingest(id);
    ASSERT_EQ(job.state, JobState::kDone) << job.error;
    EXPECT_EQ(job.progress_total, 3);
    auto items = Items(id);
    std::vector<std::string> paths;
    paths.reserve(items.size());
    for (const auto& [path, item] : items) {
        paths.push_back(path);
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"a.png", "b/turned.jpg", "b/wide.jpg"}));
    EXPECT_TRUE(env.repo->GetProject(id)->item_limit_reached);
}

TEST_F(IngestJobTest, RerunAddsOnlyNewFiles) {
    Id id = MakeProject(100, "b/*");
    ASSERT_EQ(Ingest(id).state, JobState::kDone);
    Id wide_id = Items(id)["b/wide.jpg"].id;
    testing::WriteImage(root_ / "b" / "new.png", 5, 5);
    ASSERT_EQ(Ingest(id).state, JobState::kDone);
    auto items = Items(id);
    EXPECT_EQ(items.size(), 3u);
    EXPECT_EQ(items["b/wide.jpg"].id, wide_id);
    EXPECT_EQ(items["b/new.png"].width, 5);
}

// Stops once StopRequested has been asked `calls` times.
class StoppingContext final : public JobContext {
public:
    explicit StoppingContext(int calls) : calls_(calls) {}
    void ReportProgress(std::int64_t done, std::int64_t total) override {
        std::lock_guard<std::mutex> lock(mutex_);
        last_done_ = done;
        last_total_ = total;
    }
    bool StopRequested() const override { return --calls_ < 0; }

    std::mutex mutex_;
    std::int64_t last_done_ = -1, last_total_ = -1;

private:
    mutable int calls_;
};

TEST_F(IngestJobTest, InterruptedMidwayKeepsWholeBatchesAndARerunFinishes) {
    for (int i = 0; i < 25; ++i) {
        testing::WriteImage(root_ / "many" / ("m" + std::to_string(100 + i) + ".png"), 4, 3);
    }
    Id id = MakeProject(1000, "many/*");
    Job job;
    job.kind = IngestJob::kKind;
    job.project_id = id;
    job.payload_json = "{\"project_id\": " + std::to_string(id) + "}";
    IngestPipelineSettings small;
    small.threads = 2;
    small.batch_size = 4;
    IngestJob handler(*env.repo, env.clock, prober_, small);
    StoppingContext stop_after_ten(10);
    std::string error;
    EXPECT_EQ(handler.Run(job, stop_after_ten, error), JobOutcome::kInterrupted) << error;
    const auto partial = Items(id).size();
    EXPECT_LT(partial, 25u);
    EXPECT_EQ(partial % 4, 0u);  // whole batches only
    StoppingContext never(1 << 20);
    EXPECT_EQ(handler.Run(job, never, error), JobOutcome::kDone) << error;
    EXPECT_EQ(Items(id).size(), 25u);
    EXPECT_EQ(never.last_done_, 25);
    EXPECT_EQ(never.last_total_, 25);
}

TEST_F(IngestJobTest, FailsWithAReason) {
    Job job;
    job.kind = IngestJob::kKind;
    for (const char* payload : {"{}", "not json", R"({"project_id": "1"})"}) {
        job.payload_json = payload;
        Job stored = *env.repo->EnqueueJob(job);
        JobRunner runner(*env.repo, env.clock, JobRunnerSettings{});
        runner.Register(IngestJob::kKind, handler_);
        runner.RunUntilIdle();
        EXPECT_EQ(env.repo->GetJob(stored.id)->state, JobState::kFailed) << payload;
        EXPECT_FALSE(env.repo->GetJob(stored.id)->error.empty());
    }
    Id gone = MakeProject(10);
    fs::remove_all(root_);
    Job missing_folder = Ingest(gone);
    EXPECT_EQ(missing_folder.state, JobState::kFailed);
    EXPECT_NE(missing_folder.error.find("does not exist"), std::string::npos);
    EXPECT_EQ(Ingest(999).state, JobState::kFailed);
}

}  // namespace
}  // namespace tessera
