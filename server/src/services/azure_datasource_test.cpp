#include "services/azure_datasource.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "blobs/curl_transport.hpp"
#include "blobs/test_images.hpp"
#include "services/datasource_opener.hpp"
#include "support/azurite.hpp"
#include "support/temp_dir.hpp"

namespace tessera {
namespace {

using nlohmann::json;

json Valid() {
    return {{"kind", "azure_blob"},  {"account_url", "https://Acct1.blob.core.windows.net/"},
            {"container", "photos"}, {"prefix", "/cats/"},
            {"pattern", "**/*.jpg"}, {"sas_token", "?sv=2021-08-06&sp=rl&sig=abc%2B"}};
}

std::string FieldOf(const json& datasource, AzureDatasourcePolicy policy = {}) {
    auto spec = ParseAzureDatasource(datasource, policy);
    return spec.ok() ? "" : spec.error().field;
}

TEST(AzureDatasourceTest, ParsesAndNormalizesAValidDatasource) {
    auto spec = ParseAzureDatasource(Valid(), {});
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    EXPECT_EQ(spec->account_url, "https://acct1.blob.core.windows.net");
    EXPECT_EQ(spec->container, "photos");
    EXPECT_EQ(spec->prefix, "cats");
    EXPECT_EQ(spec->pattern, "**/*.jpg");
    EXPECT_EQ(spec->sas_token, "?sv=2021-08-06&sp=rl&sig=abc%2B");
    EXPECT_EQ(spec->account_key, "");
}

TEST(AzureDatasourceTest, BadInputNamesTheField) {
    json both = Valid();
    both["account_key"] = std::string(testing::kAzuriteKey);
    json none = Valid();
    none.erase("sas_token");
    json http = Valid();
    http["account_url"] = "http://acct1.blob.core.windows.net";
    json no_account = Valid();
    no_account["account_url"] = "http://127.0.0.1:10000";
    json bad_container = Valid();
    bad_container["container"] = "Photos_2024";
    json bad_pattern = Valid();
    bad_pattern["pattern"] = "/abs/*.jpg";
    json bad_prefix = Valid();
    bad_prefix["prefix"] = "a/../b";
    json bad_key = Valid();
    bad_key.erase("sas_token");
    bad_key["account_key"] = "not base64 ***";
    json url_as_sas = Valid();
    url_as_sas["sas_token"] = "https://acct1.blob.core.windows.net/photos?sv=1&sig=x";
    json number = Valid();
    number["container"] = 7;
    EXPECT_EQ(FieldOf(both), "datasource.account_key");
    EXPECT_EQ(FieldOf(none), "datasource.sas_token");
    EXPECT_EQ(FieldOf(http), "datasource.account_url");
    EXPECT_EQ(FieldOf(no_account), "datasource.account_url");
    EXPECT_EQ(FieldOf(bad_container), "datasource.container");
    EXPECT_EQ(FieldOf(bad_pattern), "datasource.pattern");
    EXPECT_EQ(FieldOf(bad_prefix), "datasource.prefix");
    EXPECT_EQ(FieldOf(bad_key), "datasource.account_key");
    EXPECT_EQ(FieldOf(url_as_sas), "datasource.sas_token");
    EXPECT_EQ(FieldOf(number), "datasource.container");
    // The error for a bad key never repeats it.
    auto error = ParseAzureDatasource(bad_key, {}).error();
    EXPECT_EQ(error.message.find("***"), std::string::npos);
}

TEST(AzureDatasourceTest, HttpOnlyForLoopbackUnlessTheAdminAllowsIt) {
    json azurite = Valid();
    azurite["account_url"] = "http://127.0.0.1:10000/devstoreaccount1";
    EXPECT_EQ(FieldOf(azurite), "");
    json local = Valid();
    local["account_url"] = "http://localhost:10000/devstoreaccount1";
    EXPECT_EQ(FieldOf(local), "");
    json remote = Valid();
    remote["account_url"] = "http://acct1.blob.core.windows.net";
    auto refused = ParseAzureDatasource(remote, {});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("must use https"), std::string::npos);
    EXPECT_EQ(FieldOf(remote, AzureDatasourcePolicy{true}), "");
}

TEST(AzureDatasourceTest, StoredConfigHoldsNoCredentialAndUnsealsBack) {
    auto box = SecretBox::FromBase64Key(SecretBox::NewBase64Key());
    ASSERT_TRUE(box.ok());
    auto spec = ParseAzureDatasource(Valid(), {});
    ASSERT_TRUE(spec.ok());
    SealedAzureDatasource sealed = SealAzureDatasource(*spec, *box);
    const std::string config = sealed.config.dump();
    EXPECT_EQ(config.find("sig="), std::string::npos);
    EXPECT_EQ(sealed.secret.find("sig="), std::string::npos);
    EXPECT_EQ(sealed.config["credential"], "sas_token");
    auto back = UnsealAzureDatasource(json::parse(config), sealed.secret, *box);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->sas_token, spec->sas_token);
    EXPECT_EQ(back->account_url, spec->account_url);
    EXPECT_EQ(back->prefix, "cats");

