// An Azure Blob datasource end to end over HTTP: blobs uploaded to Azurite with Microsoft's own
// @azure/storage-blob client, a project created over them, ingested, its image served from the
// blob cache and an item labeled; refreshed after blobs were added and deleted; and the errors a
// user gets for credentials Azure refuses.
// Skips without Azurite (TESSERA_TEST_AZURITE_URL) unless TESSERA_REQUIRE_AZURITE=1.
#include <fstream>
#include <map>

#include "blobs/azure_shared_key.hpp"
#include "integration/fixture.hpp"
#include "support/azurite.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

class AzureIt : public IntegrationTest {
protected:
    // Uploads images_ (three JPEGs) to a new container; returns its name.
    std::string UploadImages() {
        WriteImages(3);
        std::string container = UniqueContainer("it");
        EXPECT_EQ(UploadWithAzureSdk(container, "'" + images_.string() + "'"), 3);
        return container;
    }

    json AzureBody(const std::string& name, const json& datasource) {
        json body = ProjectBody(name);
        body["datasource"] = datasource;
        return body;
    }

    // Uploads the files under `dir` (named by their paths below it) into `container`.
    static void Upload(const std::string& container, const std::filesystem::path& dir,
                       int expected) {
        EXPECT_EQ(UploadWithAzureSdk(container, "'" + dir.string() + "'"), expected);
    }
};

