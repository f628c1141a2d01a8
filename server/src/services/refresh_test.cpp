// The refresh job over a real folder and the refresh service's settings and scheduler, on the
// in-memory SQLite repository with a FakeClock (docs/design/datasources.md).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "services/ingest_job.hpp"
#include "services/refresh_job.hpp"
#include "services/refresh_service.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

// A job context that is never stopped.
class CountingContext final : public JobContext {
public:
    void ReportProgress(std::int64_t /*done*/, std::int64_t /*total*/) override {}
    bool StopRequested() const override { return false; }
};

class RefreshTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        root_ = fs::canonical(dir_.path());
        owner_ = *env.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
        labeler_ = *env.repo->CreateUser(User{0, "lab", Role::kLabeler, "x", 0});
        testing::WriteImage(root_ / "a.jpg", 30, 20);
        testing::WriteImage(root_ / "sub" / "b.jpg", 30, 20);
        testing::WriteImage(root_ / "sub" / "c.png", 30, 20);
    }

    Id MakeProject(std::int64_t item_limit = 100) {
        Project p;
        p.name = "P" + std::to_string(++projects_);
        p.labels_json = R"(["Cat"])";
        p.status = ProjectStatus::kRunning;
        p.datasource = {"local", root_.string(), "**/*.*"};
        p.item_limit = item_limit;
        p.shuffle_seed = 99;
        p.created_by = owner_.id;
        p.created_at = env.clock.NowMs();
        auto created = env.repo->CreateProject(p);
        EXPECT_TRUE(created.ok()) << created.error().message;
        return created->id;
    }

    // Queues a job of `kind` and runs every queued job.
    Job Run(Id project_id, const std::string& kind) {
        Job job;
        job.kind = kind;
        job.project_id = project_id;
        job.payload_json = "{\"project_id\": " + std::to_string(project_id) + "}";
        job.created_at = env.clock.NowMs();
        Id id = env.repo->EnqueueJob(job)->id;
        RunQueued();
        return *env.repo->GetJob(id);
    }

    int RunQueued() {
        JobRunner runner(*env.repo, env.clock, JobRunnerSettings{});
        runner.Register(IngestJob::kKind, ingest_);
        runner.Register(RefreshJob::kKind, refresh_);
        return runner.RunUntilIdle();
    }

    // Refreshes `id` in this thread, not through the job queue, with the racy window off: the
    // folder times Restamp sets decide what changed.
    RefreshCounts RefreshNow(Id id) {
        RefreshJob job(*env.repo, env.clock, prober_);
        job.set_racy_window_ns(0);
        CountingContext context;
        bool interrupted = false;
        auto counts = job.Refresh(id, context, interrupted);
        EXPECT_TRUE(counts.ok()) << counts.error().message;
        return counts.ok() ? *counts : RefreshCounts{};
    }

    std::map<std::string, Item> Items(Id project_id) {
        std::map<std::string, Item> out;
        auto items = env.repo->ListItems(project_id, ItemFilter{std::nullopt, 0, 1000});
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
    IngestJob ingest_{*env.repo, env.clock, prober_};
    RefreshJob refresh_{*env.repo, env.clock, prober_};
    RefreshService service_{*env.repo, env.clock};
    User owner_;
    User labeler_;
    int projects_ = 0;
};

TEST_F(RefreshTest, AddsOnlyNewFilesAndRecordsTheTime) {
    Id id = MakeProject();
    ASSERT_EQ(Run(id, IngestJob::kKind).state, JobState::kDone);
    auto before = Items(id);
    ASSERT_EQ(before.size(), 3u);
    testing::WriteImage(root_ / "sub" / "new.jpg", 50, 40);
    testing::WriteImage(root_ / "z" / "newer.png", 10, 12);

    env.clock.Advance(5000);
    Job job = Run(id, RefreshJob::kKind);
    ASSERT_EQ(job.state, JobState::kDone) << job.error;
    auto after = Items(id);
    ASSERT_EQ(after.size(), 5u);
    EXPECT_EQ(after["sub/new.jpg"].width, 50);
    EXPECT_EQ(after["z/newer.png"].height, 12);
    EXPECT_EQ(after["a.jpg"].id, before["a.jpg"].id);  // known items untouched
    EXPECT_EQ(after["a.jpg"].rank, before["a.jpg"].rank);
    EXPECT_EQ(env.repo->GetProject(id)->refresh.last_at, env.clock.NowMs());
}

