// ML assist's storage on every backend (repository.hpp, "ML assist").
#include <algorithm>

#include "storage/repository_conformance.hpp"

namespace tessera {
namespace {

std::vector<Id> ItemIdsInOrder(const std::vector<Item>& items) {
    std::vector<Id> ids;
    ids.reserve(items.size());
    for (const Item& item : items) {
        ids.push_back(item.id);
    }
    return ids;
}

ImportedAnnotation Prelabel(Id item_id, const std::string& label, double confidence) {
    return {item_id, R"({"labels":[")" + label + R"("]})", {}, confidence};
}

}  // namespace

TEST_P(RepositoryConformance, MlSettingsDefaultUntilSetAndNeedALiveProject) {
    const Project p = AddProject("ml-settings", 1);
    auto defaults = repo_->GetMlSettings(p.id);
    ASSERT_TRUE(defaults.ok()) << defaults.error().message;
    EXPECT_FALSE(defaults->enabled);
    EXPECT_DOUBLE_EQ(defaults->target_precision, 0.95);
    MlSettings set{true, 0.9, 3, 50};
    ASSERT_TRUE(repo_->SetMlSettings(p.id, set).ok());
    set.target_precision = 0.97;  // a second write replaces the first
    ASSERT_TRUE(repo_->SetMlSettings(p.id, set).ok());
    auto read = repo_->GetMlSettings(p.id);
    ASSERT_TRUE(read.ok());
    EXPECT_TRUE(read->enabled);
    EXPECT_DOUBLE_EQ(read->target_precision, 0.97);
    EXPECT_EQ(read->min_labels_per_class, 3);
    EXPECT_EQ(read->retrain_after_labels, 50);
    EXPECT_EQ(repo_->GetMlSettings(999999).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->SetMlSettings(999999, set).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, OneActiveRoundPerProjectAndRoundsReadBackNewestFirst) {
    const Project p = AddProject("ml-rounds", 1);
    MlRound round;
    round.project_id = p.id;
    round.labels_used = 40;
    round.created_at = kT0;
    Job job;
    job.kind = "ml_round";
    job.project_id = p.id;
    job.payload_json = R"({"project_id":1})";
    job.created_at = kT0;
    auto first = repo_->CreateMlRound(round, job);
    ASSERT_TRUE(first.ok()) << first.error().message;
    // The job was queued with it, and the round knows it.
    auto queued = repo_->GetJob(first->job_id);
    ASSERT_TRUE(queued.ok()) << queued.error().message;
    EXPECT_EQ(queued->kind, "ml_round");
    EXPECT_EQ(queued->state, JobState::kQueued);
    EXPECT_EQ(queued->payload_json, job.payload_json);
    EXPECT_EQ(repo_->GetMlRound(first->id)->job_id, first->job_id);
    // A second while the first is active: refused, and no job is left behind.
    const auto jobs_before = repo_->ListJobs(p.id)->size();
    EXPECT_EQ(repo_->CreateMlRound(round, job).error().code, ErrorCode::kConflict);
    EXPECT_EQ(repo_->ListJobs(p.id)->size(), jobs_before);

    MlRound done = *first;
    done.state = MlRoundState::kDone;
    done.stage = MlStage::kInference;
    done.backbone = "mobilenet_v2_140@abc";
    done.metrics_json = R"({"training":{"seconds":1.5}})";
    done.threshold = 0.83;
    done.prelabeled = 12;
    done.message = "ok";
    done.started_at = kT0 + 1;
    done.finished_at = kT0 + 2;
    ASSERT_TRUE(repo_->UpdateMlRound(done).ok());
    auto second = repo_->CreateMlRound(round, job);  // the first is done: a new one may start
    ASSERT_TRUE(second.ok()) << second.error().message;

    auto list = repo_->ListMlRounds(p.id, 10);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2U);
    EXPECT_EQ((*list)[0].id, second->id);
    const MlRound& read = (*list)[1];
    EXPECT_EQ(read.state, MlRoundState::kDone);
    EXPECT_EQ(read.stage, MlStage::kInference);
    EXPECT_EQ(read.backbone, "mobilenet_v2_140@abc");
    EXPECT_EQ(read.metrics_json, done.metrics_json);
    ASSERT_TRUE(read.threshold.has_value());
    EXPECT_DOUBLE_EQ(*read.threshold, 0.83);
    EXPECT_EQ(read.prelabeled, 12);
    EXPECT_EQ(read.labels_used, 40);
    EXPECT_EQ(read.finished_at, kT0 + 2);
    EXPECT_NE(second->job_id, first->job_id);
    EXPECT_FALSE(repo_->GetMlRound(second->id)->threshold.has_value());
    MlRound missing = done;
    missing.id = 999999;
    EXPECT_EQ(repo_->UpdateMlRound(missing).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, EmbeddingsKeepEveryByteAndStayWithTheirProjectAndBackbone) {
    const Project p = AddProject("ml-embed", 3);
    const Project other = AddProject("ml-embed-other", 1);
    auto items = repo_->ListItems(p.id, ItemFilter{});
    auto other_items = repo_->ListItems(other.id, ItemFilter{});
    ASSERT_TRUE(items.ok() && other_items.ok());
    // Every byte value, NUL included: the vectors are float16 bits, not text.
    std::string all_bytes;
    for (int b = 0; b < 256; ++b) {
        all_bytes += static_cast<char>(b);
    }
    const Id a = (*items)[0].id;
    const Id b = (*items)[1].id;
    ASSERT_TRUE(repo_->PutEmbeddings("net@1", {{a, all_bytes}, {b, "xy"}}).ok());
    ASSERT_TRUE(repo_->PutEmbeddings("net@1", {{b, std::string("\0z", 2)}}).ok());  // replaces
    ASSERT_TRUE(repo_->PutEmbeddings("net@2", {{a, "other version"}}).ok());
    ASSERT_TRUE(repo_->PutEmbeddings("net@1", {{(*other_items)[0].id, "elsewhere"}}).ok());

    auto read = repo_->GetEmbeddings(p.id, "net@1", {b, (*items)[2].id, a, (*other_items)[0].id});
    ASSERT_TRUE(read.ok()) << read.error().message;
    ASSERT_EQ(read->size(), 2U);
    EXPECT_EQ((*read)[0].item_id, a);
    EXPECT_EQ((*read)[0].vector, all_bytes);
    EXPECT_EQ((*read)[1].item_id, b);
    EXPECT_EQ((*read)[1].vector, std::string("\0z", 2));
    EXPECT_EQ(repo_->GetEmbeddings(p.id, "net@2", {a})->at(0).vector, "other version");
    EXPECT_TRUE(repo_->GetEmbeddings(p.id, "net@1", {})->empty());
    auto listed =
        repo_->ListEmbeddedItems(p.id, "net@1", {b, (*items)[2].id, a, (*other_items)[0].id});
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    EXPECT_EQ(*listed, (std::vector<Id>{a, b}));
    EXPECT_EQ(*repo_->ListEmbeddedItems(p.id, "net@2", {a, b}), std::vector<Id>{a});
    EXPECT_TRUE(repo_->ListEmbeddedItems(p.id, "net@1", {})->empty());
    EXPECT_FALSE(repo_->PutEmbeddings("net@1", {{a, ""}}).ok());
}

TEST_P(RepositoryConformance, RegisteredModelsKeepTheirBytesAndSettingsAndGoWithTheirEmbeddings) {
    std::string onnx;
    for (int i = 0; i < 3000; ++i) {
        onnx += static_cast<char>(i * 7);  // every byte value, NUL included
    }
    MlModel model;
    model.name = "resnet50";
    model.sha256 = std::string(64, 'a');
    model.input_width = 224;
    model.input_height = 192;
    model.mean = {0.485, 0.456, 0.406};
    model.std = {0.229, 0.224, 0.225};
    model.dimensions = 2048;
    model.source = "https://example.com/resnet50.onnx";
    model.created_at = 1234;
    ASSERT_TRUE(repo_->AddMlModel(model, onnx).ok());
    MlModel second = model;
    second.name = "efficientnet_b0";
    ASSERT_TRUE(repo_->AddMlModel(second, "small").ok());
    auto again = repo_->AddMlModel(model, "other bytes");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);

    auto listed = repo_->ListMlModels();
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    ASSERT_EQ(listed->size(), 2U);
    EXPECT_EQ((*listed)[0].name, "efficientnet_b0");  // by name
    const MlModel& read = (*listed)[1];
    EXPECT_EQ(read.name, "resnet50");
    EXPECT_EQ(read.sha256, model.sha256);
    EXPECT_EQ(read.input_width, 224);
    EXPECT_EQ(read.input_height, 192);
    EXPECT_EQ(read.mean, model.mean);  // exactly: the doubles survive the text column
    EXPECT_EQ(read.std, model.std);
    EXPECT_EQ(read.dimensions, 2048);
    EXPECT_EQ(read.source, model.source);
    EXPECT_EQ(read.created_at, 1234);
    EXPECT_EQ(*repo_->GetMlModelOnnx("resnet50"), onnx);
    EXPECT_EQ(repo_->GetMlModelOnnx("vgg").error().code, ErrorCode::kNotFound);

    const Project p = AddProject("ml-model-embeddings", 2);
    auto items = repo_->ListItems(p.id, ItemFilter{});
    ASSERT_TRUE(items.ok());
    const Id a = (*items)[0].id;
    const Id b = (*items)[1].id;
    ASSERT_TRUE(repo_->PutEmbeddings("resnet50@aaaa", {{a, "1"}, {b, "2"}}).ok());
    ASSERT_TRUE(repo_->PutEmbeddings("net@1", {{a, "kept"}}).ok());
    ASSERT_TRUE(repo_->RemoveMlModel("resnet50").ok());
    EXPECT_EQ(*repo_->DeleteEmbeddings("resnet50@aaaa"), 2);
    EXPECT_EQ(repo_->RemoveMlModel("resnet50").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->ListMlModels()->size(), 1U);
    EXPECT_TRUE(repo_->GetEmbeddings(p.id, "resnet50@aaaa", {a, b})->empty());
    EXPECT_EQ(repo_->GetEmbeddings(p.id, "net@1", {a, b})->size(), 1U);
}

TEST_P(RepositoryConformance, QueueWindowIsUnlabeledInRankOrderAndReorderKeepsItsRanks) {
    const Project p = AddProject("ml-window", 6);
    const User u = AddUser("window-labeler");
    auto window = repo_->ListQueueWindow(p.id, 100);
    ASSERT_TRUE(window.ok());
    ASSERT_EQ(window->size(), 6U);
    EXPECT_TRUE(std::is_sorted(window->begin(), window->end(),
                               [](const Item& x, const Item& y) { return x.rank < y.rank; }));
    // A labeled item leaves the window; a leased one stays in it.
    auto page = Lease(p.id, u.id, 2, "t1", kT0);
    ASSERT_EQ(page.size(), 2U);
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, page[0].id, u.id, "t1", {"Cat"}, kT0)).ok());
    window = repo_->ListQueueWindow(p.id, 100);
    ASSERT_EQ(window->size(), 5U);
    const std::vector<Id> remaining = ItemIdsInOrder(*window);
    EXPECT_EQ(std::count(remaining.begin(), remaining.end(), page[0].id), 0);
    EXPECT_EQ(repo_->ListQueueWindow(p.id, 2)->size(), 2U);

    // Reversing the last three: they swap ranks among themselves, the first two stay first.
    const std::vector<Id> before = ItemIdsInOrder(*window);
    const std::vector<Id> last3(before.rbegin(), before.rbegin() + 3);
    ASSERT_TRUE(repo_->ReorderQueue(p.id, last3).ok());
    const std::vector<Id> after = ItemIdsInOrder(*repo_->ListQueueWindow(p.id, 100));
    const std::vector<Id> expected{before[0], before[1], before[4], before[3], before[2]};
    EXPECT_EQ(after, expected);
    // The queue serves the new order (after the items leased above).
    auto next = Lease(p.id, u.id, 5, "t2", kT0 + 1);
    std::vector<Id> served = ItemIdsInOrder(next);
    served.erase(std::remove(served.begin(), served.end(), page[1].id), served.end());
    std::vector<Id> unleased = expected;
    unleased.erase(std::remove(unleased.begin(), unleased.end(), page[1].id), unleased.end());
    EXPECT_EQ(served, unleased);
}

