#include "services/labeling_service.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "domain/label_tree.hpp"
#include "services/dashboard_service.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

// The answer or draft that must be there: "none yet" becomes a kNotFound here so the checks
// below read as before.
template <typename T>
Result<T> Present(Result<std::optional<T>> found) {
    if (!found.ok()) {
        return found.error();
    }
    if (!found->has_value()) {
        return Error::NotFound("none yet");
    }
    return std::move(**found);
}

// "None yet" is a successful answer with nothing in it.
template <typename T>
bool IsNone(const Result<std::optional<T>>& found) {
    return found.ok() && !found->has_value();
}

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
        new_items.reserve(items);
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
    EXPECT_EQ(labeling.SubmitLabels(ana_, project_.id, item, page->lease, {"Animal/Cat"})->outcome,
              SubmitOutcome::kStored);
    EXPECT_EQ(labeling.SubmitLabels(ana_, project_.id, item, page->lease, {"Animal/Cat"})->outcome,
              SubmitOutcome::kUnchanged);
    EXPECT_EQ(env.repo->GetProgress(project_.id, env.clock.NowMs())->labeled, 1);
}

// Label trees are cached per project: each project must still validate against its own.
TEST_F(LabelingServiceTest, EachProjectValidatesAgainstItsOwnLabels) {
    auto page = labeling.Next(ana_, project_.id, 4);
    ASSERT_TRUE(page.ok());
    EXPECT_TRUE(
        labeling.SubmitLabels(ana_, project_.id, page->items[0].id, page->lease, {"Car"}).ok());
    Project horses = project_;
    horses.name = "Horses";
    horses.labels_json = R"(["Horse","Pony"])";
    auto created = env.repo->CreateProject(horses);
    ASSERT_TRUE(created.ok());
    ASSERT_TRUE(env.repo
                    ->InsertItems(created->id,
                                  {NewItem{"h.png", 100, 64, 48, "png", ItemState::kUnlabeled, ""}},
                                  env.clock.NowMs())
                    .ok());
    auto other = labeling.Next(ana_, created->id, 1);
    ASSERT_TRUE(other.ok());
    ASSERT_EQ(other->items.size(), 1U);
    auto car = labeling.SubmitLabels(ana_, created->id, other->items[0].id, other->lease, {"Car"});
    EXPECT_EQ(car.error().message, "label 'Car' is not in this project");
    EXPECT_TRUE(
        labeling.SubmitLabels(ana_, created->id, other->items[0].id, other->lease, {"Pony"}).ok());
    auto horse =
        labeling.SubmitLabels(ana_, project_.id, page->items[1].id, page->lease, {"Horse"});
    EXPECT_EQ(horse.error().message, "label 'Horse' is not in this project");
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
    EXPECT_EQ(labeling.SubmitLabels(ana_, project_.id, item, "", {"Animal/Dog"})->outcome,
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
    // The result carries the labels as stored: deduplicated, in tree order.
    auto stored = labeling.SubmitLabels(ana_, ml.id, page->items[0].id, page->lease,
                                        {"Car", "Animal", "Car"});
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    EXPECT_EQ(stored->labels, (std::vector<std::string>{"Animal", "Car"}));
    EXPECT_EQ(stored->labels,
              Present(labeling.GetAnnotation(ana_, ml.id, page->items[0].id))->labels);
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

std::vector<Shape> ShapesOf(const char* text) {
    auto shapes = ShapesFromJson(nlohmann::json::parse(text));
    EXPECT_TRUE(shapes.ok()) << shapes.error().message;
    return shapes.ok() ? *shapes : std::vector<Shape>{};
}

TEST_F(LabelingServiceTest, BoxesAreValidatedClampedStoredAndCounted) {
    Project det = MakeProject("bbox", 2);
    auto page = labeling.Next(ana_, det.id, 1);
    ASSERT_TRUE(page.ok());
    const Id item = page->items[0].id;
    auto bad = labeling.SubmitShapes(ana_, det.id, item, page->lease, ShapesOf(R"([
        {"label":"Car","type":"box","x":1,"y":1,"w":5,"h":5},
        {"label":"Car","type":"box","x":1,"y":1,"w":5,"h":0}])"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "shapes[1]");
    EXPECT_TRUE(IsNone(labeling.GetAnnotation(ana_, det.id, item)));

    // Items are 64 x 48: the second box is clamped to the image.
    auto stored = labeling.SubmitShapes(ana_, det.id, item, page->lease, ShapesOf(R"([
        {"label":"Car","type":"box","x":1,"y":1,"w":5,"h":5,"id":"b1"},
        {"label":"Car","type":"box","x":60,"y":40,"w":10,"h":10},
        {"label":"Animal/Cat","type":"box","x":2,"y":3,"w":4,"h":5}])"));
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    EXPECT_EQ(stored->outcome, SubmitOutcome::kStored);
    auto view = Present(labeling.GetAnnotation(ana_, det.id, item));
    ASSERT_TRUE(view.ok()) << view.error().message;
    ASSERT_TRUE(view->shapes.has_value());
    EXPECT_EQ(stored->shapes, *view->shapes);  // the result is what was stored
    ASSERT_EQ(view->shapes->size(), 3U);
    EXPECT_EQ((*view->shapes)[0].id, "b1");
    EXPECT_EQ(std::get<Box>((*view->shapes)[1].geometry), (Box{60, 40, 4, 8}));
    EXPECT_TRUE(view->labels.empty());
    auto history = labeling.History(ana_, det.id, 10, 0);
    ASSERT_TRUE(history.ok()) << history.error().message;
    ASSERT_EQ(history->size(), 1U);
    EXPECT_EQ((*history)[0].shapes, view->shapes);

    DashboardService dashboard(*env.repo, env.clock);
    auto counts = dashboard.Get(ana_, det.id);
    ASSERT_TRUE(counts.ok());
    for (const auto& lc : counts->labels) {
        const int want = lc.label == "Car" ? 2 : (lc.label == "Animal/Cat" ? 1 : 0);
        EXPECT_EQ(lc.count, want) << lc.label;
    }
    // Shapes on a classification project and labels on a drawing one are both refused.
    auto classify = labeling.Next(ana_, project_.id, 1);
    ASSERT_TRUE(classify.ok());
    auto wrong =
        labeling.SubmitShapes(ana_, project_.id, classify->items[0].id, classify->lease, {});
    EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(labeling.SubmitLabels(ana_, det.id, item, "", {"Car"}).ok());
}

TEST_F(LabelingServiceTest, SemanticPolygonsAreStoredAsMasks) {
    Project seg = MakeProject("semantic", 1);
    auto page = labeling.Next(ana_, seg.id, 1);
    ASSERT_TRUE(page.ok());
    const Id item = page->items[0].id;
    ASSERT_TRUE(labeling
                    .SubmitShapes(ana_, seg.id, item, page->lease, ShapesOf(R"([
        {"label":"Car","type":"polygon","points":[[0,0],[2,0],[2,2],[0,2]]}])"))
                    .ok());
    auto view = Present(labeling.GetAnnotation(ana_, seg.id, item));
    ASSERT_TRUE(view.ok());
    ASSERT_EQ(view->shapes->size(), 1U);
    EXPECT_EQ(std::get<MaskRle>((*view->shapes)[0].geometry).runs,
              (std::vector<std::int64_t>{0, 2, 64, 2}));
}

TEST_F(LabelingServiceTest, DraftsNeedTheLeaseOrAnAnswerAndEndWithTheSubmit) {
    Project det = MakeProject("polygon", 2);
    auto page = labeling.Next(ana_, det.id, 1);
    ASSERT_TRUE(page.ok());
    const Id item = page->items[0].id;
    // Unfinished geometry is fine in a draft; unknown labels are not.
    auto unfinished = ShapesOf(R"([{"label":"Car","type":"polygon","points":[[1,1],[5,1]]}])");
    EXPECT_TRUE(IsNone(labeling.GetDraft(ana_, det.id, item)));
    ASSERT_TRUE(labeling.SaveDraft(ana_, det.id, item, unfinished).ok());
    EXPECT_EQ(labeling
                  .SaveDraft(ana_, det.id, item, ShapesOf(R"([{"label":"Horse","type":
        "polygon","points":[]}])"))
                  .error()
                  .field,
              "shapes[0]");
    env.clock.Advance(5);
    auto draft = Present(labeling.GetDraft(ana_, det.id, item));
    ASSERT_TRUE(draft.ok()) << draft.error().message;
    EXPECT_EQ(draft->shapes, unfinished);
    EXPECT_EQ(draft->updated_at, env.clock.NowMs() - 5);
    // Bob holds neither the lease nor an answer.
    EXPECT_EQ(labeling.SaveDraft(bob_, det.id, item, unfinished).error().code,
              ErrorCode::kLeaseInvalid);
    EXPECT_TRUE(IsNone(labeling.GetDraft(bob_, det.id, item)));

    ASSERT_TRUE(labeling
                    .SubmitShapes(ana_, det.id, item, page->lease, ShapesOf(R"([
        {"label":"Car","type":"polygon","points":[[1,1],[5,1],[5,5]]}])"))
                    .ok());
    EXPECT_TRUE(IsNone(labeling.GetDraft(ana_, det.id, item)));
    // After the lease is gone, her earlier answer still lets her keep a draft of an edit.
    env.clock.Advance(LabelingSettings{}.lease_ms + 1);
    ASSERT_TRUE(labeling.SaveDraft(ana_, det.id, item, unfinished).ok());
    EXPECT_TRUE(Present(labeling.GetDraft(ana_, det.id, item)).ok());
    // No draft is "none yet"; an item that does not exist is still not found.
    EXPECT_EQ(labeling.GetDraft(ana_, det.id, item + 1000).error().code, ErrorCode::kNotFound);
}

TEST_F(LabelingServiceTest, PrelabelIsShownUntilTheLabelerAnswers) {
    Project det = MakeProject("bbox", 2);
    auto page = labeling.Next(ana_, det.id, 1);
    ASSERT_TRUE(page.ok());
    const Id item = page->items[0].id;
    EXPECT_TRUE(IsNone(labeling.GetAnnotation(ana_, det.id, item)));

    ImportRequest request;
    request.project_id = det.id;
    request.final = false;
    request.annotations.push_back(ImportedAnnotation{
        item, R"({"shapes":[{"label":"Car","type":"box","x":1,"y":2,"w":3,"h":4}]})", {}, 0.75});
    request.now = env.clock.NowMs();
    ASSERT_TRUE(env.repo->ApplyImport(request).ok());

    // Nobody has answered: both labelers see the prelabel, marked as such.
    for (const User& user : {ana_, bob_}) {
        auto view = Present(labeling.GetAnnotation(user, det.id, item));
        ASSERT_TRUE(view.ok()) << view.error().message;
        EXPECT_EQ(view->source, AnnotationSource::kPrelabel);
        ASSERT_TRUE(view->confidence.has_value());
        EXPECT_DOUBLE_EQ(*view->confidence, 0.75);
        ASSERT_TRUE(view->shapes.has_value());
        ASSERT_EQ(view->shapes->size(), 1U);
        EXPECT_EQ(std::get<Box>((*view->shapes)[0].geometry), (Box{1, 2, 3, 4}));
    }

    // Ana's own answer wins for her; Bob still sees the prelabel.
    ASSERT_TRUE(labeling
                    .SubmitShapes(ana_, det.id, item, page->lease, ShapesOf(R"([
        {"label":"Animal/Dog","type":"box","x":5,"y":5,"w":6,"h":6}])"))
                    .ok());
    auto own = Present(labeling.GetAnnotation(ana_, det.id, item));
    ASSERT_TRUE(own.ok());
    EXPECT_EQ(own->source, AnnotationSource::kHuman);
    EXPECT_FALSE(own->confidence.has_value());
    ASSERT_EQ(own->shapes->size(), 1U);
    EXPECT_EQ((*own->shapes)[0].label, "Animal/Dog");
    EXPECT_EQ(Present(labeling.GetAnnotation(bob_, det.id, item))->source,
              AnnotationSource::kPrelabel);

    // Classification prelabels carry labels; an item with neither is still not found.
    auto classify = labeling.Next(ana_, project_.id, 1);
    ASSERT_TRUE(classify.ok());
    const Id tagged = classify->items[0].id;
    ImportRequest tags;
    tags.project_id = project_.id;
    tags.annotations.push_back(ImportedAnnotation{tagged, R"({"labels":["Car"]})", {}, {}});
    tags.now = env.clock.NowMs();
    ASSERT_TRUE(env.repo->ApplyImport(tags).ok());
    auto prelabel = Present(labeling.GetAnnotation(ana_, project_.id, tagged));
    ASSERT_TRUE(prelabel.ok()) << prelabel.error().message;
    EXPECT_EQ(prelabel->source, AnnotationSource::kPrelabel);
    EXPECT_EQ(prelabel->labels, (std::vector<std::string>{"Car"}));
    EXPECT_FALSE(prelabel->confidence.has_value());
    EXPECT_EQ(Present(labeling.GetAnnotation(ana_, det.id, page->items[0].id + 1)).error().code,
              ErrorCode::kNotFound);
}

TEST_F(LabelingServiceTest, DrawingAnswersAreComparedWithThePrelabelIdsAside) {
    Project det = MakeProject("bbox", 2);
    auto page = labeling.Next(ana_, det.id, 1);
    ASSERT_TRUE(page.ok());
    auto second = labeling.Next(ana_, det.id, 1);
    ASSERT_TRUE(second.ok());
    const Id kept = page->items[0].id;
    const Id moved = second->items[0].id;
    ImportRequest request;
    request.project_id = det.id;
    request.now = env.clock.NowMs();
    for (const Id item : {kept, moved}) {
        request.annotations.push_back(ImportedAnnotation{
            item,
            R"({"shapes":[{"label":"Car","type":"box","x":1,"y":2,"w":3,"h":4}]})",
            {},
            0.75});
    }
    ASSERT_TRUE(env.repo->ApplyImport(request).ok());
    // The page gives each shape an id and keeps its confidence: still the prelabel, unchanged.
    ASSERT_TRUE(labeling
                    .SubmitShapes(ana_, det.id, kept, page->lease, ShapesOf(R"([
        {"id":"s1","label":"Car","type":"box","x":1,"y":2,"w":3,"h":4,"confidence":0.75}])"),
                                  {2000, 0})
                    .ok());
    ASSERT_TRUE(labeling
                    .SubmitShapes(ana_, det.id, moved, second->lease, ShapesOf(R"([
        {"id":"s2","label":"Car","type":"box","x":5,"y":2,"w":3,"h":4}])"),
                                  {4000, 1})
                    .ok());
    auto totals = env.repo->LabelEffortTotals(det.id, 100);
    ASSERT_TRUE(totals.ok()) << totals.error().message;
    ASSERT_EQ(totals->size(), 1U);
    EXPECT_EQ(totals->front().prelabel, PrelabelShown::kImported);
    EXPECT_EQ(totals->front().answers, 2);
    EXPECT_EQ(totals->front().unchanged, 1);
    EXPECT_EQ(totals->front().active_ms, 6000);
}

