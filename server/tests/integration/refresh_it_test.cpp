// Incremental refresh over HTTP against the real binary (docs/design/datasources.md): new files
// appear after POST …/refresh, deleted ones show as missing in progress and in the item list,
// restored ones come back, the item limit holds, and the settings PATCH validates.
#include <map>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class RefreshIt : public IntegrationTest {};

TEST_P(RefreshIt, AddsNewFilesMarksGoneOnesMissingAndBringsThemBack) {
    WriteImages(3);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    json project = CreateIngestedProject(admin, "Growing");
    const std::int64_t id = project["id"];
    EXPECT_EQ(project["refresh"],
              json::parse(R"({"enabled":false,"interval_s":3600,"last_at":null})"));
    EXPECT_GT(project["datasource"]["id"].get<std::int64_t>(), 0);
    EXPECT_FALSE(project["datasource"].contains("secret"));
    auto before = ItemsByPath(admin, id);
    ASSERT_EQ(before.size(), 3u);

    WriteImage(images_ / "new" / "a.jpg", 70, 50);
    WriteImage(images_ / "new" / "b.png", 20, 10);
    project = Refresh(admin, id);
    EXPECT_EQ(project["progress"]["total"], 5);
    EXPECT_TRUE(project["refresh"]["last_at"].is_number());
    auto after = ItemsByPath(admin, id);
    ASSERT_EQ(after.size(), 5u);
    EXPECT_EQ(after["new/a.jpg"]["width"], 70);
    EXPECT_EQ(after["img0.jpg"]["id"], before["img0.jpg"]["id"]);

    // The source filter: every item came from the primary datasource.
    const std::string source = std::to_string(project["datasource"]["id"].get<std::int64_t>());
    EXPECT_EQ(ItemsByPath(admin, id, "&source=" + source).size(), 5u);
    EXPECT_TRUE(ItemsByPath(admin, id, "&source=999999").empty());
    EXPECT_EQ(admin.Get(ProjectPath(id, "/items?source=x")).status, 400u);

    fs::rename(images_ / "img1.jpg", temp_.path() / "img1.jpg");
    project = Refresh(admin, id);
    EXPECT_EQ(project["progress"]["missing"], 1);
    EXPECT_EQ(project["progress"]["error"], 0);
    EXPECT_EQ(project["progress"]["total"], 5);
    auto missing = ItemsByPath(admin, id, "&state=missing");
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing.begin()->first, "img1.jpg");
    EXPECT_EQ(missing.begin()->second["state"], "missing");

    fs::rename(temp_.path() / "img1.jpg", images_ / "img1.jpg");
    project = Refresh(admin, id);
    EXPECT_EQ(project["progress"]["missing"], 0);
    EXPECT_EQ(ItemsByPath(admin, id)["img1.jpg"]["state"], "unlabeled");
    EXPECT_EQ(ItemsByPath(admin, id)["img1.jpg"]["id"], before["img1.jpg"]["id"]);
}

TEST_P(RefreshIt, RespectsTheItemLimit) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    json body = ProjectBody("Capped");
    body["item_limit"] = 3;
    auto created = admin.SendJson("POST", "/api/v1/projects", body);
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::int64_t id = created.Json()["id"];
    WaitForIngest(admin, id);
    WriteImage(images_ / "more" / "x1.jpg", 8, 8);
    WriteImage(images_ / "more" / "x2.jpg", 8, 8);
    json project = Refresh(admin, id);
    EXPECT_EQ(project["progress"]["total"], 3);
    EXPECT_EQ(project["item_limit_reached"], true);
}