TEST_P(RepositoryConformance, LabelEffortsRecordWhatWasShownAndSumPerKind) {
    const Project p = AddProject("ml-effort", 5);
    const Project other = AddProject("ml-effort-other", 1);
    const User u = AddUser("effort-labeler");
    const auto page = Lease(p.id, u.id, 4, "t1", kT0);
    ASSERT_EQ(page.size(), 4U);
    const std::string cat = R"({"labels":["Cat"]})";  // what Submit stores for {"Cat"}
    // page[1]: an imported prelabel; page[2] and page[3]: the model's; page[0]: none.
    ImportRequest imported;
    imported.project_id = p.id;
    imported.now = kT0;
    imported.annotations.push_back({page[1].id, R"({"labels":["Dog"]})", {"Dog"}, std::nullopt});
    ASSERT_TRUE(repo_->ApplyImport(imported).ok());
    MlRound round;
    round.project_id = p.id;
    round.created_at = kT0;
    Job job;
    job.kind = "ml_round";
    job.project_id = p.id;
    job.payload_json = "{}";
    job.created_at = kT0;
    auto created = repo_->CreateMlRound(round, job);
    ASSERT_TRUE(created.ok()) << created.error().message;
    ASSERT_TRUE(
        repo_
            ->ReplaceModelPrelabels(p.id, created->id,
                                    {{page[2].id, cat, {}, 0.99}, {page[3].id, cat, {}, 0.97}}, kT0)
            .ok());

    auto submit = [&](const Item& item, const std::string& label, MeasuredEffort effort,
                      const std::string& token = "t1") {
        SubmitRequest r = Submit(p.id, item.id, u.id, token, {label}, kT0 + 1);
        r.effort = effort;
        auto outcome = repo_->SubmitAnnotation(r);
        ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    };
    submit(page[0], "Cat", {4000, 2});
    submit(page[1], "Dog", {std::nullopt, std::nullopt});  // the import, kept; a plain client
    submit(page[2], "Cat", {1000, 0});                     // the model's, kept
    submit(page[3], "Cat", {3000, 1});
    submit(page[3], "Cat", {3000, 1});  // a retry counts nothing twice
    // The labeler changes her answer on page[2] later (no lease): now it differs from the
    // prelabel, and its time and edits add up.
    submit(page[2], "Dog", {500, 1}, "");
    // Another project's answers stay out.
    const auto elsewhere = Lease(other.id, u.id, 1, "t2", kT0);
    ASSERT_EQ(elsewhere.size(), 1U);
    SubmitRequest r = Submit(other.id, elsewhere[0].id, u.id, "t2", {"Cat"}, kT0 + 1);
    r.effort = {9000, 9};
    ASSERT_TRUE(repo_->SubmitAnnotation(r).ok());

    auto totals = repo_->LabelEffortTotals(p.id, 100);
    ASSERT_TRUE(totals.ok()) << totals.error().message;
    ASSERT_EQ(totals->size(), 3U);
    const EffortTotal& manual = (*totals)[0];
    EXPECT_EQ(manual.prelabel, PrelabelShown::kNone);
    EXPECT_EQ(manual.answers, 1);
    EXPECT_EQ(manual.unchanged, 0);
    EXPECT_EQ(manual.timed, 1);
    EXPECT_EQ(manual.active_ms, 4000);
    EXPECT_EQ(manual.counted_edits, 1);
    EXPECT_EQ(manual.edits, 2);
    const EffortTotal& model = (*totals)[1];
    EXPECT_EQ(model.prelabel, PrelabelShown::kModel);
    EXPECT_EQ(model.answers, 2);
    EXPECT_EQ(model.unchanged, 1);  // page[3]; page[2] was changed afterwards
    EXPECT_EQ(model.timed, 2);
    EXPECT_EQ(model.active_ms, 1000 + 500 + 3000);
    EXPECT_EQ(model.edits, 0 + 1 + 1);
    const EffortTotal& import = (*totals)[2];
    EXPECT_EQ(import.prelabel, PrelabelShown::kImported);
    EXPECT_EQ(import.answers, 1);
    EXPECT_EQ(import.unchanged, 1);
    EXPECT_EQ(import.timed, 0);
    EXPECT_EQ(import.counted_edits, 0);

    // Only the latest answers count: the last one stored is page[3]'s.
    auto latest = repo_->LabelEffortTotals(p.id, 1);
    ASSERT_TRUE(latest.ok());
    ASSERT_EQ(latest->size(), 1U);
    EXPECT_EQ(latest->front().prelabel, PrelabelShown::kModel);
    EXPECT_EQ(latest->front().active_ms, 3000);
    auto elsewhere_totals = repo_->LabelEffortTotals(other.id, 100);
    ASSERT_EQ(elsewhere_totals->size(), 1U);
    EXPECT_EQ(elsewhere_totals->front().prelabel, PrelabelShown::kNone);
    EXPECT_EQ(elsewhere_totals->front().active_ms, 9000);
    EXPECT_EQ(repo_->LabelEffortTotals(999999, 100).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, ItemGroupsAreReplacedWholeAndStayWithTheirProject) {
    const Project p = AddProject("ml-groups", 6);
    const Project other = AddProject("ml-groups-other", 2);
    const std::vector<Id> ids = ItemIdsInOrder(*repo_->ListQueueWindow(p.id, 100));
    const std::vector<Id> others = ItemIdsInOrder(*repo_->ListQueueWindow(other.id, 100));
    ASSERT_EQ(ids.size(), 6U);
    // Another project's item in a group is ignored.
    ASSERT_TRUE(
        repo_->ReplaceItemGroups(p.id, {{ids[0], ids[1], ids[2]}, {ids[3], others[0]}}).ok());
    auto groups = repo_->GetItemGroups(p.id, ids);
    ASSERT_TRUE(groups.ok()) << groups.error().message;
    const std::map<Id, std::int64_t> expected{{ids[0], 0}, {ids[1], 0}, {ids[2], 0}, {ids[3], 1}};
    EXPECT_EQ(*groups, expected);
    EXPECT_TRUE(repo_->GetItemGroups(other.id, others)->empty());
    // A new round's groups replace the old ones whole.
    ASSERT_TRUE(repo_->ReplaceItemGroups(p.id, {{ids[4], ids[5]}}).ok());
    const std::map<Id, std::int64_t> replaced{{ids[4], 0}, {ids[5], 0}};
    EXPECT_EQ(*repo_->GetItemGroups(p.id, ids), replaced);
    EXPECT_EQ(repo_->ReplaceItemGroups(999999, {{ids[0]}}).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, ModelPrelabelsReplaceTheModelsOwnAndYieldToImportedOnes) {
    const Project p = AddProject("ml-prelabels", 4);
    const User u = AddUser("prelabel-labeler");
    const std::vector<Id> ids = ItemIdsInOrder(*repo_->ListQueueWindow(p.id, 10));
    ASSERT_EQ(ids.size(), 4U);
    // The user's own prediction on ids[3].
    ImportRequest imported;
    imported.project_id = p.id;
    imported.annotations = {Prelabel(ids[3], "Dog", 0.7)};
    imported.now = kT0;
    ASSERT_TRUE(repo_->ApplyImport(imported).ok());

    auto stored =
        repo_->ReplaceModelPrelabels(p.id, 1,
                                     {Prelabel(ids[0], "Cat", 0.99), Prelabel(ids[1], "Cat", 0.97),
                                      Prelabel(ids[3], "Cat", 0.99)},
                                     kT0 + 1);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    EXPECT_EQ(*stored, 2);  // not over the imported one
    auto prelabels = repo_->GetPrelabels(p.id, ids);
    ASSERT_TRUE(prelabels.ok());
    ASSERT_EQ(prelabels->size(), 3U);
    for (const Annotation& a : *prelabels) {
        if (a.item_id == ids[3]) {
            EXPECT_FALSE(a.ml_round_id.has_value());
            EXPECT_EQ(a.payload_json, R"({"labels":["Dog"]})");
        } else {
            EXPECT_EQ(a.ml_round_id, std::optional<Id>(1));
            EXPECT_TRUE(a.item_id == ids[0] || a.item_id == ids[1]);
        }
    }

    // ids[0] is labeled by a human (confirming the prelabel); round 2 predicts only ids[2].
    Lease(p.id, u.id, 4, "t", kT0 + 2);
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, ids[0], u.id, "t", {"Cat"}, kT0 + 2)).ok());
    stored = repo_->ReplaceModelPrelabels(p.id, 2, {Prelabel(ids[2], "Cat", 0.98)}, kT0 + 3);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(*stored, 1);
    prelabels = repo_->GetPrelabels(p.id, ids);
    ASSERT_TRUE(prelabels.ok());
    std::vector<std::pair<Id, std::optional<Id>>> got;
    for (const Annotation& a : *prelabels) {
        got.emplace_back(a.item_id, a.ml_round_id);
    }
    // ids[0] keeps round 1's (it is labeled: that prelabel is history), ids[1]'s went with the
    // new round, ids[2] has round 2's, ids[3] the imported one.
    std::vector<std::pair<Id, std::optional<Id>>> expected{
        {ids[0], 1}, {ids[2], 2}, {ids[3], std::nullopt}};
    std::sort(expected.begin(), expected.end());  // GetPrelabels answers in item id order
    EXPECT_EQ(got, expected);
    EXPECT_EQ(repo_->GetPrelabel(p.id, ids[2])->ml_round_id, std::optional<Id>(2));
    // Another project's items have none of this project's prelabels, and the other way round.
    const Project other = AddProject("ml-prelabels-other", 1);
    EXPECT_TRUE(repo_->GetPrelabels(other.id, ids)->empty());
}

}  // namespace tessera