TEST_F(RefreshTest, NeverProbesKnownFilesAgain) {
    Id id = MakeProject();
    ASSERT_EQ(Run(id, IngestJob::kKind).state, JobState::kDone);
    // A known file that changed into garbage would become an error item if it were probed.
    testing::WriteText(root_ / "a.jpg", "no longer an image");
    ASSERT_EQ(Run(id, RefreshJob::kKind).state, JobState::kDone);
    EXPECT_EQ(Items(id)["a.jpg"].state, ItemState::kUnlabeled);
    EXPECT_EQ(Items(id)["a.jpg"].width, 30);
}

TEST_F(RefreshTest, DeletedFilesGoMissingAndComeBack) {
    Id id = MakeProject();
    ASSERT_EQ(Run(id, IngestJob::kKind).state, JobState::kDone);
    fs::rename(root_ / "sub" / "b.jpg", root_ / "b.jpg.away");
    ASSERT_EQ(Run(id, RefreshJob::kKind).state, JobState::kDone);
    auto items = Items(id);
    EXPECT_EQ(items["sub/b.jpg"].state, ItemState::kMissing);
    auto progress = env.repo->GetProgress(id, env.clock.NowMs());
    EXPECT_EQ(progress->missing, 1);
    EXPECT_EQ(progress->unlabeled, 2);
    EXPECT_EQ(progress->total, 3);
    EXPECT_EQ(progress->error, 0);  // missing is never an error

    fs::rename(root_ / "b.jpg.away", root_ / "sub" / "b.jpg");
    ASSERT_EQ(Run(id, RefreshJob::kKind).state, JobState::kDone);
    EXPECT_EQ(Items(id)["sub/b.jpg"].state, ItemState::kUnlabeled);
    EXPECT_EQ(Items(id)["sub/b.jpg"].id, items["sub/b.jpg"].id);
    EXPECT_EQ(env.repo->GetProgress(id, env.clock.NowMs())->missing, 0);
}

// A distinct mtime for `folder` after a change: made in the clock tick of the last stamp, the
// change would otherwise leave the folder's times as they were (the job's racy window, turned
// off in these tests, is what covers that in production).
void Restamp(const fs::path& folder) {
    static std::int64_t next_s = 1'000'000'000;
    const timespec times[2] = {{next_s, 0}, {next_s, 0}};
    ++next_s;
    ASSERT_EQ(::utimensat(AT_FDCWD, folder.c_str(), times, 0), 0) << folder;
}

TEST_F(RefreshTest, UnchangedFoldersAreNotReadAndStayCorrect) {
    Id id = MakeProject();
    ASSERT_EQ(Run(id, IngestJob::kKind).state, JobState::kDone);

    RefreshCounts counts = RefreshNow(id);  // no stamps yet: reads both folders
    EXPECT_EQ(counts.folders_read, 2);
    EXPECT_EQ(counts.listed, 3);
    counts = RefreshNow(id);
    EXPECT_EQ(counts.folders_read, 0);
    EXPECT_EQ(counts.folders_unchanged, 2);
    EXPECT_EQ(counts.listed, 0);
    EXPECT_EQ(counts.missing, 0);  // not read is not gone

    testing::WriteImage(root_ / "sub" / "d.jpg", 9, 7);  // new file in sub only
    Restamp(root_ / "sub");
    counts = RefreshNow(id);
    EXPECT_EQ(counts.folders_read, 1);
    EXPECT_EQ(counts.added, 1);
    EXPECT_EQ(Items(id)["sub/d.jpg"].width, 9);

    // a.jpg leaves the root for a folder outside the datasource: deleted, as refresh sees it.
    testing::TempDir away;
    fs::rename(root_ / "a.jpg", away.path() / "a.jpg");
    Restamp(root_);
    counts = RefreshNow(id);
    EXPECT_EQ(counts.missing, 1);
    EXPECT_EQ(counts.folders_unchanged, 1);  // sub
    EXPECT_EQ(Items(id)["a.jpg"].state, ItemState::kMissing);
    EXPECT_EQ(Items(id)["sub/b.jpg"].state, ItemState::kUnlabeled);
    counts = RefreshNow(id);  // still gone, root not read: stays missing, nothing restored
    EXPECT_EQ(counts.restored, 0);
    EXPECT_EQ(Items(id)["a.jpg"].state, ItemState::kMissing);

    fs::rename(away.path() / "a.jpg", root_ / "a.jpg");  // back
    Restamp(root_);
    counts = RefreshNow(id);
    EXPECT_EQ(counts.restored, 1);
    EXPECT_EQ(Items(id)["a.jpg"].state, ItemState::kUnlabeled);

    fs::rename(root_ / "sub", away.path() / "sub");  // a whole folder gone
    Restamp(root_);
    counts = RefreshNow(id);
    EXPECT_EQ(counts.missing, 3);
    EXPECT_EQ(Items(id)["sub/d.jpg"].state, ItemState::kMissing);
    EXPECT_EQ(env.repo->ListFolderStamps(env.repo->GetProject(id)->datasource.id)->size(), 1u);

    fs::rename(away.path() / "sub", root_ / "sub");
    Restamp(root_);
    counts = RefreshNow(id);
    EXPECT_EQ(counts.restored, 3);
    EXPECT_EQ(env.repo->GetProgress(id, env.clock.NowMs())->missing, 0);
}