TEST_P(RefreshIt, SettingsArePatchedAndValidated) {
    WriteImages(1);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const std::int64_t id = CreateIngestedProject(admin, "Settings")["id"];

    auto patched = admin.SendJson("PATCH", ProjectPath(id),
                                  {{"refresh", {{"enabled", true}, {"interval_s", 120}}}});
    ASSERT_EQ(patched.status, 200u) << patched.body;
    EXPECT_EQ(patched.Json()["refresh"]["enabled"], true);
    EXPECT_EQ(patched.Json()["refresh"]["interval_s"], 120);
    auto read = admin.Get(ProjectPath(id)).Json();
    EXPECT_EQ(read["refresh"]["interval_s"], 120);
    auto only_enabled =
        admin.SendJson("PATCH", ProjectPath(id), {{"refresh", {{"enabled", false}}}});
    EXPECT_EQ(only_enabled.Json()["refresh"]["interval_s"], 120);
    EXPECT_EQ(only_enabled.Json()["refresh"]["enabled"], false);

    struct Bad {
        json body;
        std::string field;
    };
    for (const Bad& bad :
         std::vector<Bad>{{{{"refresh", {{"interval_s", 59}}}}, "refresh.interval_s"},
                          {{{"refresh", {{"interval_s", "hourly"}}}}, "refresh.interval_s"},
                          {{{"refresh", {{"enabled", "yes"}}}}, "refresh.enabled"},
                          {{{"refresh", {{"every", 5}}}}, "refresh.every"},
                          {{{"refresh", true}}, "refresh"}}) {
        auto refused = admin.SendJson("PATCH", ProjectPath(id), bad.body);
        EXPECT_EQ(refused.status, 400u) << bad.body.dump() << ": " << refused.body;
        EXPECT_EQ(refused.Json()["error"]["code"], "invalid_argument");
        EXPECT_EQ(refused.Json()["error"]["field"], bad.field) << refused.body;
    }
    EXPECT_EQ(admin.Get(ProjectPath(id)).Json()["refresh"]["interval_s"], 120);  // unchanged

    CreateUser(admin, "lab", "lab-password-1", "labeler");
    HttpClient lab = LoginAs("lab", "lab-password-1");
    EXPECT_EQ(lab.SendJson("PATCH", ProjectPath(id), {{"refresh", {{"enabled", true}}}}).status,
              403u);
    EXPECT_EQ(lab.Send("POST", ProjectPath(id, "/refresh")).status, 403u);
    EXPECT_EQ(admin.Send("POST", ProjectPath(id + 100, "/refresh")).status, 404u);
}

TEST_P(RefreshIt, SettingsAreAcceptedAtCreationWithTheSameValidation) {
    WriteImages(1);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    json body = ProjectBody("Refreshed from the start");
    body["refresh"] = {{"enabled", true}, {"interval_s", 600}};
    auto created = admin.SendJson("POST", "/api/v1/projects", body);
    ASSERT_EQ(created.status, 201u) << created.body;
    EXPECT_EQ(created.Json()["refresh"],
              json::parse(R"({"enabled":true,"interval_s":600,"last_at":null})"));
    const std::int64_t id = created.Json()["id"];
    EXPECT_EQ(WaitForIngest(admin, id)["refresh"]["interval_s"], 600);

    json only_enabled = ProjectBody("Enabled, default interval");
    only_enabled["refresh"] = {{"enabled", true}};
    auto defaulted = admin.SendJson("POST", "/api/v1/projects", only_enabled);
    ASSERT_EQ(defaulted.status, 201u) << defaulted.body;
    EXPECT_EQ(defaulted.Json()["refresh"]["interval_s"], 3600);
    WaitForIngest(admin, defaulted.Json()["id"]);

    struct Bad {
        json refresh;
        std::string field;
    };
    int n = 0;
    for (const Bad& bad : std::vector<Bad>{{{{"interval_s", 59}}, "refresh.interval_s"},
                                           {{{"interval_s", 31536001}}, "refresh.interval_s"},
                                           {{{"enabled", 1}}, "refresh.enabled"},
                                           {{{"every", 5}}, "refresh.every"},
                                           {"hourly", "refresh"}}) {
        json refused_body = ProjectBody("Refused " + std::to_string(n++));
        refused_body["refresh"] = bad.refresh;
        auto refused = admin.SendJson("POST", "/api/v1/projects", refused_body);
        EXPECT_EQ(refused.status, 400u) << bad.refresh.dump() << ": " << refused.body;
        EXPECT_EQ(refused.Json()["error"]["field"], bad.field) << refused.body;
    }
    // Nothing half-created: the refused names are still free.
    auto listed = admin.Get("/api/v1/projects").Json()["projects"];
    EXPECT_EQ(listed.size(), 2u);
}

TESSERA_INSTANTIATE_BACKENDS(RefreshIt);

}  // namespace
}  // namespace tessera::testing
