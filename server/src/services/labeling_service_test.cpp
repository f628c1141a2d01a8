#include "services/labeling_service.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "domain/label_tree.hpp"
#include "services/dashboard_service.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

class LabelingServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        ana_ = *env.repo->CreateUser(User{0, "ana", Role::kLabeler, "x", 0});
        bob_ = *env.repo->CreateUser(User{0, "bob", Role::kLabeler, "x", 0});
        project_ = MakeProject("multiclass", 10);
    }

    Project MakeProject(const std::string& type, int items) {
        Project p;
        p.name = "P-" + type;
        p.task_type = *ParseTaskType(type);
        p.status = ProjectStatus::kRunning;
        p.labels_json =
            R"([{"name":"Animal","children":[{"name":"Cat"},{"name":"Dog"}]},{"name":"Car"}])";
        p.datasource.path = "/data";
        p.datasource.pattern = "**/*.*";
        p.shuffle_seed = 7;
        auto created = env.repo->CreateProject(p);
        EXPECT_TRUE(created.ok());
        std::vector<NewItem> new_items;
        for (int i = 0; i < items; ++i) {
            new_items.push_back(NewItem{"img" + std::to_string(i) + ".png", 100, 64, 48, "png",
                                        ItemState::kUnlabeled, ""});
        }
        EXPECT_TRUE(env.repo->InsertItems(created->id, new_items, env.clock.NowMs()).ok());
        EXPECT_TRUE(env.repo->ShuffleItems(created->id, 7).ok());
        return *created;
    }

    testing::ServiceEnv env;
    LabelingService labeling{*env.repo, env.clock, env.random, LabelingSettings{}};
    User ana_;
    User bob_;
    Project project_;
};

TEST_F(LabelingServiceTest, PageSizesAreOneFourSixNine) {
    EXPECT_EQ(labeling.Next(ana_, project_.id, 5).error().field, "count");
    EXPECT_EQ(labeling.Next(ana_, project_.id, 6)->items.size(), 6U);
}

TEST_F(LabelingServiceTest, TwoLabelersNeverShareItems) {
    auto a = labeling.Next(ana_, project_.id, 6);
    auto b = labeling.Next(bob_, project_.id, 6);
    ASSERT_TRUE(a.ok() && b.ok());
    std::set<Id> seen;
    for (const auto& item : a->items) {
        seen.insert(item.id);
    }
    for (const auto& item : b->items) {
        EXPECT_EQ(seen.count(item.id), 0U);
    }
    EXPECT_EQ(b->items.size(), 4U);
    EXPECT_TRUE(labeling.Next(bob_, project_.id, 4).ok());
}

TEST_F(LabelingServiceTest, ExpiredLeasesReturnItemsToTheQueue) {
    auto a = labeling.Next(ana_, project_.id, 9);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(labeling.Next(bob_, project_.id, 9)->items.size(), 1U);
    env.clock.Advance(10 * 60 * 1000 + 1);
    EXPECT_EQ(labeling.Next(bob_, project_.id, 9)->items.size(), 9U);
    auto late = labeling.SubmitLabels(ana_, project_.id, a->items[0].id, a->lease, {"Car"});
    EXPECT_EQ(late.error().code, ErrorCode::kLeaseInvalid);
}

TEST_F(LabelingServiceTest, SubmitIsIdempotentAndValidatesLabels) {
    auto page = labeling.Next(ana_, project_.id, 1);
    ASSERT_TRUE(page.ok());
    Id item = page->items[0].id;
    auto bad = labeling.SubmitLabels(ana_, project_.id, item, page->lease, {"Horse"});
    EXPECT_EQ(bad.error().message, "label 'Horse' is not in this project");
    EXPECT_EQ(*labeling.SubmitLabels(ana_, project_.id, item, page->lease, {"Animal/Cat"}),
              SubmitOutcome::kStored);
    EXPECT_EQ(*labeling.SubmitLabels(ana_, project_.id, item, page->lease, {"Animal/Cat"}),
              SubmitOutcome::kUnchanged);
    EXPECT_EQ(env.repo->GetProgress(project_.id, env.clock.NowMs())->labeled, 1);
}