// Once folders are stamped, a refresh reads from the database only the items of the folders
// it read: its cost grows with what changed, not with the project.
TEST_F(RefreshTest, ReadsOnlyTheKnownItemsOfFoldersThatChanged) {
    testing::WriteImage(root_ / "other" / "e.jpg", 30, 20);
    testing::WriteImage(root_ / "other" / "f.jpg", 30, 20);
    Id id = MakeProject();
    ASSERT_EQ(Run(id, IngestJob::kKind).state, JobState::kDone);
    EXPECT_EQ(RefreshNow(id).known_read, 5);  // no stamps yet: every folder read, every item
    RefreshCounts counts = RefreshNow(id);
    EXPECT_EQ(counts.known_read, 0);
    EXPECT_EQ(counts.folders_unchanged, 3);

    testing::WriteImage(root_ / "sub" / "d.jpg", 9, 7);
    Restamp(root_ / "sub");
    counts = RefreshNow(id);
    EXPECT_EQ(counts.added, 1);
    EXPECT_EQ(counts.known_read, 2);  // sub/b.jpg, sub/c.png

    fs::remove(root_ / "other" / "f.jpg");
    Restamp(root_ / "other");
    counts = RefreshNow(id);
    EXPECT_EQ(counts.missing, 1);
    EXPECT_EQ(counts.known_read, 2);  // other/e.jpg, other/f.jpg
    EXPECT_EQ(Items(id)["other/f.jpg"].state, ItemState::kMissing);
    EXPECT_EQ(Items(id)["sub/b.jpg"].state, ItemState::kUnlabeled);

    testing::TempDir away;
    fs::rename(root_ / "other", away.path() / "other");  // a whole folder gone
    Restamp(root_);
    counts = RefreshNow(id);
    EXPECT_EQ(counts.known_read, 3);  // a.jpg in the root, and the gone folder's two
    EXPECT_EQ(counts.missing, 1);     // other/e.jpg; other/f.jpg already was
    EXPECT_EQ(Items(id)["other/e.jpg"].state, ItemState::kMissing);
    EXPECT_EQ(Items(id)["a.jpg"].state, ItemState::kUnlabeled);
    EXPECT_EQ(Items(id)["sub/d.jpg"].state, ItemState::kUnlabeled);
}

TEST_F(RefreshTest, FoldersWithFilesOverTheLimitAreReadAgain) {
    Id id = MakeProject(3);
    ASSERT_EQ(Run(id, IngestJob::kKind).state, JobState::kDone);
    testing::WriteImage(root_ / "sub" / "d.jpg", 5, 5);
    Restamp(root_ / "sub");
    EXPECT_EQ(RefreshNow(id).over_limit, 1);
    EXPECT_EQ(RefreshNow(id).over_limit, 1);  // the limit is still reached, and says so
    EXPECT_TRUE(env.repo->GetProject(id)->item_limit_reached);
}

TEST_F(RefreshTest, RespectsTheItemLimit) {
    Id id = MakeProject(4);
    ASSERT_EQ(Run(id, IngestJob::kKind).state, JobState::kDone);
    testing::WriteImage(root_ / "d1.jpg", 5, 5);
    testing::WriteImage(root_ / "d2.jpg", 5, 5);
    ASSERT_EQ(Run(id, RefreshJob::kKind).state, JobState::kDone);
    auto items = Items(id);
    EXPECT_EQ(items.size(), 4u);
    EXPECT_EQ(items.count("d1.jpg"), 1u);  // listing order: the first new file fits
    EXPECT_TRUE(env.repo->GetProject(id)->item_limit_reached);
}

TEST_F(RefreshTest, AGoneFolderFailsTheJobAndMarksNothing) {
    Id id = MakeProject();
    ASSERT_EQ(Run(id, IngestJob::kKind).state, JobState::kDone);
    fs::rename(root_, root_.string() + ".moved");
    Job job = Run(id, RefreshJob::kKind);
    fs::rename(root_.string() + ".moved", root_);
    EXPECT_EQ(job.state, JobState::kFailed);
    EXPECT_FALSE(job.error.empty());
    EXPECT_EQ(env.repo->GetProgress(id, env.clock.NowMs())->missing, 0);
    EXPECT_FALSE(env.repo->GetProject(id)->refresh.last_at.has_value());
}

