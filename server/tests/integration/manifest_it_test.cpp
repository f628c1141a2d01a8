// Manifest projects over HTTP (docs/formats/manifests.md): the items are exactly the images the
// manifest names; its labels arrive as prelabels shown for review or as final labels that leave
// only the rest queued; a missing image column is a 400 naming the columns; rows pointing at
// files that do not exist are reported and the rest kept. The mapping preview feeds the wizard.
#include <filesystem>
#include <map>
#include <thread>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Azure's classification CSV shape (Url, Label) with every reference form.
constexpr const char* kManifest =
    "Url,Label,Score\r\n"
    "img0.jpg,Cat,0.9\r\n"
    "./img1.jpg,Dog,\r\n"
    "AmlDatastore://workspaceblobstore/pets/p0.jpg,Dog,0.25\r\n"
    "azureml://subscriptions/0/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/"
    "paths/pets/p1.jpg,Cat,\r\n"
    "gone.jpg,Cat,\r\n"
    "../../etc/passwd,Cat,\r\n"
    "https://example.com/x.jpg,Cat,\r\n";

class ManifestIt : public IntegrationTest {
protected:
    void SetUpServer() {
        WriteImages(3);  // img2.jpg is not in the manifest
        WriteImage(images_ / "store" / "pets" / "p0.jpg", 20, 20);
        WriteImage(images_ / "store" / "pets" / "p1.jpg", 21, 20);
        WriteText(images_ / "labels.csv", kManifest);
        ASSERT_NO_FATAL_FAILURE(StartServer());
        admin_ = std::make_unique<HttpClient>(Admin());
    }

    json Body(const std::string& name, const std::string& import_as,
              const json& mapping = {
                  {"image", "Url"}, {"category", "Label"}, {"confidence", "Score"}}) {
        json body = ProjectBody(name);
        body["datasource"] = {
            {"kind", "manifest"},
            {"path", (images_ / "labels.csv").string()},
            {"format", "csv"},
            {"mapping", mapping},
            {"import_as", import_as},
            {"datastores", {{"workspaceblobstore", (images_ / "store").string()}}}};
        return body;
    }

    // Creates the project and waits for its manifest_ingest job; the project.
    json CreateManifestProject(const json& body) {
        auto created = admin_->SendJson("POST", "/api/v1/projects", body);
        EXPECT_EQ(created.status, 201u) << created.body;
        const std::int64_t id = created.Json().value("id", 0);
        json project;
        for (int i = 0; i < 300; ++i) {
            project = admin_->Get(ProjectPath(id)).Json();
            for (const json& job : project["jobs"]) {
                const std::string state = job.value("state", "");
                if (job["kind"] == "manifest_ingest" && (state == "done" || state == "failed")) {
                    return project;
                }
            }
            std::this_thread::sleep_for(100ms);
        }
        ADD_FAILURE() << "manifest ingest did not finish: " << project.dump();
        return project;
    }

    static json History(const json& project) {
        for (const json& job : project["jobs"]) {
            if (job["kind"] == "import") {
                return job["import"];
            }
        }
        return json();
    }

    std::map<std::string, json> Items(std::int64_t project_id) {
        auto items = admin_->Get(ProjectPath(project_id, "/items"));
        EXPECT_EQ(items.status, 200u) << items.body;
        const json listed = items.Json();
        std::map<std::string, json> out;
        for (const json& item : listed["items"]) {
            out[item["path"].get<std::string>()] = item;
        }
        return out;
    }

    std::unique_ptr<HttpClient> admin_;
};

TEST_P(ManifestIt, PrelabelsAreShownForReviewOnExactlyTheListedImages) {
    ASSERT_NO_FATAL_FAILURE(SetUpServer());
    json project = CreateManifestProject(Body("Prelabeled", "prelabel"));
    const std::int64_t id = project["id"];
    EXPECT_EQ(project["datasource"]["kind"], "manifest");
    auto items = Items(id);
    ASSERT_EQ(items.size(), 4u) << project.dump();
    EXPECT_TRUE(items.contains("img0.jpg"));
    EXPECT_TRUE(items.contains("store/pets/p0.jpg"));
    EXPECT_FALSE(items.contains("img2.jpg"));  // in the folder, not in the manifest

    json report = History(project);
    EXPECT_EQ(report["mode"], "prelabel");
    EXPECT_EQ(report["manifest"]["missing"], 1);
    EXPECT_EQ(report["manifest"]["missing_examples"][0], "labels.csv:6: gone.jpg");
    EXPECT_EQ(report["manifest"]["row_errors"], 2);
    EXPECT_EQ(report["manifest"]["labeled"], 4);

    StartProject(*admin_, id);
    CreateUser(*admin_, "lara", "lara-password", "labeler");
    HttpClient lara = LoginAs("lara", "lara-password");
    const std::int64_t img0 = items["img0.jpg"]["id"];
    auto prelabel = lara.Get(ProjectPath(id, "/items/" + std::to_string(img0) + "/annotation"));
    ASSERT_EQ(prelabel.status, 200u) << prelabel.body;
    EXPECT_EQ(prelabel.Json()["source"], "prelabel");
    EXPECT_EQ(prelabel.Json()["labels"], json::array({"Cat"}));
    EXPECT_DOUBLE_EQ(prelabel.Json()["confidence"].get<double>(), 0.9);
    auto dashboard = admin_->Get(ProjectPath(id, "/dashboard")).Json();
    EXPECT_EQ(dashboard["progress"]["labeled"], 0);
    EXPECT_EQ(dashboard["progress"]["total"], 4);
}

