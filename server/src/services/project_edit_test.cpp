#include "services/project_edit.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "services/project_service.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

LabelTree Tree(const char* json) {
    return *LabelTree::FromJson(nlohmann::json::parse(json));
}

class ProjectEditTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tessera-project-edit-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = fs::canonical(tmpl);
        fs::create_directories(dir_ / "images");
        ProjectSettings settings;
        settings.allowed_roots = {dir_};
        service_ =
            std::make_unique<ProjectService>(*env.repo, env.clock, env.random, settings, &cache_);
        owner_ = *env.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
        labeler_ = *env.repo->CreateUser(User{0, "lab", Role::kLabeler, "x", 0});
        project_ = Create("Pets");
    }
    void TearDown() override { fs::remove_all(dir_); }

    Project Create(const std::string& name) {
        ProjectSpec spec;
        spec.name = name;
        spec.task_type = "multiclass";
        spec.labels = Tree(R"(["Cat", "Dog"])");
        spec.datasource.path = (dir_ / "images").string();
        auto created = service_->Create(owner_, spec);
        EXPECT_TRUE(created.ok()) << created.error().message;
        return created.ok() ? *created : Project{};
    }

    ProjectPatch LabelsPatch(const char* json, LabelRestart restart) {
        ProjectPatch patch;
        patch.labels = Tree(json);
        patch.on_new_labels = restart;
        return patch;
    }

    testing::ServiceEnv env;
    ProjectCache cache_{env.clock, 60'000, 100};
    fs::path dir_;
    std::unique_ptr<ProjectService> service_;
    User owner_;
    User labeler_;
    Project project_;
};

TEST_F(ProjectEditTest, OnlyOwnersEdit) {
    ProjectPatch patch;
    patch.name = "Mine";
    EXPECT_EQ(service_->Edit(labeler_, project_.id, patch).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_->Edit(owner_, project_.id + 100, patch).error().code, ErrorCode::kNotFound);
}

TEST_F(ProjectEditTest, NameIsTrimmedValidatedAndNeverReused) {
    Project gone = Create("Gone");
    ASSERT_TRUE(service_->Delete(owner_, gone.id).ok());
    ProjectPatch patch;
    patch.name = "  Pets and more  ";
    auto edited = service_->Edit(owner_, project_.id, patch);
    ASSERT_TRUE(edited.ok()) << edited.error().message;
    EXPECT_EQ(edited->name, "Pets and more");
    patch.name = "";
    EXPECT_EQ(service_->Edit(owner_, project_.id, patch).error().field, "name");
    patch.name = "gone";
    EXPECT_EQ(service_->Edit(owner_, project_.id, patch).error().code, ErrorCode::kConflict);
}

TEST_F(ProjectEditTest, InstructionsAreValidatedAndPartial) {
    ProjectPatch patch;
    patch.instructions_url = "javascript:alert(1)";
    EXPECT_EQ(service_->Edit(owner_, project_.id, patch).error().field, "instructions.url");
    patch.instructions_url = "https://example.com/guide";
    patch.instructions_text = "Box every cat.";
    ASSERT_TRUE(service_->Edit(owner_, project_.id, patch).ok());
    ProjectPatch text_only;
    text_only.instructions_text = std::string(200'001, 'x');
    EXPECT_EQ(service_->Edit(owner_, project_.id, text_only).error().field, "instructions.text");
    text_only.instructions_text = "New text";
    auto edited = service_->Edit(owner_, project_.id, text_only);
    ASSERT_TRUE(edited.ok());
    EXPECT_EQ(edited->instructions_text, "New text");
    EXPECT_EQ(edited->instructions_url, "https://example.com/guide");
}

TEST_F(ProjectEditTest, LabelsNeedAChoiceAndRenamesNeedLabels) {
    ProjectPatch patch;
    patch.labels = Tree(R"(["Cat", "Dog", "Other"])");
    EXPECT_EQ(service_->Edit(owner_, project_.id, patch).error().field, "on_new_labels");
    ProjectPatch rename;
    rename.rename = {{"Cat", "Kitty"}};
    EXPECT_EQ(service_->Edit(owner_, project_.id, rename).error().field, "rename");
    EXPECT_EQ(ParseLabelRestart("restart_keep"), LabelRestart::kKeep);
    EXPECT_EQ(ParseLabelRestart("Restart_Keep"), std::nullopt);
}

TEST_F(ProjectEditTest, RunningProjectsTakeNewClassesButRewritesWaitForAPause) {
    ASSERT_TRUE(service_->Start(owner_, project_.id).ok());
    ASSERT_TRUE(cache_.Get(*env.repo, project_.id).ok());  // cached before the edit
    auto added = service_->Edit(owner_, project_.id,
                                LabelsPatch(R"(["Cat", "Dog", "Other"])", LabelRestart::kContinue));
    ASSERT_TRUE(added.ok()) << added.error().message;
    // The labeling side sees the new tree at once (the cached project was dropped).
    EXPECT_EQ(cache_.Get(*env.repo, project_.id)->labels_json,
              R"([{"name":"Cat"},{"name":"Dog"},{"name":"Other"}])");

    ProjectPatch rename = LabelsPatch(R"(["Kitty", "Dog", "Other"])", LabelRestart::kContinue);
    rename.rename = {{"Cat", "Kitty"}};
    EXPECT_EQ(service_->Edit(owner_, project_.id, rename).error().code,
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(service_
                  ->Edit(owner_, project_.id,
                         LabelsPatch(R"(["Cat", "Dog", "Other"])", LabelRestart::kClear))
                  .error()
                  .code,
              ErrorCode::kFailedPrecondition);
    ASSERT_TRUE(service_->Pause(owner_, project_.id).ok());
    auto renamed = service_->Edit(owner_, project_.id, rename);
    ASSERT_TRUE(renamed.ok()) << renamed.error().message;
    EXPECT_EQ(renamed->labels_json, R"([{"name":"Kitty"},{"name":"Dog"},{"name":"Other"}])");
}

TEST_F(ProjectEditTest, FindItemsTakesALabelerByIdOrName) {
    ItemFilter filter;
    auto by_name = service_->FindItems(owner_, project_.id, filter, "LAB");
    ASSERT_TRUE(by_name.ok()) << by_name.error().message;
    auto by_id = service_->FindItems(owner_, project_.id, filter, std::to_string(labeler_.id));
    ASSERT_TRUE(by_id.ok());
    auto nobody = service_->FindItems(owner_, project_.id, filter, "nobody");
    ASSERT_FALSE(nobody.ok());
    EXPECT_EQ(nobody.error().field, "labeler");
    EXPECT_EQ(service_->FindItems(owner_, project_.id + 100, filter, "").error().code,
              ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tessera
