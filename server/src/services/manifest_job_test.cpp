// Manifest projects end to end below HTTP: ProjectService::Create checks the datasource, the
// manifest_ingest job creates exactly the referenced items and applies the rows' labels.
#include "services/manifest_job.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "services/project_service.hpp"
#include "services/service_test_support.hpp"
#include "services/tile_pyramid_job.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ManifestJobTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        root_ = fs::canonical(dir_.path()) / "root";
        testing::WriteImage(root_ / "m" / "imgs" / "a.jpg", 40, 30);
        testing::WriteImage(root_ / "m" / "imgs" / "b.png", 20, 10);
        testing::WriteImage(root_ / "m" / "imgs" / "unlisted.png", 20, 10);
        testing::WriteText(root_ / "m" / "imgs" / "broken.jpg", "not an image");
        testing::WriteImage(root_ / "store" / "pets" / "c.jpg", 12, 12);
        testing::WriteText(fs::canonical(dir_.path()) / "outside.jpg", "x");
        ProjectSettings settings;
        settings.allowed_roots = {root_};
        service_ = std::make_unique<ProjectService>(*env.repo, env.clock, env.random, settings);
        owner_ = *env.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
    }

    ProjectSpec Spec(const std::string& manifest, const std::string& task = "multiclass") {
        ProjectSpec spec;
        spec.name = "P" + std::to_string(++projects_);
        spec.task_type = task;
        spec.labels = *LabelTree::FromJson(json::parse(R"(["Cat", "Dog"])"));
        spec.datasource.kind = "manifest";
        spec.datasource.path = (root_ / "m" / manifest).string();
        spec.manifest.format = ManifestFormat::kCsv;
        spec.manifest.mapping = {"image", "label", "confidence"};
        spec.manifest.datastores["workspaceblobstore"] = (root_ / "store").string();
        return spec;
    }

    // Creates the project and runs its job; the job row afterwards.
    Job CreateAndRun(const ProjectSpec& spec, Id& project_id) {
        return CreateAndRun(spec, project_id, handler_);
    }
    Job CreateAndRun(const ProjectSpec& spec, Id& project_id, ManifestJob& handler) {
        auto created = service_->Create(owner_, spec);
        EXPECT_TRUE(created.ok()) << created.error().message;
        project_id = created.ok() ? created->id : 0;
        JobRunner runner(*env.repo, env.clock, JobRunnerSettings{});
        runner.Register(ManifestJob::kKind, handler);
        EXPECT_EQ(runner.RunUntilIdle(), 1);
        const std::vector<Job> jobs = *env.repo->ListJobs(project_id);
        for (const Job& job : jobs) {
            if (job.kind == ManifestJob::kKind) {
                return job;
            }
        }
        ADD_FAILURE() << "no manifest_ingest job";
        return {};
    }

    json Report(Id project_id) {
        const std::vector<Job> jobs = *env.repo->ListJobs(project_id);
        for (const Job& job : jobs) {
            if (job.kind == "import") {
                return json::parse(job.payload_json);
            }
        }
        ADD_FAILURE() << "no import history entry";
        return {};
    }

    std::map<std::string, Item> Items(Id project_id) {
        std::map<std::string, Item> out;
        const std::vector<Item> items =
            *env.repo->ListItems(project_id, ItemFilter{std::nullopt, 0, 100});
        for (const Item& item : items) {
            out[item.path] = item;
        }
        return out;
    }

    testing::TempDir dir_;
    fs::path root_;
    testing::ServiceEnv env;
    std::unique_ptr<ProjectService> service_;
    VipsImageProber prober_;
    ManifestJob handler_{*env.repo, env.clock, prober_};
    User owner_;
    int projects_ = 0;
};

constexpr const char* kManifest =
    "image,label,confidence\n"
    "imgs/a.jpg,Cat,0.9\n"
    "imgs/b.png,Horse,\n"
    "AmlDatastore://workspaceblobstore/pets/c.jpg,Dog,0.4\n"
    "imgs/broken.jpg,Cat,\n"
    "imgs/gone.jpg,Cat,\n"
    "../../outside.jpg,Cat,\n"
    "https://example.com/x.jpg,Cat,\n"
    "imgs/a.jpg,Dog,\n"
    "imgs/b.png,,\n";