TEST_F(RefreshTest, ConfigureValidatesAndStores) {
    Id id = MakeProject();
    RefreshSettingsChange change;
    change.enabled = true;
    auto stored = service_.Configure(owner_, id, change);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    EXPECT_TRUE(stored->enabled);
    EXPECT_EQ(stored->interval_s, 3600);

    change = {};
    change.interval_s = 59;
    auto low = service_.Configure(owner_, id, change);
    ASSERT_FALSE(low.ok());
    EXPECT_EQ(low.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(low.error().field, "refresh.interval_s");
    change.interval_s = 60;
    EXPECT_EQ(service_.Configure(owner_, id, change)->interval_s, 60);
    EXPECT_TRUE(env.repo->GetProject(id)->refresh.enabled);  // untouched by the interval change

    EXPECT_EQ(service_.Configure(labeler_, id, change).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.Configure(owner_, id + 100, change).error().code, ErrorCode::kNotFound);
}

TEST_F(RefreshTest, RefreshNowQueuesOneJobAtATime) {
    Id id = MakeProject();
    // Not while the first ingest is queued.
    Job ingest;
    ingest.kind = IngestJob::kKind;
    ingest.project_id = id;
    ingest.payload_json = "{\"project_id\": " + std::to_string(id) + "}";
    ASSERT_TRUE(env.repo->EnqueueJob(ingest).ok());
    EXPECT_EQ(service_.RefreshNow(owner_, id).error().code, ErrorCode::kFailedPrecondition);
    RunQueued();

    auto first = service_.RefreshNow(owner_, id);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->kind, "refresh");
    EXPECT_EQ(first->state, JobState::kQueued);
    auto again = service_.RefreshNow(owner_, id);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->id, first->id);
    EXPECT_EQ(service_.RefreshNow(labeler_, id).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.RefreshNow(owner_, id + 100).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(RunQueued(), 1);
    EXPECT_NE(service_.RefreshNow(owner_, id)->id, first->id);  // done: a new one
}

TEST_F(RefreshTest, OldRefreshJobsArePrunedAsNewOnesAreQueued) {
    Id id = MakeProject();
    for (int i = 0; i < RefreshService::kKeptRefreshJobs + 5; ++i) {
        ASSERT_TRUE(service_.RefreshNow(owner_, id).ok());
        ASSERT_EQ(RunQueued(), 1);
        env.clock.Advance(1000);
    }
    auto jobs = env.repo->ListJobs(id);
    ASSERT_TRUE(jobs.ok());
    EXPECT_EQ(jobs->size(), static_cast<std::size_t>(RefreshService::kKeptRefreshJobs));
}

TEST_F(RefreshTest, SchedulerQueuesDueProjectsByTheClock) {
    Id off = MakeProject();
    Id on = MakeProject();
    RunQueued();  // nothing queued yet: projects made directly in the repository
    RefreshSettingsChange change;
    change.enabled = true;
    change.interval_s = 600;
    ASSERT_TRUE(service_.Configure(owner_, on, change).ok());

    EXPECT_EQ(*service_.EnqueueDue(), 0);  // created just now: not due yet
    env.clock.Advance(599'000);
    EXPECT_EQ(*service_.EnqueueDue(), 0);
    env.clock.Advance(1'000);
    EXPECT_EQ(*service_.EnqueueDue(), 1);
    EXPECT_EQ(*service_.EnqueueDue(), 0);  // one queued: no second
    EXPECT_EQ(RunQueued(), 1);
    EXPECT_EQ(env.repo->GetProject(on)->refresh.last_at, env.clock.NowMs());
    EXPECT_FALSE(env.repo->GetProject(off)->refresh.last_at.has_value());

    env.clock.Advance(300'000);
    EXPECT_EQ(*service_.EnqueueDue(), 0);  // counted from the last refresh
    env.clock.Advance(300'000);
    EXPECT_EQ(*service_.EnqueueDue(), 1);
    EXPECT_EQ(RunQueued(), 1);

    // A refresh that fails records no time, but is not retried before the interval either.
    fs::rename(root_, root_.string() + ".moved");
    env.clock.Advance(600'000);
    EXPECT_EQ(*service_.EnqueueDue(), 1);
    EXPECT_EQ(RunQueued(), 1);
    fs::rename(root_.string() + ".moved", root_);
    env.clock.Advance(1'000);
    EXPECT_EQ(*service_.EnqueueDue(), 0);
    env.clock.Advance(600'000);
    EXPECT_EQ(*service_.EnqueueDue(), 1);
}

}  // namespace
}  // namespace tessera
