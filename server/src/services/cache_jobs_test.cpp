// The jobs that keep the image caches in step with projects: tile pyramids built ahead for
// large images (queued by the ingest job) and the purge of a deleted project's caches.
#include <gtest/gtest.h>

#include <filesystem>

#include "blobs/image_probe.hpp"
#include "blobs/image_renderer.hpp"
#include "blobs/test_images.hpp"
#include "blobs/tile_pyramid.hpp"
#include "blobs/vips_init.hpp"
#include "services/cache_purge_job.hpp"
#include "services/ingest_job.hpp"
#include "services/item_cache.hpp"
#include "services/project_service.hpp"
#include "services/service_test_support.hpp"
#include "services/tile_pyramid_job.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class StoppedContext final : public JobContext {
public:
    void ReportProgress(std::int64_t, std::int64_t) override {}
    bool StopRequested() const override { return true; }
};

class CacheJobsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        root_ = fs::canonical(dir_.path()) / "images";
        // Just over the tiling threshold on one side, cheap on the other.
        testing::WriteImage(root_ / "strip.png", kTiledAboveSide + 100, 40);
        testing::WriteImage(root_ / "small.png", 300, 200);
        owner_ = *env.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
        runner_.Register(IngestJob::kKind, ingest_);
        runner_.Register(TilePyramidJob::kKind, pyramids_);
        runner_.Register(CachePurgeJob::kKind, purge_);
    }

    Id MakeProject(const fs::path& folder) {
        Project p;
        p.name = "P" + std::to_string(++projects_);
        p.labels_json = R"(["Cell"])";
        p.datasource = {"local", folder.string(), "**/*.*"};
        p.item_limit = 100;
        p.created_by = owner_.id;
        Id id = env.repo->CreateProject(p)->id;
        Enqueue(IngestJob::kKind, id);
        return id;
    }

    Id Enqueue(const std::string& kind, Id project_id, const std::string& payload = {}) {
        Job job;
        job.kind = kind;
        job.project_id = project_id;
        job.payload_json =
            payload.empty() ? "{\"project_id\": " + std::to_string(project_id) + "}" : payload;
        job.created_at = env.clock.NowMs();
        return env.repo->EnqueueJob(job)->id;
    }

    std::map<std::string, Item> Items(Id project_id) {
        std::map<std::string, Item> out;
        auto items = env.repo->ListItems(project_id, ItemFilter{});
        EXPECT_TRUE(items.ok());
        for (const Item& item : *items) {
            out[item.path] = item;
        }
        return out;
    }

    std::vector<Job> JobsOf(Id project_id, const std::string& kind) {
        std::vector<Job> out;
        auto jobs = env.repo->ListJobs(project_id);
        EXPECT_TRUE(jobs.ok());
        for (const Job& job : *jobs) {
            if (job.kind == kind) {
                out.push_back(job);
            }
        }
        return out;
    }

    testing::TempDir dir_;
    fs::path root_;
    testing::ServiceEnv env;
    VipsImageProber prober_;
    ImageRenderer renderer_{dir_.path() / "cache"};
    TilePyramid pyramid_{dir_.path() / "tiles"};
    IngestJob ingest_{*env.repo, env.clock, prober_};
    TilePyramidJob pyramids_{*env.repo, pyramid_};
    CachePurgeJob purge_{renderer_, pyramid_};
    JobRunner runner_{*env.repo, env.clock, JobRunnerSettings{}};
    User owner_;
    int projects_ = 0;
};

TEST_F(CacheJobsTest, IngestQueuesPyramidsOfLargeImagesAndTheJobBuildsThem) {
    Id id = MakeProject(root_);
    EXPECT_EQ(runner_.RunUntilIdle(), 2);  // the ingest, then the job it queued
    auto jobs = JobsOf(id, TilePyramidJob::kKind);
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].state, JobState::kDone) << jobs[0].error;
    EXPECT_EQ(jobs[0].progress_done, 1);
    EXPECT_EQ(jobs[0].progress_total, 1);

    auto items = Items(id);
    fs::path strip = root_ / "strip.png";
    auto ready = pyramid_.Poll(SourceRef{root_, strip}, ItemCacheKey(id, items["strip.png"].id));
    ASSERT_TRUE(ready.ok()) << ready.error().message;
    EXPECT_TRUE(ready->ready);  // built by the job, not by this poll
    EXPECT_EQ(ready->info.width, kTiledAboveSide + 100);
    // Small images are left to the display rendition: one pyramid folder in the project.
    int folders = 0;
    for (const auto& shard :
         fs::directory_iterator(dir_.path() / "tiles" / ProjectCacheGroup(id))) {
        folders += static_cast<int>(std::distance(fs::directory_iterator(shard.path()), {}));
    }
    EXPECT_EQ(folders, 1);
}

TEST_F(CacheJobsTest, NoPyramidJobWithoutLargeImages) {
    fs::path small_only = root_ / "small_only";
    testing::WriteImage(small_only / "a.png", 300, 200);
    Id id = MakeProject(small_only);
    EXPECT_EQ(runner_.RunUntilIdle(), 1);
    EXPECT_TRUE(JobsOf(id, TilePyramidJob::kKind).empty());
}