TEST_F(ManifestJobTest, PrelabelsCreateExactlyTheReferencedItems) {
    testing::WriteText(root_ / "m" / "labels.csv", kManifest);
    Id id = 0;
    Job job = CreateAndRun(Spec("labels.csv"), id);
    ASSERT_EQ(job.state, JobState::kDone) << job.error;
    auto project = *env.repo->GetProject(id);
    EXPECT_EQ(project.datasource.kind, "manifest");
    EXPECT_EQ(project.datasource.path, root_.string());  // holds the manifest and the datastore
    EXPECT_EQ(project.datasource.pattern, "m/labels.csv");

    auto items = Items(id);
    ASSERT_EQ(items.size(), 4u);  // a, b, c, broken; not unlisted.png
    EXPECT_TRUE(items.contains("m/imgs/a.jpg"));
    EXPECT_TRUE(items.contains("store/pets/c.jpg"));
    EXPECT_EQ(items["m/imgs/a.jpg"].width, 40);
    EXPECT_EQ(items["m/imgs/broken.jpg"].state, ItemState::kError);
    // Prelabels leave the items to label.
    EXPECT_EQ(items["m/imgs/a.jpg"].state, ItemState::kUnlabeled);
    auto progress = *env.repo->GetProgress(id, env.clock.NowMs());
    EXPECT_EQ(progress.labeled, 0);

    json report = Report(id)["manifest"];
    EXPECT_EQ(report["rows"], 9);
    EXPECT_EQ(report["items"], 4);
    EXPECT_EQ(report["duplicates"], 2);
    EXPECT_EQ(report["missing"], 1);
    EXPECT_EQ(report["missing_examples"][0], "labels.csv:6: imgs/gone.jpg");
    EXPECT_EQ(report["row_errors"], 2);  // ../../outside.jpg and the URL
    EXPECT_NE(report["row_error_examples"].dump().find("fetching http(s) URLs is off"),
              std::string::npos);
    EXPECT_EQ(report["labeled"], 2);  // a (Cat) and c (Dog); b's Horse is unknown
    EXPECT_EQ(report["unknown_categories"], json::array({"Horse"}));
    EXPECT_EQ(report["unlabeled_errors"], 1);  // broken.jpg
}

TEST_F(ManifestJobTest, FinalLabelsMarkItemsLabeledAndCountThem) {
    testing::WriteText(root_ / "m" / "labels.csv", kManifest);
    ProjectSpec spec = Spec("labels.csv");
    spec.manifest.import_as = ImportMode::kFinal;
    Id id = 0;
    ASSERT_EQ(CreateAndRun(spec, id).state, JobState::kDone);
    auto items = Items(id);
    EXPECT_EQ(items["m/imgs/a.jpg"].state, ItemState::kLabeled);
    EXPECT_EQ(items["store/pets/c.jpg"].state, ItemState::kLabeled);
    EXPECT_EQ(items["m/imgs/b.png"].state, ItemState::kUnlabeled);
    auto progress = *env.repo->GetProgress(id, env.clock.NowMs());
    EXPECT_EQ(progress.total, 4);
    EXPECT_EQ(progress.labeled, 2);
    EXPECT_EQ(progress.unlabeled, 1);
    EXPECT_EQ(progress.error, 1);
    auto distribution = *env.repo->LabelDistribution(id);
    ASSERT_EQ(distribution.size(), 2u);
}

TEST_F(ManifestJobTest, MultiLabelCellsAndMlTable) {
    const fs::path table = root_ / "m" / "table";
    testing::WriteText(table / "MLTable",
                       "paths:\n  - file: ./train.jsonl\ntransformations:\n"
                       "  - read_json_lines:\n      encoding: utf8\n"
                       "  - convert_column_types:\n      - columns: image_url\n"
                       "        column_type: stream_info\n");
    testing::WriteText(table / "train.jsonl",
                       R"({"image_url":"azureml://subscriptions/s/resourcegroups/r/workspaces/w/)"
                       R"(datastores/workspaceblobstore/paths/pets/c.jpg","label":["Cat","Dog"],)"
                       R"("label_confidence":[0.5,0.7]})"
                       "\n");
    ProjectSpec spec = Spec("table", "multilabel");
    spec.manifest.format = ManifestFormat::kMlTable;
    spec.manifest.mapping = {"image_url", "label", "label_confidence"};
    spec.manifest.import_as = ImportMode::kFinal;
    Id id = 0;
    ASSERT_EQ(CreateAndRun(spec, id).state, JobState::kDone);
    auto items = Items(id);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items["store/pets/c.jpg"].state, ItemState::kLabeled);
    EXPECT_EQ(Report(id)["manifest"]["labeled"], 1);
}