TEST_P(AzureIt, BlobsUploadedWithMicrosoftsClientAreIngestedServedAndLabeled) {
    TESSERA_REQUIRE_AZURITE();
    const std::string container = UploadImages();
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    auto created = admin.SendJson("POST", "/api/v1/projects",
                                  AzureBody("Blobs", {{"kind", "azure_blob"},
                                                      {"account_url", AzuriteUrl()},
                                                      {"container", container},
                                                      {"pattern", "*.jpg"},
                                                      {"account_key", std::string(kAzuriteKey)}}));
    ASSERT_EQ(created.status, 201u) << created.body;
    // The key is never sent back; the API says which credential is set.
    EXPECT_EQ(created.body.find(std::string(kAzuriteKey).substr(0, 16)), std::string::npos);
    EXPECT_EQ(created.Json()["datasource"]["credential"], "account_key");
    EXPECT_EQ(created.Json()["datasource"]["container"], container);
    const std::int64_t id = created.Json()["id"];

    json project = WaitForIngest(admin, id);
    ASSERT_EQ(project["jobs"][0]["state"], "done") << project.dump();
    EXPECT_EQ(project["progress"]["total"], 3);
    EXPECT_EQ(project.dump().find(std::string(kAzuriteKey).substr(0, 16)), std::string::npos);
    auto items = admin.Get(ProjectPath(id, "/items"));
    ASSERT_EQ(items.status, 200u) << items.body;
    // Held: a range-for over items.Json()["items"] would walk a destroyed temporary.
    const json listed = items.Json()["items"];
    ASSERT_EQ(listed.size(), 3u);
    for (const auto& item : listed) {
        EXPECT_EQ(item["state"], "unlabeled") << item.dump();
        EXPECT_GT(item["width"].get<int>(), 0) << item.dump();
    }

    StartProject(admin, id);
    auto next = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}});
    ASSERT_EQ(next.status, 200u) << next.body;
    const json item = next.Json()["items"][0];
    auto image = admin.Get(item["image_url"].get<std::string>());
    ASSERT_EQ(image.status, 200u) << image.body;
    EXPECT_GT(image.body.size(), 100u);
    auto saved = admin.SendJson(
        "PUT",
        ProjectPath(id, "/items/" + std::to_string(item["id"].get<std::int64_t>()) + "/annotation"),
        {{"lease", next.Json()["lease"]}, {"labels", {"Cat"}}});
    ASSERT_EQ(saved.status, 200u) << saved.body;
    auto progress = admin.Get(ProjectPath(id)).Json()["progress"];
    EXPECT_EQ(progress["labeled"], 1) << progress.dump();
    // The key that seals the credential was made on first use, readable by the server alone.
    auto mode = std::filesystem::status(data_ / "secret.key").permissions();
    EXPECT_EQ(mode, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_P(AzureIt, CredentialsAzureRefusesAreA400NamingTheField) {
    TESSERA_REQUIRE_AZURITE();
    const std::string container = UploadImages();
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::string wrong_key = std::string(kAzuriteKey);
    wrong_key.replace(0, 4, "AAAA");
    auto refused = admin.SendJson("POST", "/api/v1/projects",
                                  AzureBody("Wrong key", {{"kind", "azure_blob"},
                                                          {"account_url", AzuriteUrl()},
                                                          {"container", container},
                                                          {"account_key", wrong_key}}));
    ASSERT_EQ(refused.status, 400u) << refused.body;
    EXPECT_EQ(refused.Json()["error"]["field"], "datasource.account_key");
    EXPECT_NE(refused.body.find("the account key is wrong"), std::string::npos) << refused.body;
    EXPECT_EQ(refused.body.find(wrong_key.substr(4, 16)), std::string::npos);

    ContainerSasOptions read_only;
    read_only.account = std::string(kAzuriteAccount);
    read_only.container = container;
    read_only.permissions = "r";
    read_only.expiry = "2099-01-01T00:00:00Z";
    auto sas = MakeContainerSas(read_only, kAzuriteKey);
    ASSERT_TRUE(sas.ok());
    auto no_list = admin.SendJson("POST", "/api/v1/projects",
                                  AzureBody("No list", {{"kind", "azure_blob"},
                                                        {"account_url", AzuriteUrl()},
                                                        {"container", container},
                                                        {"sas_token", *sas}}));
    ASSERT_EQ(no_list.status, 400u) << no_list.body;
    EXPECT_EQ(no_list.Json()["error"]["field"], "datasource.sas_token");
    EXPECT_NE(no_list.body.find("the SAS token does not allow listing (needs l permission)"),
              std::string::npos)
        << no_list.body;
    EXPECT_EQ(no_list.body.find("sig="), std::string::npos);

    auto missing =
        admin.SendJson("POST", "/api/v1/projects",
                       AzureBody("No container", {{"kind", "azure_blob"},
                                                  {"account_url", AzuriteUrl()},
                                                  {"container", "no-such-container"},
                                                  {"account_key", std::string(kAzuriteKey)}}));
    ASSERT_EQ(missing.status, 400u) << missing.body;
    EXPECT_EQ(missing.Json()["error"]["field"], "datasource.container");

    auto unreachable = admin.SendJson(
        "POST", "/api/v1/projects",
        AzureBody("Unreachable", {{"kind", "azure_blob"},
                                  {"account_url", "http://127.0.0.1:1/devstoreaccount1"},
                                  {"container", container},
                                  {"account_key", std::string(kAzuriteKey)}}));
    ASSERT_EQ(unreachable.status, 503u) << unreachable.body;
    EXPECT_NE(unreachable.body.find("http://127.0.0.1:1/devstoreaccount1"), std::string::npos);

    auto http =
        admin.SendJson("POST", "/api/v1/projects",
                       AzureBody("Plain http", {{"kind", "azure_blob"},
                                                {"account_url", "http://acct1.blob.example.com"},
                                                {"container", container},
                                                {"sas_token", "sv=1&sp=rl&sig=x"}}));
    ASSERT_EQ(http.status, 400u) << http.body;
    EXPECT_EQ(http.Json()["error"]["field"], "datasource.account_url");
    // Nothing was created by the refused requests.
    EXPECT_EQ(admin.Get("/api/v1/projects").Json()["projects"].size(), 0u);
}

// Refresh lists the container again (prefix and pattern as at creation): new blobs become items,
// a deleted blob's item goes missing with its label kept, and comes back labeled.
TEST_P(AzureIt, RefreshAddsNewBlobsAndMarksDeletedOnesMissing) {
    TESSERA_REQUIRE_AZURITE();
    const std::filesystem::path first = temp_.path() / "first";
    WriteImage(first / "photos" / "a.jpg", 40, 30);
    WriteImage(first / "photos" / "b.jpg", 41, 30);
    WriteImage(first / "photos" / "c.jpg", 42, 30);
    WriteImage(first / "other" / "x.jpg", 43, 30);
    const std::string container = UniqueContainer("refresh");
    Upload(container, first, 4);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    auto created =
        admin.SendJson("POST", "/api/v1/projects",
                       AzureBody("Growing blobs", {{"kind", "azure_blob"},
                                                   {"account_url", AzuriteUrl()},
                                                   {"container", container},
                                                   {"prefix", "photos"},
                                                   {"pattern", "**/*.jpg"},
                                                   {"account_key", std::string(kAzuriteKey)}}));
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::int64_t id = created.Json()["id"];
    ASSERT_EQ(WaitForIngest(admin, id)["progress"]["total"], 3);
    const auto before = ItemsByPath(admin, id);

    StartProject(admin, id);
    auto next = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}});
    ASSERT_EQ(next.status, 200u) << next.body;
    const json labeled = next.Json()["items"][0];
    const std::string labeled_path = labeled["path"];
    const std::string annotation = ProjectPath(
        id, "/items/" + std::to_string(labeled["id"].get<std::int64_t>()) + "/annotation");
    auto saved =
        admin.SendJson("PUT", annotation, {{"lease", next.Json()["lease"]}, {"labels", {"Dog"}}});
    ASSERT_EQ(saved.status, 200u) << saved.body;

    const std::filesystem::path second = temp_.path() / "second";
    WriteImage(second / "photos" / "new" / "d.jpg", 70, 50);
    WriteImage(second / "photos" / "e.png", 20, 10);  // not the pattern
    WriteImage(second / "other" / "y.jpg", 20, 10);   // not the prefix
    Upload(container, second, 3);
    EXPECT_EQ(UploadWithAzureSdk(container, "--delete 'photos/" + labeled_path + "'"), 1);

    json project = Refresh(admin, id);
    EXPECT_EQ(project["progress"]["total"], 4) << project["progress"].dump();
    EXPECT_EQ(project["progress"]["missing"], 1);
    EXPECT_EQ(project["progress"]["labeled"], 0);
    EXPECT_TRUE(project["refresh"]["last_at"].is_number());
    auto after = ItemsByPath(admin, id);
    ASSERT_EQ(after.size(), 4u);
    EXPECT_EQ(after["new/d.jpg"]["width"], 70);
    EXPECT_EQ(after["new/d.jpg"]["state"], "unlabeled");
    for (const auto& [path, item] : before) {
        EXPECT_EQ(after[path]["id"], item["id"]) << path;
    }
    auto missing = ItemsByPath(admin, id, "&state=missing");
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing.begin()->first, labeled_path);
    // The label stays with the missing item.
    auto kept = admin.Get(annotation);
    ASSERT_EQ(kept.status, 200u) << kept.body;
    EXPECT_EQ(kept.Json()["labels"], json::array({"Dog"}));

    // The blob comes back: the item is labeled again, under the same id.
    const std::filesystem::path back = temp_.path() / "back";
    std::filesystem::create_directories(back / "photos");
    std::filesystem::copy_file(first / "photos" / labeled_path, back / "photos" / labeled_path);
    Upload(container, back, 1);
    project = Refresh(admin, id);
    EXPECT_EQ(project["progress"]["missing"], 0);
    EXPECT_EQ(project["progress"]["labeled"], 1);
    EXPECT_EQ(project["progress"]["total"], 4);
    auto restored = ItemsByPath(admin, id);
    EXPECT_EQ(restored[labeled_path]["state"], "labeled");
    EXPECT_EQ(restored[labeled_path]["id"], labeled["id"]);
    EXPECT_EQ(admin.Get(annotation).Json()["labels"], json::array({"Dog"}));
}

TESSERA_INSTANTIATE_BACKENDS(AzureIt);

}  // namespace
}  // namespace tessera::testing
