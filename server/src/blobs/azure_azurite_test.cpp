// The Azure Blob client and AzureImageSource against Azurite, Microsoft's storage emulator
// (scripts/azurite.sh; scripts/test.sh starts one and exports TESSERA_TEST_AZURITE_URL). Blobs
// are uploaded with Microsoft's own @azure/storage-blob client (web/e2e/azurite_upload.mjs).
// Without the URL the tests skip, unless TESSERA_REQUIRE_AZURITE=1 makes that a failure.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "blobs/azure_blob_client.hpp"
#include "blobs/azure_image_source.hpp"
#include "blobs/azure_shared_key.hpp"
#include "blobs/curl_transport.hpp"
#include "support/azurite.hpp"
#include "support/temp_dir.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

using testing::AzuriteUrl;
using testing::UniqueContainer;
int Upload(const std::string& container, const std::string& args) {
    return testing::UploadWithAzureSdk(container, args);
}

void WriteFile(const fs::path& path, std::string_view bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

AzureBlobClient Client(AzureBlobConfig config, int max_results = 0) {
    AzureBlobClientOptions options;
    options.max_results = max_results;
    options.sleep = [](std::chrono::milliseconds) {};
    auto client = AzureBlobClient::Create(std::move(config), MakeCurlTransport(), options);
    EXPECT_TRUE(client.ok()) << client.error().message;
    return std::move(client).value();
}

AzureBlobConfig KeyConfig(const std::string& container) {
    return {AzuriteUrl(), container, "", std::string(testing::kAzuriteKey)};
}

AzureBlobConfig SasConfig(const std::string& container, const std::string& permissions) {
    ContainerSasOptions sas;
    sas.account = "devstoreaccount1";
    sas.container = container;
    sas.permissions = permissions;
    sas.expiry = "2099-01-01T00:00:00Z";
    auto token = MakeContainerSas(sas, testing::kAzuriteKey);
    EXPECT_TRUE(token.ok());
    return {AzuriteUrl(), container, *token, ""};
}

class AzuriteTest : public ::testing::Test {
protected:
    // Uploads a small tree with Microsoft's client: names with a space, a folder, non-ASCII.
    std::string UploadTree() {
        std::string container = UniqueContainer("tree");
        WriteFile(dir_.path() / "up" / "cats" / "a b.jpg", "0123456789abcdef");
        WriteFile(dir_.path() / "up" / "cats" / "ü.png", "png bytes");
        WriteFile(dir_.path() / "up" / "cats" / "notes.txt", "not an image");
        WriteFile(dir_.path() / "up" / "dogs" / "d.jpg", "dog");
        EXPECT_EQ(Upload(container, "'" + (dir_.path() / "up").string() + "'"), 4);
        return container;
    }

    testing::TempDir dir_;
};

TEST_F(AzuriteTest, SharedKeyListsAndReadsWhatMicrosoftsClientUploaded) {
    TESSERA_REQUIRE_AZURITE();
    std::string container = UploadTree();
    AzureBlobClient client = Client(KeyConfig(container));
    auto page = client.ListBlobs("", "");
    ASSERT_TRUE(page.ok()) << page.error().message;
    std::map<std::string, AzureBlobItem> blobs;
    for (const auto& blob : page->blobs) {
        blobs[blob.name] = blob;
    }
    ASSERT_EQ(blobs.size(), 4u);
    EXPECT_EQ(blobs["cats/a b.jpg"].size_bytes, 16);
    EXPECT_FALSE(blobs["cats/a b.jpg"].etag.empty());
    EXPECT_EQ(blobs["cats/ü.png"].size_bytes, 9);
    EXPECT_TRUE(page->next_marker.empty());

    auto whole = client.GetBlob("cats/a b.jpg", std::nullopt, 1000);
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    EXPECT_EQ(*whole, "0123456789abcdef");
    auto ranged = client.GetBlob("cats/a b.jpg", AzureBlobRange{4, 3}, 1000);
    ASSERT_TRUE(ranged.ok()) << ranged.error().message;
    EXPECT_EQ(*ranged, "456");
    auto unicode = client.GetBlob("cats/ü.png", AzureBlobRange{0, 3}, 1000);
    ASSERT_TRUE(unicode.ok()) << unicode.error().message;
    EXPECT_EQ(*unicode, "png");
    auto missing = client.GetBlob("cats/gone.jpg", std::nullopt, 1000);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(AzuriteTest, ImageSourceListsWithPrefixAndGlobAndOpensThroughTheCache) {
    TESSERA_REQUIRE_AZURITE();
    std::string container = UploadTree();
    auto source = AzureImageSource::Create(Client(KeyConfig(container)), "cats", "**/*.*",
                                           {dir_.path() / "cache"});
    ASSERT_TRUE(source.ok()) << source.error().message;
    std::vector<SourceEntry> entries;
    auto listing = (*source)->List([&](const SourceEntry& entry) {
        entries.push_back(entry);
        return true;
    });
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    ASSERT_EQ(entries.size(), 2u);  // notes.txt is not an image; dogs/ is outside the prefix
    EXPECT_EQ(entries[0].relative_path, "a b.jpg");
    EXPECT_EQ(entries[0].size_bytes, 16);
    EXPECT_FALSE(entries[0].version.empty());
    EXPECT_EQ(entries[1].relative_path, "ü.png");
    EXPECT_EQ(listing->entries, 3);

    auto prefix = (*source)->ReadPrefix("a b.jpg", 4);
    ASSERT_TRUE(prefix.ok()) << prefix.error().message;
    EXPECT_EQ(*prefix, "0123");
    auto file = (*source)->Open("a b.jpg");
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->ReadAll().value(), "0123456789abcdef");
    auto again = (*source)->Open("a b.jpg");  // answered 304: the cached copy
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->ReadAll().value(), "0123456789abcdef");
    EXPECT_EQ((*source)->Open("../dogs/d.jpg").error().code, ErrorCode::kNotFound);
    EXPECT_EQ((*source)->Open("gone.jpg").error().code, ErrorCode::kNotFound);
}

