// Creating projects (validation, names, allowed roots), ingest, start/pause, item listing.
#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

class ProjectsIt : public IntegrationTest {};

TEST_P(ProjectsIt, CreateReturns201AndNamesStayReservedCaseInsensitively) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    json labels = json::parse(R"([{"name": "Animal", "children": [{"name": "Cat"}]}, "Car"])");
    auto created = admin.SendJson("POST", "/api/v1/projects", ProjectBody("Pets", labels));
    ASSERT_EQ(created.status, 201u) << created.body;
    json project = created.Json();
    EXPECT_EQ(project["name"], "Pets");
    EXPECT_EQ(project["status"], "draft");
    EXPECT_EQ(project["task_type"], "multiclass");
    EXPECT_EQ(project["label_list"][1]["path"], "Animal/Cat");
    EXPECT_EQ(project["jobs"][0]["kind"], "ingest");
    std::int64_t id = project["id"];

    auto duplicate = admin.SendJson("POST", "/api/v1/projects", ProjectBody("pets"));
    EXPECT_EQ(duplicate.status, 409u);
    EXPECT_EQ(duplicate.Json()["error"]["code"], "conflict");

    EXPECT_EQ(admin.Send("DELETE", ProjectPath(id)).status, 204u);
    EXPECT_EQ(admin.Get(ProjectPath(id)).status, 404u);
    auto after_delete = admin.SendJson("POST", "/api/v1/projects", ProjectBody("PETS"));
    EXPECT_EQ(after_delete.status, 409u);
    auto list = admin.Get("/api/v1/projects");
    EXPECT_EQ(list.Json()["projects"].size(), 0u);
}

TEST_P(ProjectsIt, InvalidProjectsAre400NamingTheField) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    auto unknown_type =
        admin.SendJson("POST", "/api/v1/projects", ProjectBody("T", {"Cat"}, "keypoints"));
    EXPECT_EQ(unknown_type.status, 400u);
    EXPECT_EQ(unknown_type.Json()["error"]["field"], "task_type");

    json no_path = ProjectBody("T");
    no_path["datasource"].erase("path");
    auto missing = admin.SendJson("POST", "/api/v1/projects", no_path);
    EXPECT_EQ(missing.status, 400u);
    EXPECT_EQ(missing.Json()["error"]["field"], "datasource.path");

    json bad_labels = ProjectBody("T", json::parse(R"([{"name": "a/b"}])"));
    EXPECT_EQ(admin.SendJson("POST", "/api/v1/projects", bad_labels).status, 400u);
    EXPECT_EQ(admin.Get("/api/v1/projects/abc").status, 400u);
}

TEST_P(ProjectsIt, PathsOutsideTheAllowedRootAreRefused) {
    std::filesystem::create_directories(temp_.path() / "outside");
    WriteImage(temp_.path() / "outside" / "secret.jpg", 10, 10);
    std::filesystem::create_directory_symlink(temp_.path() / "outside", images_ / "escape");
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();

    auto refused = [&](const std::string& name, const std::string& path) {
        json body = ProjectBody(name);
        body["datasource"]["path"] = path;
        auto response = admin.SendJson("POST", "/api/v1/projects", body);
        EXPECT_TRUE(response.status == 403u || response.status == 400u)
            << path << ": " << response.status << " " << response.body;
    };
    refused("Outside", (temp_.path() / "outside").string());
    refused("Dots", (images_ / ".." / "outside").string());
    refused("Symlink", (images_ / "escape").string());
    refused("Root", "/");
    auto list = admin.Get("/api/v1/projects");
    EXPECT_EQ(list.Json()["projects"].size(), 0u);
}

TEST_P(ProjectsIt, IngestCountsItemsAndCorruptFilesBecomeErrors) {
    WriteImages(3);
    WriteImage(images_ / "sub" / "deep.png", 20, 20);
    WriteText(images_ / "broken.jpg", "this is not a jpeg");
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    json project = CreateIngestedProject(admin, "Ingest");
    EXPECT_EQ(project["jobs"][0]["state"], "done") << project.dump();
    EXPECT_EQ(project["progress"]["total"], 5);
    EXPECT_EQ(project["progress"]["unlabeled"], 4);
    EXPECT_EQ(project["progress"]["error"], 1);
    std::int64_t id = project["id"];

    auto errors = admin.Get(ProjectPath(id, "/items?state=error"));
    ASSERT_EQ(errors.status, 200u) << errors.body;
    ASSERT_EQ(errors.Json()["items"].size(), 1u);
    EXPECT_EQ(errors.Json()["items"][0]["name"], "broken.jpg");
    EXPECT_FALSE(errors.Json()["items"][0]["error"].get<std::string>().empty());

    auto page = admin.Get(ProjectPath(id, "/items?limit=2"));
    ASSERT_EQ(page.Json()["items"].size(), 2u);
    std::int64_t after = page.Json()["next_after"];
    auto rest = admin.Get(ProjectPath(id, "/items?limit=10&after=" + std::to_string(after)));
    EXPECT_EQ(rest.Json()["items"].size(), 3u);
    EXPECT_TRUE(rest.Json()["next_after"].is_null());
    EXPECT_EQ(admin.Get(ProjectPath(id, "/items?state=bogus")).status, 400u);
    EXPECT_EQ(admin.Get("/healthz").status, 200u);  // the corrupt file did not hurt the server
}

TEST_P(ProjectsIt, StartAndPauseGateLabeling) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = CreateIngestedProject(admin, "Gate")["id"];
    auto early = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}});
    EXPECT_EQ(early.status, 409u);
    EXPECT_EQ(early.Json()["error"]["code"], "failed_precondition");

    StartProject(admin, id);
    EXPECT_EQ(admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}}).status, 200u);
    EXPECT_EQ(admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 5}}).status, 400u);
    auto paused = admin.Send("POST", ProjectPath(id, "/pause"));
    EXPECT_EQ(paused.status, 200u);
    EXPECT_EQ(paused.Json()["status"], "paused");
    EXPECT_EQ(admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}}).status, 409u);
}

TESSERA_INSTANTIATE_BACKENDS(ProjectsIt);

}  // namespace
}  // namespace tessera::testing
