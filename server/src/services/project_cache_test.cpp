#include "services/project_cache.hpp"

#include <gtest/gtest.h>

#include "services/labeling_service.hpp"
#include "services/project_service.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

class ProjectCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        Project p;
        p.name = "Pets";
        p.task_type = TaskType::kMulticlass;
        p.status = ProjectStatus::kRunning;
        p.labels_json = R"([{"name":"Cat"},{"name":"Dog"}])";
        p.datasource.path = "/data";
        p.datasource.pattern = "**/*.*";
        p.shuffle_seed = 7;
        auto created = env.repo->CreateProject(p);
        ASSERT_TRUE(created.ok());
        project_ = *created;
        ASSERT_TRUE(
            env.repo
                ->InsertItems(project_.id,
                              {NewItem{"a.png", 100, 64, 48, "png", ItemState::kUnlabeled, ""}},
                              env.clock.NowMs())
                .ok());
        owner_ = *env.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
        labeler_ = *env.repo->CreateUser(User{0, "lab", Role::kLabeler, "x", 0});
    }

    // What another server process sharing the database would do: change the row behind this
    // process's back.
    void PauseElsewhere() {
        ASSERT_TRUE(env.repo->SetProjectStatus(project_.id, ProjectStatus::kPaused).ok());
    }

    testing::ServiceEnv env;
    ProjectCache cache{env.clock, 2000, 4};
    Project project_;
    User owner_;
    User labeler_;
};

TEST_F(ProjectCacheTest, ServesTheCachedRowUntilTheTtlRunsOut) {
    ASSERT_EQ(cache.Get(*env.repo, project_.id)->status, ProjectStatus::kRunning);
    PauseElsewhere();
    env.clock.Advance(1999);
    EXPECT_EQ(cache.Get(*env.repo, project_.id)->status, ProjectStatus::kRunning);
    env.clock.Advance(1);
    EXPECT_EQ(cache.Get(*env.repo, project_.id)->status, ProjectStatus::kPaused);
}

TEST_F(ProjectCacheTest, EraseMakesTheNextGetReadTheDatabase) {
    ASSERT_TRUE(cache.Get(*env.repo, project_.id).ok());
    EXPECT_EQ(cache.Size(), 1U);
    PauseElsewhere();
    cache.Erase(project_.id);
    EXPECT_EQ(cache.Size(), 0U);
    EXPECT_EQ(cache.Get(*env.repo, project_.id)->status, ProjectStatus::kPaused);
}

TEST_F(ProjectCacheTest, ErrorsAreNotCachedAndAFullCacheStartsOver) {
    EXPECT_EQ(cache.Get(*env.repo, 9999).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(cache.Size(), 0U);
    for (int i = 0; i < 4; ++i) {
        Project p = project_;
        p.name = "Other" + std::to_string(i);
        auto created = env.repo->CreateProject(p);
        ASSERT_TRUE(created.ok());
        ASSERT_TRUE(cache.Get(*env.repo, created->id).ok());
    }
    EXPECT_EQ(cache.Size(), 4U);
    ASSERT_TRUE(cache.Get(*env.repo, project_.id).ok());  // a fifth: dropped the rest
    EXPECT_EQ(cache.Size(), 1U);
}

TEST_F(ProjectCacheTest, AClockSetBackDoesNotStretchTheTtl) {
    env.clock.Advance(10'000);
    ASSERT_TRUE(cache.Get(*env.repo, project_.id).ok());
    PauseElsewhere();
    env.clock.Advance(-5000);
    EXPECT_EQ(cache.Get(*env.repo, project_.id)->status, ProjectStatus::kPaused);
}

TEST_F(ProjectCacheTest, ZeroTtlTurnsTheCacheOff) {
    ProjectCache off(env.clock, 0, 4);
    ASSERT_TRUE(off.Get(*env.repo, project_.id).ok());
    PauseElsewhere();
    EXPECT_EQ(off.Get(*env.repo, project_.id)->status, ProjectStatus::kPaused);
    EXPECT_EQ(off.Size(), 0U);
}

// The wiring app.cpp uses: a pause through ProjectService stops the next page at once, and a
// start lets it through again, although LabelingService cached the project in between.
TEST_F(ProjectCacheTest, PauseAndStartThroughTheServiceReachLabelingAtOnce) {
    ProjectService projects(*env.repo, env.clock, env.random, ProjectSettings{}, &cache);
    LabelingService labeling(*env.repo, env.clock, env.random, LabelingSettings{}, &cache);
    ASSERT_TRUE(labeling.Next(labeler_, project_.id, 1).ok());
    ASSERT_TRUE(projects.Pause(owner_, project_.id).ok());
    auto paused = labeling.Next(labeler_, project_.id, 1);
    ASSERT_FALSE(paused.ok());
    EXPECT_EQ(paused.error().code, ErrorCode::kFailedPrecondition);
    ASSERT_TRUE(projects.Start(owner_, project_.id).ok());
    EXPECT_TRUE(labeling.Next(labeler_, project_.id, 1).ok());
    ASSERT_TRUE(projects.Delete(owner_, project_.id).ok());
    EXPECT_EQ(labeling.Next(labeler_, project_.id, 1).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tessera