TEST_F(LabelingServiceTest, LeaseOfSomeoneElseIsRejected) {
    auto page = labeling.Next(ana_, project_.id, 1);
    ASSERT_TRUE(page.ok());
    auto r = labeling.SubmitLabels(bob_, project_.id, page->items[0].id, page->lease, {"Car"});
    EXPECT_EQ(r.error().code, ErrorCode::kLeaseInvalid);
}

TEST_F(LabelingServiceTest, LabelerCanGoBackAndChangeHerAnswer) {
    auto page = labeling.Next(ana_, project_.id, 1);
    ASSERT_TRUE(page.ok());
    Id item = page->items[0].id;
    ASSERT_TRUE(labeling.SubmitLabels(ana_, project_.id, item, page->lease, {"Car"}).ok());
    env.clock.Advance(1000);
    EXPECT_EQ(*labeling.SubmitLabels(ana_, project_.id, item, "", {"Animal/Dog"}),
              SubmitOutcome::kUpdated);
    auto history = labeling.History(ana_, project_.id, 10, 0);
    ASSERT_TRUE(history.ok());
    ASSERT_EQ(history->size(), 1U);
    EXPECT_EQ((*history)[0].labels, std::vector<std::string>{"Animal/Dog"});
    // Bob never annotated it, so he may not edit it without a lease.
    EXPECT_EQ(labeling.SubmitLabels(bob_, project_.id, item, "", {"Car"}).error().code,
              ErrorCode::kLeaseInvalid);
    DashboardService dashboard(*env.repo, env.clock);
    auto view = dashboard.Get(ana_, project_.id);
    ASSERT_TRUE(view.ok());
    for (const auto& lc : view->labels) {
        EXPECT_EQ(lc.count, lc.label == "Animal/Dog" ? 1 : 0) << lc.label;
    }
    ASSERT_EQ(view->labelers.size(), 1U);
    EXPECT_EQ(view->labelers[0].username, "ana");
}

TEST_F(LabelingServiceTest, MultilabelNeedsAtLeastOne) {
    Project ml = MakeProject("multilabel", 2);
    auto page = labeling.Next(ana_, ml.id, 1);
    ASSERT_TRUE(page.ok());
    EXPECT_FALSE(labeling.SubmitLabels(ana_, ml.id, page->items[0].id, page->lease, {}).ok());
    EXPECT_TRUE(
        labeling.SubmitLabels(ana_, ml.id, page->items[0].id, page->lease, {"Car", "Animal"}).ok());
}

TEST_F(LabelingServiceTest, SkipMarksSkippedAndPausedProjectRefusesWork) {
    auto page = labeling.Next(ana_, project_.id, 4);
    ASSERT_TRUE(page.ok());
    ASSERT_TRUE(labeling.Skip(ana_, project_.id, page->items[0].id, page->lease).ok());
    EXPECT_EQ(env.repo->GetProgress(project_.id, env.clock.NowMs())->skipped, 1);
    ASSERT_TRUE(env.repo->SetProjectStatus(project_.id, ProjectStatus::kPaused).ok());
    EXPECT_EQ(labeling.Next(ana_, project_.id, 4).error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(LabelingServiceTest, EmptyQueueGivesEmptyPage) {
    auto page = labeling.Next(ana_, project_.id, 9);
    ASSERT_TRUE(page.ok());
    for (const auto& item : page->items) {
        ASSERT_TRUE(labeling.SubmitLabels(ana_, project_.id, item.id, page->lease, {"Car"}).ok());
    }
    auto rest = labeling.Next(ana_, project_.id, 9);
    ASSERT_EQ(rest->items.size(), 1U);
    ASSERT_TRUE(
        labeling.SubmitLabels(ana_, project_.id, rest->items[0].id, rest->lease, {"Car"}).ok());
    auto none = labeling.Next(ana_, project_.id, 9);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->items.empty());
    EXPECT_TRUE(none->lease.empty());
}

}  // namespace
}  // namespace tessera