TEST_F(LabelingServiceTest, AnswersRecordWhatTheyWereShownAndWhatTheyCost) {
    auto page = labeling.Next(ana_, project_.id, 4);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->items.size(), 4U);
    const auto& items = page->items;
    // items[0] and items[1]: the model's prelabels; items[2]: an imported one; items[3]: none.
    MlRound round;
    round.project_id = project_.id;
    round.created_at = env.clock.NowMs();
    Job job;
    job.kind = "ml_round";
    job.project_id = project_.id;
    job.payload_json = "{}";
    job.created_at = env.clock.NowMs();
    auto created = env.repo->CreateMlRound(round, job);
    ASSERT_TRUE(created.ok()) << created.error().message;
    ASSERT_TRUE(
        env.repo
            ->ReplaceModelPrelabels(project_.id, created->id,
                                    {{items[0].id, R"({"labels":["Animal/Cat"]})", {}, 0.99},
                                     {items[1].id, R"({"labels":["Animal/Cat"]})", {}, 0.98}},
                                    env.clock.NowMs())
            .ok());
    ImportRequest imported;
    imported.project_id = project_.id;
    imported.annotations.push_back({items[2].id, R"({"labels":["Car"]})", {}, {}});
    imported.now = env.clock.NowMs();
    ASSERT_TRUE(env.repo->ApplyImport(imported).ok());

    auto submit = [&](std::size_t i, const std::string& label, MeasuredEffort effort) {
        auto stored =
            labeling.SubmitLabels(ana_, project_.id, items[i].id, page->lease, {label}, effort);
        ASSERT_TRUE(stored.ok()) << stored.error().message;
    };
    submit(0, "Animal/Cat", {1200, 0});              // accepted as shown
    submit(1, "Car", {3000, 1});                     // fixed
    submit(2, "Car", {std::nullopt, std::nullopt});  // accepted, by a client that does not time
    submit(3, "Animal/Dog", {kMaxActiveMsPerAnswer * 3, 1});  // left open: counts the cap

    auto totals = env.repo->LabelEffortTotals(project_.id, 100);
    ASSERT_TRUE(totals.ok()) << totals.error().message;
    ASSERT_EQ(totals->size(), 3U);
    const EffortTotal& manual = (*totals)[0];
    EXPECT_EQ(manual.prelabel, PrelabelShown::kNone);
    EXPECT_EQ(manual.active_ms, kMaxActiveMsPerAnswer);
    const EffortTotal& model = (*totals)[1];
    EXPECT_EQ(model.prelabel, PrelabelShown::kModel);
    EXPECT_EQ(model.answers, 2);
    EXPECT_EQ(model.unchanged, 1);
    EXPECT_EQ(model.active_ms, 4200);
    EXPECT_EQ(model.edits, 1);
    const EffortTotal& import = (*totals)[2];
    EXPECT_EQ(import.prelabel, PrelabelShown::kImported);
    EXPECT_EQ(import.unchanged, 1);
    EXPECT_EQ(import.timed, 0);
}

}  // namespace
}  // namespace tessera