    auto other = SecretBox::FromBase64Key(SecretBox::NewBase64Key());
    auto wrong = UnsealAzureDatasource(sealed.config, sealed.secret, *other);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kFailedPrecondition);
}

// A custom domain's host names no account: the account is given, kept and used for signing.
TEST(AzureDatasourceTest, CustomDomainsTakeTheAccountName) {
    json custom = Valid();
    custom["account_url"] = "https://images-cdn.example.com";
    EXPECT_EQ(FieldOf(custom), "datasource.account_url");  // "images-cdn" is no account
    custom["account_name"] = " acct1 ";
    auto spec = ParseAzureDatasource(custom, {});
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    EXPECT_EQ(spec->account_name, "acct1");
    EXPECT_EQ(ClientConfig(*spec).account_name, "acct1");
    custom["account_name"] = "Acct_1";
    EXPECT_EQ(FieldOf(custom), "datasource.account_name");
    custom["account_name"] = 7;
    EXPECT_EQ(FieldOf(custom), "datasource.account_name");

    auto box = SecretBox::FromBase64Key(SecretBox::NewBase64Key());
    ASSERT_TRUE(box.ok());
    SealedAzureDatasource sealed = SealAzureDatasource(*spec, *box);
    EXPECT_EQ(sealed.config["account_name"], "acct1");
    auto back = UnsealAzureDatasource(sealed.config, sealed.secret, *box);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->account_name, "acct1");
    // Without one, nothing new is stored.
    EXPECT_FALSE(SealAzureDatasource(*ParseAzureDatasource(Valid(), {}), *box)
                     .config.contains("account_name"));
}

TEST(AzureDatasourceTest, SealedDatasourceReadsBlobsMicrosoftsClientUploaded) {
    TESSERA_REQUIRE_AZURITE();
    testing::TempDir dir;
    std::ofstream(dir.path() / "a.jpg", std::ios::binary) << "jpeg bytes";
    std::filesystem::create_directories(dir.path() / "sub");
    std::ofstream(dir.path() / "sub" / "b.png", std::ios::binary) << "png bytes";
    const std::string container = testing::UniqueContainer("datasource");
    ASSERT_EQ(testing::UploadWithAzureSdk(container, "'" + dir.path().string() + "'"), 2);

    auto box = SecretBox::LoadOrCreateKeyFile(dir.path() / "secret.key");
    ASSERT_TRUE(box.ok()) << box.error().message;
    json api = {{"kind", "azure_blob"},
                {"account_url", testing::AzuriteUrl()},
                {"container", container},
                {"account_key", std::string(testing::kAzuriteKey)}};
    auto spec = ParseAzureDatasource(api, {});
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    SealedAzureDatasource stored = SealAzureDatasource(*spec, *box);
    auto opened = UnsealAzureDatasource(stored.config, stored.secret, *box);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    auto source = OpenAzureSource(*opened, MakeCurlTransport(), {dir.path() / "cache"});
    ASSERT_TRUE(source.ok()) << source.error().message;
    std::vector<std::string> names;
    auto listing = (*source)->List([&](const SourceEntry& entry) {
        names.push_back(entry.relative_path);
        return true;
    });
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    EXPECT_EQ(names, (std::vector<std::string>{"a.jpg", "sub/b.png"}));
    auto file = (*source)->Open("sub/b.png");
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->ReadAll().value(), "png bytes");
}

