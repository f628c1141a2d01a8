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

TEST_F(ProjectServiceTest, FolderBrowserStaysInsideTheRoots) {
    const fs::path root = dir_ / "root";
    fs::create_directories(root / "images" / "cats");
    fs::create_directories(root / "images" / ".hidden");
    fs::create_directories(root / "b");
    fs::create_symlink(dir_ / "outside", root / "images" / "escape");
    fs::create_symlink(root / "b", root / "images" / "also-b");
    std::ofstream(root / "images" / "file.jpg") << "x";

    auto roots = service_->ListFolders(owner_, "");
    ASSERT_TRUE(roots.ok()) << roots.error().message;
    EXPECT_EQ(roots->roots, std::vector<std::string>{root.string()});
    EXPECT_TRUE(roots->folders.empty());

    auto at_root = service_->ListFolders(owner_, root.string());
    ASSERT_TRUE(at_root.ok()) << at_root.error().message;
    EXPECT_FALSE(at_root->parent.has_value());
    ASSERT_EQ(at_root->folders.size(), 2U);
    EXPECT_EQ(at_root->folders[0].name, "b");

    // Hidden folders and files are left out; a link is listed by its real place, and only
    // when that is inside a root.
    auto images = service_->ListFolders(owner_, (root / "images").string());
    ASSERT_TRUE(images.ok()) << images.error().message;
    EXPECT_EQ(images->parent, root.string());
    ASSERT_EQ(images->folders.size(), 2U);
    EXPECT_EQ(images->folders[0].name, "also-b");
    EXPECT_EQ(images->folders[0].path, (root / "b").string());
    EXPECT_EQ(images->folders[1].name, "cats");

    EXPECT_EQ(service_->ListFolders(owner_, (root / "images" / "escape").string()).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_->ListFolders(owner_, (dir_ / "outside").string()).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_->ListFolders(owner_, "images").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(service_->ListFolders(owner_, root.string() + "/\x01").error().code,
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(service_->ListFolders(owner_, root.string() + "/a\nb").error().code,
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(service_->ListFolders(labeler_, "").error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ProjectServiceTest, PreviewCountsMatchesWithoutCreatingAnything) {
    const fs::path images = dir_ / "root" / "images";
    fs::create_directories(images / "sub");
    for (const char* name : {"a.jpg", "b.png", "notes.txt", "sub/c.jpg"}) {
        std::ofstream(images / name) << "x";
    }
    auto all = service_->PreviewDatasource(owner_, images.string(), "**/*.*");
    ASSERT_TRUE(all.ok()) << all.error().message;
    EXPECT_EQ(all->count, 3);
    EXPECT_FALSE(all->capped);
    EXPECT_EQ(all->examples, (std::vector<std::string>{"a.jpg", "b.png", "sub/c.jpg"}));
    EXPECT_EQ(service_->PreviewDatasource(owner_, images.string(), "*.png")->count, 1);
    EXPECT_EQ(service_->PreviewDatasource(owner_, images.string(), "../*").error().field,
              "datasource.pattern");
    EXPECT_EQ(service_->PreviewDatasource(labeler_, images.string(), "").error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_TRUE(service_->List(owner_)->empty());
}

TEST_F(ProjectServiceTest, PreviewStopsCountingAtTheCap) {
    const fs::path images = dir_ / "root" / "images";
    for (std::int64_t i = 0; i <= ProjectService::kMaxPreviewCount; ++i) {
        std::ofstream(images / ("img" + std::to_string(i) + ".jpg")) << "";
    }
    auto preview = service_->PreviewDatasource(owner_, images.string(), "");
    ASSERT_TRUE(preview.ok()) << preview.error().message;
    EXPECT_EQ(preview->count, ProjectService::kMaxPreviewCount);
    EXPECT_TRUE(preview->capped);
    EXPECT_EQ(preview->examples.size(), ProjectService::kPreviewExamples);
    EXPECT_FALSE(preview->scan_limited);
}

TEST_F(ProjectServiceTest, PreviewOfAHugeTreeStopsAfterItsEntryBudget) {
    const fs::path images = dir_ / "root" / "images";
    for (int i = 0; i < 20; ++i) {
        std::ofstream(images / ("notes" + std::to_string(i) + ".txt")) << "";
    }
    std::ofstream(images / "zz.jpg") << "";  // sorts last: beyond a budget of 10
    ProjectSettings settings = service_->settings();
    settings.preview_entry_budget = 10;
    ProjectService limited(*env.repo, env.clock, env.random, settings);
    auto preview = limited.PreviewDatasource(owner_, images.string(), "**/*.jpg");
    ASSERT_TRUE(preview.ok()) << preview.error().message;
    EXPECT_EQ(preview->count, 0);
    EXPECT_TRUE(preview->capped);
    EXPECT_TRUE(preview->scan_limited);
    // The default budget looks at all 21.
    auto whole = service_->PreviewDatasource(owner_, images.string(), "**/*.jpg");
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(whole->count, 1);
    EXPECT_FALSE(whole->capped);
}

TEST_F(ProjectServiceTest, LabelersSeeNoServerPaths) {
    auto created = service_->Create(owner_, Spec("Paths"));
    ASSERT_TRUE(created.ok());
    auto for_owner = service_->Get(owner_, created->id);
    ASSERT_TRUE(for_owner.ok());
    EXPECT_EQ(for_owner->project.datasource.path, (dir_ / "root" / "images").string());
    auto for_labeler = service_->Get(labeler_, created->id);
    ASSERT_TRUE(for_labeler.ok());
    EXPECT_EQ(for_labeler->project.datasource.path, "");
    auto listed = service_->List(labeler_);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ(listed->front().project.datasource.path, "");
}

TEST_F(ProjectServiceTest, ListItemsPagesInIdOrderAndNamesUnknownProjects) {
    auto created = service_->Create(owner_, Spec("Items"));
    ASSERT_TRUE(created.ok());
    std::vector<NewItem> items;
    for (const char* path : {"a.jpg", "b.jpg", "c.jpg"}) {
        items.push_back(NewItem{path, 10, 4, 3, "jpeg"});
    }
    ASSERT_TRUE(env.repo->InsertItems(created->id, items, 0).ok());

    auto first = service_->ListItems(labeler_, created->id, ItemFilter{std::nullopt, 0, 2});
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_EQ(first->size(), 2U);
    auto rest =
        service_->ListItems(labeler_, created->id, ItemFilter{std::nullopt, first->back().id, 2});
    ASSERT_TRUE(rest.ok());
    ASSERT_EQ(rest->size(), 1U);
    EXPECT_EQ(rest->front().path, "c.jpg");
    EXPECT_EQ(service_->ListItems(owner_, created->id + 100, ItemFilter{}).error().code,
              ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tessera