TEST_F(CacheJobsTest, PyramidJobReportsImagesItCouldNotBuildAfterTryingAll) {
    testing::WriteImage(root_ / "strip2.png", 100, kTiledAboveSide + 1);
    Id id = MakeProject(root_);
    ASSERT_EQ(runner_.RunUntilIdle(), 2);
    // Edited into garbage after the ingest: its build fails, the other one was still built.
    testing::WriteText(root_ / "strip.png", "garbage");
    pyramid_.RemoveGroup(ProjectCacheGroup(id)).value();
    Id job_id = Enqueue(TilePyramidJob::kKind, id);
    ASSERT_EQ(runner_.RunUntilIdle(), 1);
    Job job = *env.repo->GetJob(job_id);
    EXPECT_EQ(job.state, JobState::kFailed);
    EXPECT_NE(job.error.find("1 of 2"), std::string::npos) << job.error;
    EXPECT_NE(job.error.find("strip.png"), std::string::npos) << job.error;
    EXPECT_EQ(job.progress_done, 2);
    auto items = Items(id);
    EXPECT_TRUE(
        pyramid_
            .Poll(SourceRef{root_, root_ / "strip2.png"}, ItemCacheKey(id, items["strip2.png"].id))
            ->ready);
}

TEST_F(CacheJobsTest, LargeDicomItemsGetNoPyramidJobAndTheJobSkipsThem) {
    fs::path scans = root_ / "scans";
    fs::create_directories(scans);
    Id id = MakeProject(scans);
    ASSERT_EQ(runner_.RunUntilIdle(), 1);  // nothing to ingest, no pyramid job
    // A DICOM item over the threshold (the DICOM probe's answer, as ingest would store it).
    NewItem scan{"huge.dcm", 1000, kTiledAboveSide + 1, 20, "dicom", ItemState::kUnlabeled, ""};
    ASSERT_EQ(*env.repo->InsertItems(id, {scan}, env.clock.NowMs()), 1);
    Id job_id = Enqueue(TilePyramidJob::kKind, id);
    ASSERT_EQ(runner_.RunUntilIdle(), 1);
    Job job = *env.repo->GetJob(job_id);
    EXPECT_EQ(job.state, JobState::kDone) << job.error;  // was failed: DICOM cannot be tiled
    EXPECT_EQ(job.progress_total, 0);
    EXPECT_FALSE(WantsTilePyramid(kTiledAboveSide + 1, 20, "dicom"));
    EXPECT_TRUE(WantsTilePyramid(kTiledAboveSide + 1, 20, "png"));
}

TEST_F(CacheJobsTest, PyramidJobOutcomesForOddProjects) {
    Id id = MakeProject(root_);
    ASSERT_EQ(runner_.RunUntilIdle(), 2);
    Job job;
    job.payload_json = "{\"project_id\": " + std::to_string(id) + "}";
    std::string error;
    StoppedContext stopped;
    pyramid_.RemoveGroup(ProjectCacheGroup(id)).value();
    EXPECT_EQ(pyramids_.Run(job, stopped, error), JobOutcome::kInterrupted);

    job.payload_json = "{\"project\": 1}";
    EXPECT_EQ(pyramids_.Run(job, stopped, error), JobOutcome::kFailed);
    EXPECT_NE(error.find("project_id"), std::string::npos) << error;

    ASSERT_TRUE(env.repo->DeleteProject(id, env.clock.NowMs()).ok());
    Id deleted_job = Enqueue(TilePyramidJob::kKind, id);
    ASSERT_EQ(runner_.RunUntilIdle(), 1);
    EXPECT_EQ(env.repo->GetJob(deleted_job)->state, JobState::kDone);
}

TEST_F(CacheJobsTest, DeletingAProjectPurgesItsRenditionsAndPyramidsOnly) {
    Id doomed = MakeProject(root_);
    Id kept = MakeProject(root_);
    ASSERT_EQ(runner_.RunUntilIdle(), 4);
    for (Id project : {doomed, kept}) {
        for (const auto& [path, item] : Items(project)) {
            ASSERT_TRUE(renderer_
                            .Render(SourceRef{root_, root_ / path}, RenditionSpec::Thumbnail(),
                                    ItemCacheKey(project, item.id, "-thumb"))
                            .ok());
        }
    }
    const fs::path doomed_renditions = dir_.path() / "cache" / ProjectCacheGroup(doomed);
    const fs::path doomed_tiles = dir_.path() / "tiles" / ProjectCacheGroup(doomed);
    ASSERT_TRUE(fs::exists(doomed_renditions));
    ASSERT_TRUE(fs::exists(doomed_tiles));

    ProjectService projects(*env.repo, env.clock, env.random, ProjectSettings{});
    ASSERT_TRUE(projects.Delete(owner_, doomed).ok());
    auto purges = JobsOf(doomed, CachePurgeJob::kKind);
    ASSERT_EQ(purges.size(), 1u);
    EXPECT_EQ(purges[0].state, JobState::kQueued);
    ASSERT_EQ(runner_.RunUntilIdle(), 1);
    EXPECT_EQ(env.repo->GetJob(purges[0].id)->state, JobState::kDone);
    EXPECT_FALSE(fs::exists(doomed_renditions));
    EXPECT_FALSE(fs::exists(doomed_tiles));

    auto items = Items(kept);
    EXPECT_TRUE(fs::exists(dir_.path() / "cache" / ProjectCacheGroup(kept)));
    EXPECT_TRUE(
        pyramid_
            .Poll(SourceRef{root_, root_ / "strip.png"}, ItemCacheKey(kept, items["strip.png"].id))
            ->ready);

    // Running it again (a crash after the removal) is harmless.
    Enqueue(CachePurgeJob::kKind, doomed);
    ASSERT_EQ(runner_.RunUntilIdle(), 1);
    EXPECT_EQ(JobsOf(doomed, CachePurgeJob::kKind)[0].state, JobState::kDone);
}

}  // namespace
}  // namespace tessera