std::vector<std::string> ListedPaths(ImageSource& source) {
    std::vector<std::string> paths;
    auto listing = source.List([&](const SourceEntry& entry) {
        paths.push_back(entry.relative_path);
        return true;
    });
    EXPECT_TRUE(listing.ok()) << listing.error().message;
    return paths;
}

// Ingest and refresh open every datasource through DatasourceOpener::Open; a default opener (no
// server key) opens folders and refuses what it cannot list or unseal.
TEST(DatasourceOpenerTest, OpensFoldersAndRefusesWhatItCannotList) {
    testing::TempDir dir;
    testing::WriteImage(dir.path() / "a.jpg", 30, 20);
    VipsImageProber prober;
    DatasourceOpener opener;
    for (const char* kind : {"local", "upload"}) {
        Datasource folder;
        folder.kind = kind;
        folder.path = dir.path().string();
        folder.pattern = "**/*.*";
        auto opened = opener.Open(folder, prober);
        ASSERT_TRUE(opened.ok()) << kind << ": " << opened.error().message;
        EXPECT_EQ(ListedPaths(*opened->source), std::vector<std::string>{"a.jpg"});
        EXPECT_EQ(opened->readers, 0);  // one probe thread per core
        auto info = opened->fallback({"a.jpg", -1, ""});
        ASSERT_TRUE(info.ok()) << info.error().message;
        EXPECT_EQ(info->width, 30);
    }
    Datasource manifest;
    manifest.kind = "manifest";
    auto refused = opener.Open(manifest, prober);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(refused.error().message.find("'manifest' cannot be listed"), std::string::npos);
    EXPECT_FALSE(CanListDatasource("manifest"));
    EXPECT_TRUE(CanListDatasource("azure_blob"));

    Datasource blob;
    blob.kind = "azure_blob";
    blob.id = 7;
    auto no_key = opener.Open(blob, prober);
    ASSERT_FALSE(no_key.ok());
    EXPECT_EQ(no_key.error().code, ErrorCode::kFailedPrecondition);
}

TEST(DatasourceOpenerTest, OpensAContainerWhoseFallbackProbesTheCachedCopy) {
    TESSERA_REQUIRE_AZURITE();
    testing::TempDir dir;
    testing::WriteImage(dir.path() / "up" / "cats" / "a.jpg", 33, 22);
    testing::WriteImage(dir.path() / "up" / "dogs" / "b.jpg", 10, 10);
    const std::string container = testing::UniqueContainer("opener");
    ASSERT_EQ(testing::UploadWithAzureSdk(container, "'" + (dir.path() / "up").string() + "'"), 2);

    DatasourceOpenerSettings settings;
    settings.blob_cache_dir = dir.path() / "blobs";
    settings.transport = MakeCurlTransport();
    const std::filesystem::path key_file = dir.path() / "secret.key";
    settings.secret_box = [key_file] { return SecretBox::LoadOrCreateKeyFile(key_file); };
    DatasourceOpener opener(settings);
    auto prepared = opener.PrepareAzure({{"kind", "azure_blob"},
                                         {"account_url", testing::AzuriteUrl()},
                                         {"container", container},
                                         {"prefix", "cats"},
                                         {"account_key", std::string(testing::kAzuriteKey)}});
    ASSERT_TRUE(prepared.ok()) << prepared.error().message;
    prepared->id = 1;
    VipsImageProber prober;
    auto opened = opener.Open(*prepared, prober);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(ListedPaths(*opened->source), std::vector<std::string>{"a.jpg"});
    EXPECT_GT(opened->readers, 2);  // header reads wait on the network: more in flight
    auto info = opened->fallback({"a.jpg", -1, ""});
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->width, 33);
    EXPECT_EQ(info->height, 22);
    // The same datasource opens the same source (one client and cache per process).
    EXPECT_EQ(opener.Open(*prepared, prober)->source, opened->source);
}

}  // namespace
}  // namespace tessera