// The rows go through the ingest pipeline a folder ingest uses: several probing threads, small
// batches, items in manifest order, and a tile pyramid job for an image too large to open whole.
TEST_F(ManifestJobTest, ItemsGoThroughTheIngestPipelineInBatches) {
    std::string csv = "image,label\n";
    for (int i = 0; i < 7; ++i) {
        const std::string name = "imgs/n" + std::to_string(i) + ".png";
        testing::WriteImage(root_ / "m" / name, 10 + i, 5);
        csv += name + (i % 2 == 0 ? ",Cat\n" : ",Dog\n");
    }
    testing::WriteImage(root_ / "m" / "imgs" / "wide.png", kTiledAboveSide + 1, 2);
    csv += "imgs/wide.png,Cat\nimgs/broken.jpg,Dog\n";
    testing::WriteText(root_ / "m" / "labels.csv", csv);
    IngestPipelineSettings settings;
    settings.threads = 3;
    settings.batch_size = 2;
    ManifestJob handler(*env.repo, env.clock, prober_, settings);
    ProjectSpec spec = Spec("labels.csv");
    spec.manifest.mapping = {"image", "label", ""};
    Id id = 0;
    ASSERT_EQ(CreateAndRun(spec, id, handler).state, JobState::kDone);
    auto items = Items(id);
    ASSERT_EQ(items.size(), 9u);
    EXPECT_EQ(items["m/imgs/n6.png"].width, 16);
    EXPECT_EQ(items["m/imgs/wide.png"].width, kTiledAboveSide + 1);
    EXPECT_EQ(items["m/imgs/broken.jpg"].state, ItemState::kError);
    json report = Report(id)["manifest"];
    EXPECT_EQ(report["items"], 9);
    EXPECT_EQ(report["labeled"], 8);
    EXPECT_EQ(report["unlabeled_errors"], 1);
    bool pyramids = false;
    const std::vector<Job> jobs = *env.repo->ListJobs(id);
    for (const Job& job : jobs) {
        pyramids = pyramids || job.kind == TilePyramidJob::kKind;
    }
    EXPECT_TRUE(pyramids);
}

TEST_F(ManifestJobTest, CreateRefusesBadManifestsWithTheField) {
    testing::WriteText(root_ / "m" / "labels.csv", kManifest);
    ProjectSpec missing = Spec("labels.csv");
    missing.manifest.mapping.image = "image_url";
    auto r = service_->Create(owner_, missing);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "datasource.mapping.image");
    EXPECT_NE(r.error().message.find("\"image\", \"label\", \"confidence\""), std::string::npos);

    ProjectSpec shapes = Spec("labels.csv", "bbox");
    EXPECT_EQ(service_->Create(owner_, shapes).error().field, "datasource.mapping.category");

    ProjectSpec outside = Spec("labels.csv");
    outside.datasource.path = (root_.parent_path() / "outside.jpg").string();
    EXPECT_EQ(service_->Create(owner_, outside).error().code, ErrorCode::kPermissionDenied);

    ProjectSpec store = Spec("labels.csv");
    store.manifest.datastores["workspaceblobstore"] = root_.parent_path().string();
    EXPECT_EQ(service_->Create(owner_, store).error().code, ErrorCode::kPermissionDenied);

    // A datastore in Azure Blob Storage needs the server's datasource opener (the credential is
    // sealed with its key): without one it is refused, naming the datastore.
    ProjectSpec azure = Spec("labels.csv");
    azure.manifest.azure_datastores["blobs"] =
        R"({"kind": "azure_blob", "account_url": "https://a.blob.core.windows.net",)"
        R"( "container": "c", "sas_token": "sv=1&sp=rl&sig=x"})";
    auto no_opener = service_->Create(owner_, azure);
    ASSERT_FALSE(no_opener.ok());
    EXPECT_EQ(no_opener.error().field, "datasource.datastores.blobs");

    ProjectSpec nofile = Spec("none.csv");
    EXPECT_EQ(service_->Create(owner_, nofile).error().field, "datasource.path");
    EXPECT_TRUE(env.repo->ListProjects()->empty());  // nothing half-created
}

TEST_F(ManifestJobTest, ManifestWithNothingFoundFailsTheJobSayingWhy) {
    testing::WriteText(root_ / "m" / "labels.csv", "image\nimgs/gone.jpg\n");
    ProjectSpec spec = Spec("labels.csv");
    spec.manifest.mapping = {"image", "", ""};
    Id id = 0;
    Job job = CreateAndRun(spec, id);
    EXPECT_EQ(job.state, JobState::kFailed);
    EXPECT_NE(job.error.find("1 missing file"), std::string::npos) << job.error;
}

TEST_F(ManifestJobTest, PreviewShowsColumnsAndGuesses) {
    testing::WriteText(root_ / "m" / "labels.csv", kManifest);
    auto preview = service_->PreviewManifest(owner_, (root_ / "m" / "labels.csv").string(), "csv");
    ASSERT_TRUE(preview.ok()) << preview.error().message;
    EXPECT_EQ(preview->preview.columns.size(), 3u);
    EXPECT_EQ(preview->preview.guess.image, "image");
    EXPECT_EQ(preview->preview.guess.category, "label");
    EXPECT_EQ(preview->preview.guess.confidence, "confidence");
    EXPECT_EQ(preview->preview.rows.size(), 5u);
    EXPECT_EQ(service_->PreviewManifest(owner_, "/etc/passwd", "csv").error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_->PreviewManifest(owner_, (root_ / "m").string(), "xml").error().field,
              "datasource.format");
}

}  // namespace
}  // namespace tessera
