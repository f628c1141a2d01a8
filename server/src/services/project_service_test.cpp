#include "services/project_service.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "services/service_test_support.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class ProjectServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tessera-project-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = fs::canonical(tmpl);
        fs::create_directories(dir_ / "root" / "images");
        fs::create_directories(dir_ / "outside");
        ProjectSettings settings;
        settings.allowed_roots = {dir_ / "root"};
        service_ = std::make_unique<ProjectService>(*env.repo, env.clock, env.random, settings);
        owner_ = *env.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
        labeler_ = *env.repo->CreateUser(User{0, "lab", Role::kLabeler, "x", 0});
    }
    void TearDown() override { fs::remove_all(dir_); }

    ProjectSpec Spec(const std::string& name) {
        ProjectSpec spec;
        spec.name = name;
        spec.task_type = "multiclass";
        spec.labels = *LabelTree::FromJson(nlohmann::json::parse(R"(["Cat", "Dog"])"));
        spec.datasource.path = (dir_ / "root" / "images").string();
        spec.datasource.pattern = "**/*.*";
        return spec;
    }

    testing::ServiceEnv env;
    fs::path dir_;
    std::unique_ptr<ProjectService> service_;
    User owner_;
    User labeler_;
};

TEST_F(ProjectServiceTest, CreateStoresDraftAndQueuesIngest) {
    auto created = service_->Create(owner_, Spec("Pets"));
    ASSERT_TRUE(created.ok()) << created.error().message;
    EXPECT_EQ(created->status, ProjectStatus::kDraft);
    auto view = service_->Get(owner_, created->id);
    ASSERT_TRUE(view.ok());
    ASSERT_EQ(view->jobs.size(), 1U);
    EXPECT_EQ(view->jobs[0].kind, "ingest");
}

TEST_F(ProjectServiceTest, NamesAreUniqueForeverCaseInsensitive) {
    auto created = service_->Create(owner_, Spec("Pets"));
    ASSERT_TRUE(created.ok());
    EXPECT_EQ(service_->Create(owner_, Spec("pets")).error().code, ErrorCode::kConflict);
    ASSERT_TRUE(service_->Delete(owner_, created->id).ok());
    EXPECT_EQ(service_->Create(owner_, Spec("PETS")).error().code, ErrorCode::kConflict);
    EXPECT_EQ(service_->Get(owner_, created->id).error().code, ErrorCode::kNotFound);
}

TEST_F(ProjectServiceTest, RejectsUnknownTaskTypeNamingIt) {
    auto spec = Spec("X");
    spec.task_type = "keypoints";
    auto r = service_->Create(owner_, spec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "task_type");
    EXPECT_NE(r.error().message.find("keypoints"), std::string::npos);
}

TEST_F(ProjectServiceTest, RefusesPathsAndSymlinksOutsideRoots) {
    auto spec = Spec("Out");
    spec.datasource.path = (dir_ / "outside").string();
    EXPECT_EQ(service_->Create(owner_, spec).error().code, ErrorCode::kPermissionDenied);
    spec.datasource.path = (dir_ / "root" / ".." / "outside").string();
    EXPECT_EQ(service_->Create(owner_, spec).error().code, ErrorCode::kPermissionDenied);
    fs::create_directory_symlink(dir_ / "outside", dir_ / "root" / "link");
    spec.datasource.path = (dir_ / "root" / "link").string();
    EXPECT_EQ(service_->Create(owner_, spec).error().code, ErrorCode::kPermissionDenied);
    spec.datasource.path = "relative/path";
    EXPECT_EQ(service_->Create(owner_, spec).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ProjectServiceTest, RejectsPatternsThatClimb) {
    auto spec = Spec("Climb");
    spec.datasource.pattern = "../*.png";
    EXPECT_EQ(service_->Create(owner_, spec).error().field, "datasource.pattern");
    spec.datasource.pattern = "a/../../b";
    EXPECT_EQ(service_->Create(owner_, spec).error().field, "datasource.pattern");
}

TEST_F(ProjectServiceTest, RefusesControlCharactersInPathAndPattern) {
    fs::create_directories(dir_ / "root" / "images" / "ok");
    auto spec = Spec("Nul");
    // The NUL would cut the path at the system call: "<root>/images/ok" would be stored.
    spec.datasource.path =
        (dir_ / "root" / "images" / "ok").string() + std::string(1, '\0') + "/../../../outside";
    auto nul = service_->Create(owner_, spec);
    ASSERT_FALSE(nul.ok());
    EXPECT_EQ(nul.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(nul.error().field, "datasource.path");
    EXPECT_NE(nul.error().message.find("control character"), std::string::npos);
    spec.datasource.path = (dir_ / "root" / "images" / "ok").string() + "\x7f";
    EXPECT_EQ(service_->Create(owner_, spec).error().field, "datasource.path");
    spec = Spec("NulPattern");
    spec.datasource.pattern = std::string("**/*.png") + '\0' + "x";
    auto pattern = service_->Create(owner_, spec);
    ASSERT_FALSE(pattern.ok());
    EXPECT_EQ(pattern.error().field, "datasource.pattern");
    EXPECT_NE(pattern.error().message.find("control character"), std::string::npos);
}

TEST_F(ProjectServiceTest, LabelersCannotManageProjects) {
    EXPECT_EQ(service_->Create(labeler_, Spec("L")).error().code, ErrorCode::kPermissionDenied);
    auto created = service_->Create(owner_, Spec("Owned"));
    ASSERT_TRUE(created.ok());
    EXPECT_EQ(service_->Start(labeler_, created->id).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_->Delete(labeler_, created->id).error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ProjectServiceTest, StartPauseCycle) {
    auto created = service_->Create(owner_, Spec("Cycle"));
    ASSERT_TRUE(created.ok());
    EXPECT_EQ(service_->Pause(owner_, created->id).error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(service_->Start(owner_, created->id)->status, ProjectStatus::kRunning);
    EXPECT_EQ(service_->Pause(owner_, created->id)->status, ProjectStatus::kPaused);
    EXPECT_EQ(service_->Get(owner_, created->id)->project.status, ProjectStatus::kPaused);
}

}  // namespace
}  // namespace tessera