TEST_F(AzuriteTest, ListingFollowsMarkersPastFiveThousandBlobs) {
    TESSERA_REQUIRE_AZURITE();
    std::string container = UniqueContainer("many");
    ASSERT_EQ(Upload(container, "--synthetic 5003 img/"), 5003);
    // 1,000 blobs a page: six pages, five continuation markers.
    auto source = AzureImageSource::Create(Client(KeyConfig(container), 1000), "", "",
                                           {dir_.path() / "cache"});
    ASSERT_TRUE(source.ok()) << source.error().message;
    std::vector<std::string> names;
    auto listing = (*source)->List([&](const SourceEntry& entry) {
        names.push_back(entry.relative_path);
        return true;
    });
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    ASSERT_EQ(names.size(), 5003u);
    EXPECT_EQ(names.front(), "img/00000.jpg");
    EXPECT_EQ(names.back(), "img/05002.jpg");
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));

    std::int64_t seen = 0;
    auto budget = (*source)->List([&](const SourceEntry&) { return ++seen < 2500; });
    ASSERT_TRUE(budget.ok());
    EXPECT_TRUE(budget->stopped);
    EXPECT_EQ(seen, 2500);
}

TEST_F(AzuriteTest, SasWithReadAndListPermissionsWorks) {
    TESSERA_REQUIRE_AZURITE();
    std::string container = UploadTree();
    AzureBlobClient client = Client(SasConfig(container, "rl"));
    auto page = client.ListBlobs("dogs/", "");
    ASSERT_TRUE(page.ok()) << page.error().message;
    ASSERT_EQ(page->blobs.size(), 1u);
    auto bytes = client.GetBlob("dogs/d.jpg", std::nullopt, 100);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    EXPECT_EQ(*bytes, "dog");
}

TEST_F(AzuriteTest, SasWithoutListPermissionSaysSo) {
    TESSERA_REQUIRE_AZURITE();
    std::string container = UploadTree();
    AzureBlobClient client = Client(SasConfig(container, "r"));
    auto page = client.ListBlobs("", "");
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().code, ErrorCode::kPermissionDenied);
    EXPECT_NE(
        page.error().message.find("the SAS token does not allow listing (needs l permission)"),
        std::string::npos)
        << page.error().message;
    EXPECT_EQ(page.error().message.find("sig="), std::string::npos);
    // Reading still works with r.
    EXPECT_TRUE(client.GetBlob("dogs/d.jpg", std::nullopt, 100).ok());
}

TEST_F(AzuriteTest, WrongKeyOrSignatureSaysSo) {
    TESSERA_REQUIRE_AZURITE();
    std::string container = UploadTree();
    AzureBlobConfig wrong = KeyConfig(container);
    wrong.account_key = "AAAA" + wrong.account_key.substr(4);
    auto page = Client(wrong).ListBlobs("", "");
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().code, ErrorCode::kPermissionDenied);
    EXPECT_NE(page.error().message.find("the account key is wrong"), std::string::npos)
        << page.error().message;
    EXPECT_EQ(page.error().message.find(wrong.account_key.substr(4, 20)), std::string::npos);

    AzureBlobConfig forged = SasConfig(container, "rl");
    forged.sas_token = forged.sas_token.substr(0, forged.sas_token.find("sig=")) + "sig=AAAA";
    auto forged_page = Client(forged).ListBlobs("", "");
    ASSERT_FALSE(forged_page.ok());
    EXPECT_EQ(forged_page.error().code, ErrorCode::kPermissionDenied);
    EXPECT_NE(forged_page.error().message.find("the SAS signature is wrong"), std::string::npos)
        << forged_page.error().message;
}

TEST_F(AzuriteTest, MissingContainerIsNotFound) {
    TESSERA_REQUIRE_AZURITE();
    auto page = Client(KeyConfig(UniqueContainer("absent"))).ListBlobs("", "");
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().code, ErrorCode::kNotFound);
    EXPECT_NE(page.error().message.find("does not exist"), std::string::npos)
        << page.error().message;
}

TEST(AzureUnreachableTest, UnreachableAccountIsUnavailableNamingTheUrl) {
    // Port 1 on the loopback refuses connections: no Azurite needed.
    AzureBlobConfig config{"http://127.0.0.1:1/devstoreaccount1", "photos", "",
                           std::string(testing::kAzuriteKey)};
    auto page = Client(config).ListBlobs("", "");
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(page.error().message.find("http://127.0.0.1:1/devstoreaccount1"), std::string::npos)
        << page.error().message;
    EXPECT_EQ(page.error().message.find(std::string(testing::kAzuriteKey).substr(0, 12)),
              std::string::npos);

    // .invalid never resolves (RFC 6761).
    AzureBlobConfig dns{"https://tesseranosuchacct.blob.invalid", "photos", "sv=1&sig=x", ""};
    auto unresolved = Client(dns).ListBlobs("", "");
    ASSERT_FALSE(unresolved.ok());
    EXPECT_EQ(unresolved.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(unresolved.error().message.find("https://tesseranosuchacct.blob.invalid"),
              std::string::npos);
    EXPECT_EQ(unresolved.error().message.find("sig="), std::string::npos);
}

}  // namespace
}  // namespace tessera
