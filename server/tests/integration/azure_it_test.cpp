// An Azure Blob datasource end to end over HTTP: blobs uploaded to Azurite with Microsoft's own
// @azure/storage-blob client, a project created over them, ingested, its image served from the
// blob cache and an item labeled; and the errors a user gets for credentials Azure refuses.
// Skips without Azurite (TESSERA_TEST_AZURITE_URL) unless TESSERA_REQUIRE_AZURITE=1.
#include <fstream>

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

TESSERA_INSTANTIATE_BACKENDS(AzureIt);

}  // namespace
}  // namespace tessera::testing
