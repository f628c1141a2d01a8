// format=label-studio through ImportService: the mode picks predictions or annotations, a choices
// prediction's score is the item's prelabel confidence, and percent coordinates are scaled to the
// matched item's own size.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "services/import_service.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

using nlohmann::json;

class LabelStudioImportServiceTest : public ::testing::Test {
protected:
    void SetUp() override { owner_ = *env.repo->CreateUser(User{0, "olga", Role::kOwner, "x", 0}); }

    Project MakeProject(const std::string& type) {
        Project p;
        p.name = "P-" + type;
        p.task_type = *ParseTaskType(type);
        p.status = ProjectStatus::kRunning;
        p.labels_json = R"([{"name":"Cat"},{"name":"Dog"}])";
        p.datasource.path = "/data";
        auto created = env.repo->CreateProject(p);
        EXPECT_TRUE(created.ok());
        const std::vector<NewItem> items = {
            NewItem{"a.jpg", 10, 200, 100, "jpeg", ItemState::kUnlabeled, ""},
            NewItem{"b.jpg", 10, 200, 100, "jpeg", ItemState::kUnlabeled, ""}};
        EXPECT_TRUE(env.repo->InsertItems(created->id, items, env.clock.NowMs()).ok());
        return *created;
    }

    Id ItemId(Id project_id, const std::string& path) {
        auto items = env.repo->ListItems(project_id, ItemFilter{});
        for (const Item& item : *items) {
            if (item.path == path) {
                return item.id;
            }
        }
        ADD_FAILURE() << "no item " << path;
        return 0;
    }

    Result<ImportReport> Run(Id project_id, ImportMode mode, std::string body) {
        ImportOptions options;
        options.format = ImportFormat::kLabelStudio;
        options.mode = mode;
        options.upload_name = "project-1-at-2026-12-06.json";  // as the HTTP handler names it
        return service.Import(owner_, project_id, options, std::move(body));
    }

    testing::ServiceEnv env;
    ImportService service{*env.repo, env.clock};
    User owner_;
};

TEST_F(LabelStudioImportServiceTest, ChoicePredictionsAreScoredPrelabels) {
    Project p = MakeProject("multilabel");
    const std::string tasks = R"([
      {"data": {"image": "/data/upload/1/0123abcd-a.jpg"},
       "predictions": [{"score": 0.4, "result": [
         {"type": "choices", "value": {"choices": ["Cat", "Dog"]}}]}]},
      {"data": {"image": "s3://bucket/b.jpg"},
       "annotations": [{"result": [{"type": "choices", "value": {"choices": ["Dog"]}}]}]}])";
    auto prelabels = Run(p.id, ImportMode::kPrelabel, tasks);
    ASSERT_TRUE(prelabels.ok()) << prelabels.error().message;
    EXPECT_TRUE(prelabels->applied);
    EXPECT_EQ(prelabels->matched, 2);
    auto a = env.repo->GetPrelabel(p.id, ItemId(p.id, "a.jpg"));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->confidence, 0.4);
    // b has no prediction: its annotation is the prelabel, without a score.
    auto b = env.repo->GetPrelabel(p.id, ItemId(p.id, "b.jpg"));
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(b->confidence);

    // mode=final reads annotations only: a's task has none and is reported.
    auto finals = Run(p.id, ImportMode::kFinal, tasks);
    ASSERT_TRUE(finals.ok());
    EXPECT_EQ(finals->matched, 1);
    ASSERT_FALSE(finals->unmatched.empty());
    EXPECT_NE(finals->unmatched[0].reason.find("mode=prelabel imports them"), std::string::npos)
        << finals->unmatched[0].reason;
}

TEST_F(LabelStudioImportServiceTest, PercentCoordinatesScaleToTheItemAndUnknownLabelsRefuse) {
    Project p = MakeProject("bbox");
    // Drawn on a 400 x 200 copy of the 200 x 100 item: percent keeps the box in place.
    const std::string task = R"({"data": {"image": "a.jpg"}, "annotations": [{"result": [
        {"type": "rectanglelabels", "original_width": 400, "original_height": 200,
         "value": {"x": 10, "y": 20, "width": 50, "height": 25, "rectanglelabels": ["Cat"]}}]}]})";
    auto report = Run(p.id, ImportMode::kPrelabel, task);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->applied);
    auto a = env.repo->GetPrelabel(p.id, ItemId(p.id, "a.jpg"));
    ASSERT_TRUE(a.ok());
    const json shape = json::parse(a->payload_json)["shapes"][0];
    EXPECT_DOUBLE_EQ(shape["x"].get<double>(), 20);
    EXPECT_DOUBLE_EQ(shape["y"].get<double>(), 20);
    EXPECT_DOUBLE_EQ(shape["w"].get<double>(), 100);
    EXPECT_DOUBLE_EQ(shape["h"].get<double>(), 25);

    std::string unknown = task;
    unknown.replace(unknown.find("\"Cat\""), 5, "\"Cow\"");
    auto refused = Run(p.id, ImportMode::kFinal, unknown);
    ASSERT_TRUE(refused.ok());
    EXPECT_FALSE(refused->applied);
    ASSERT_EQ(refused->errors.size(), 1u);
    EXPECT_EQ(refused->errors[0].row, 1);
    EXPECT_NE(refused->errors[0].message.find("'Cow'"), std::string::npos)
        << refused->errors[0].message;
}

}  // namespace
}  // namespace tessera