TEST_P(ManifestIt, FinalLabelsQueueOnlyTheUnlabeledItems) {
    ASSERT_NO_FATAL_FAILURE(SetUpServer());
    // img1 has no label in this manifest.
    WriteText(images_ / "labels.csv",
              "Url,Label\nimg0.jpg,Cat\nimg1.jpg,\nAmlDatastore://workspaceblobstore/pets/p0.jpg,"
              "Dog\n");
    json project =
        CreateManifestProject(Body("Final", "final", {{"image", "Url"}, {"category", "Label"}}));
    const std::int64_t id = project["id"];
    auto dashboard = admin_->Get(ProjectPath(id, "/dashboard")).Json();
    EXPECT_EQ(dashboard["progress"]["total"], 3);
    EXPECT_EQ(dashboard["progress"]["labeled"], 2);
    EXPECT_EQ(dashboard["progress"]["unlabeled"], 1);

    StartProject(*admin_, id);
    auto page = admin_->SendJson("POST", ProjectPath(id, "/next"), {{"count", 9}});
    ASSERT_EQ(page.status, 200u) << page.body;
    ASSERT_EQ(page.Json()["items"].size(), 1u) << page.body;
    EXPECT_EQ(page.Json()["items"][0]["path"], "img1.jpg");
}

TEST_P(ManifestIt, BadManifestsAreRefusedNamingTheField) {
    ASSERT_NO_FATAL_FAILURE(SetUpServer());
    auto missing = admin_->SendJson("POST", "/api/v1/projects",
                                    Body("Missing", "prelabel", {{"image", "image_url"}}));
    ASSERT_EQ(missing.status, 400u) << missing.body;
    EXPECT_EQ(missing.Json()["error"]["field"], "datasource.mapping.image");
    EXPECT_NE(
        missing.Json()["error"]["message"].get<std::string>().find(R"("Url", "Label", "Score")"),
        std::string::npos)
        << missing.body;

    json bad_format = Body("Format", "prelabel");
    bad_format["datasource"]["format"] = "xlsx";
    auto format = admin_->SendJson("POST", "/api/v1/projects", bad_format);
    EXPECT_EQ(format.status, 400u);
    EXPECT_EQ(format.Json()["error"]["field"], "datasource.format");

    json bad_mode = Body("Mode", "maybe");
    EXPECT_EQ(admin_->SendJson("POST", "/api/v1/projects", bad_mode).Json()["error"]["field"],
              "datasource.import_as");

    json no_mapping = Body("NoMapping", "prelabel");
    no_mapping["datasource"].erase("mapping");
    EXPECT_EQ(admin_->SendJson("POST", "/api/v1/projects", no_mapping).Json()["error"]["field"],
              "datasource.mapping");

    json outside = Body("Outside", "prelabel");
    outside["datasource"]["datastores"]["workspaceblobstore"] = temp_.path().string();
    EXPECT_EQ(admin_->SendJson("POST", "/api/v1/projects", outside).status, 403u);

    auto projects = admin_->Get("/api/v1/projects");
    EXPECT_TRUE(projects.Json()["projects"].empty()) << projects.body;
}

TEST_P(ManifestIt, MappingPreviewShowsColumnsAndGuesses) {
    ASSERT_NO_FATAL_FAILURE(SetUpServer());
    auto preview =
        admin_->SendJson("POST", "/api/v1/datasources/manifest/preview",
                         {{"path", (images_ / "labels.csv").string()}, {"format", "csv"}});
    ASSERT_EQ(preview.status, 200u) << preview.body;
    EXPECT_EQ(preview.Json()["columns"], json::array({"Url", "Label", "Score"}));
    EXPECT_EQ(preview.Json()["guess"]["image"], "Url");
    EXPECT_EQ(preview.Json()["guess"]["category"], "Label");
    EXPECT_EQ(preview.Json()["guess"]["confidence"], "Score");
    EXPECT_EQ(preview.Json()["rows"][0][0], "img0.jpg");

    auto refused = admin_->SendJson("POST", "/api/v1/datasources/manifest/preview",
                                    {{"path", "/etc/passwd"}, {"format", "csv"}});
    EXPECT_EQ(refused.status, 403u) << refused.body;
    CreateUser(*admin_, "lara", "lara-password", "labeler");
    HttpClient lara = LoginAs("lara", "lara-password");
    EXPECT_EQ(lara.SendJson("POST", "/api/v1/datasources/manifest/preview",
                            {{"path", (images_ / "labels.csv").string()}, {"format", "csv"}})
                  .status,
              403u);
}

TESSERA_INSTANTIATE_BACKENDS(ManifestIt);

}  // namespace
}  // namespace tessera::testing
