#include "blobs/azure_blob_client.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>

#include "support/azurite.hpp"

namespace tessera {
namespace {

struct Canned {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string failure;
    bool retryable = false;
};

// Answers requests from a queue and records what was asked.
class FakeTransport final : public HttpTransport {
public:
    HttpResponse Send(const HttpRequest& request, const HttpBodySink& sink) override {
        std::lock_guard lock(mu_);
        requests.push_back(request);
        HttpResponse response;
        if (answers.empty()) {
            response.failure = "no canned answer";
            return response;
        }
        Canned canned = answers.front();
        answers.pop_front();
        if (canned.status == 0) {
            response.failure = canned.failure;
            response.retryable = canned.retryable;
            return response;
        }
        response.headers = canned.headers;
        // Hand the body over in small chunks, as a network would.
        for (std::size_t i = 0; i < canned.body.size(); i += 7) {
            if (!sink(canned.status, std::string_view(canned.body).substr(i, 7))) {
                response.aborted = true;
                return response;
            }
        }
        response.status = canned.status;
        return response;
    }

    std::mutex mu_;
    std::deque<Canned> answers;
    std::vector<HttpRequest> requests;
};

struct Fixture {
    std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
    std::vector<std::chrono::milliseconds> sleeps;

    AzureBlobClient Client(AzureBlobConfig config, int max_results = 0) {
        AzureBlobClientOptions options;
        options.sleep = [this](std::chrono::milliseconds ms) { sleeps.push_back(ms); };
        options.now_unix = [] { return std::int64_t{1796558400}; };
        options.max_results = max_results;
        auto client = AzureBlobClient::Create(std::move(config), transport, options);
        EXPECT_TRUE(client.ok()) << client.error().message;
        return std::move(client).value();
    }
};

AzureBlobConfig SasConfig() {
    return {"https://acct1.blob.core.windows.net", "photos", "?sv=2021-08-06&sp=rl&sig=abc%2B", ""};
}

AzureBlobConfig KeyConfig() {
    return {"http://127.0.0.1:10000/devstoreaccount1", "photos", "",
            std::string(testing::kAzuriteKey)};
}

std::string Header(const HttpRequest& request, std::string_view name) {
    for (const auto& [n, v] : request.headers) {
        if (n == name) {
            return v;
        }
    }
    return {};
}

const char* kPage1 = R"(<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://acct1.blob.core.windows.net/" ContainerName="photos">
  <Prefix>cats/</Prefix><MaxResults>2</MaxResults>
  <Blobs>
    <Blob><Name>cats/a b.jpg</Name><Properties><Etag>"0x8D1"</Etag>
      <Content-Length>1234</Content-Length></Properties></Blob>
    <Blob><Name Encoded="true">cats%2F%EF%BF%BE.png</Name><Properties><Etag>0x8D2</Etag>
      <Content-Length>5</Content-Length></Properties></Blob>
  </Blobs>
  <NextMarker>2!72!MDAwMDA2</NextMarker>
</EnumerationResults>)";

TEST(AzureBlobClientTest, ListParsesNamesSizesEtagsAndNextMarker) {
    Fixture f;
    f.transport->answers.push_back({200, kPage1, {}, "", false});
    auto page = f.Client(SasConfig(), 2).ListBlobs("cats/", "m1");
    ASSERT_TRUE(page.ok()) << page.error().message;
    ASSERT_EQ(page->blobs.size(), 2u);
    EXPECT_EQ(page->blobs[0].name, "cats/a b.jpg");
    EXPECT_EQ(page->blobs[0].etag, "0x8D1");
    EXPECT_EQ(page->blobs[0].size_bytes, 1234);
    EXPECT_EQ(page->blobs[1].name, "cats/\xEF\xBF\xBE.png");
    EXPECT_EQ(page->next_marker, "2!72!MDAwMDA2");
    ASSERT_EQ(f.transport->requests.size(), 1u);
    EXPECT_EQ(f.transport->requests[0].url,
              "https://acct1.blob.core.windows.net/photos?restype=container&comp=list"
              "&prefix=cats%2F&marker=m1&maxresults=2&sv=2021-08-06&sp=rl&sig=abc%2B");
    EXPECT_EQ(Header(f.transport->requests[0], "Authorization"), "");  // SAS: no header
    EXPECT_EQ(Header(f.transport->requests[0], "x-ms-version"), "2021-08-06");
}

TEST(AzureBlobClientTest, SharedKeyRequestsAreSignedForThePathStyleAccount) {
    Fixture f;
    f.transport->answers.push_back({206, "abc", {{"etag", "\"0x1\""}}, "", false});
    auto bytes = f.Client(KeyConfig()).GetBlob("a b.jpg", AzureBlobRange{0, 1024}, 4096);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    EXPECT_EQ(*bytes, "abc");
    const HttpRequest& request = f.transport->requests.at(0);
    EXPECT_EQ(request.url, "http://127.0.0.1:10000/devstoreaccount1/photos/a%20b.jpg");
    EXPECT_EQ(Header(request, "x-ms-range"), "bytes=0-1023");
    // Python: hmac-sha256 over "GET\n" + 11 empty lines + "x-ms-date:Sun, 06 Dec 2026 12:00:00
    // GMT\nx-ms-range:bytes=0-1023\nx-ms-version:2021-08-06\n
    // /devstoreaccount1/devstoreaccount1/photos/a%20b.jpg" with the dev key.
    EXPECT_EQ(Header(request, "Authorization"),
              "SharedKey devstoreaccount1:A6jL+DfnOWOVwUp90AQ4Jymg/zwxj2Co786g+LvpeWc=");
}

// A custom domain names no account in its host: with the account given, the request goes to the
// domain and is signed exactly as the same request to ACCOUNT.blob.core.windows.net.
TEST(AzureBlobClientTest, SharedKeySignsForTheGivenAccountOfACustomDomain) {
    Fixture f;
    f.transport->answers.push_back({206, "abc", {}, "", false});
    f.transport->answers.push_back({206, "abc", {}, "", false});
    f.transport->answers.push_back({206, "abc", {}, "", false});
    AzureBlobConfig custom = {"https://images.example.com", "photos", "",
                              std::string(testing::kAzuriteKey)};
    custom.account_name = "acct1";
    AzureBlobConfig standard = {"https://acct1.blob.core.windows.net", "photos", "",
                                std::string(testing::kAzuriteKey)};
    AzureBlobConfig guessed = {"https://images.example.com", "photos", "",
                               std::string(testing::kAzuriteKey)};
    for (const AzureBlobConfig& config : {custom, standard, guessed}) {
        ASSERT_TRUE(f.Client(config).GetBlob("a.jpg", AzureBlobRange{0, 16}, 64).ok());
    }
    const auto& sent = f.transport->requests;
    EXPECT_EQ(sent.at(0).url, "https://images.example.com/photos/a.jpg");
    EXPECT_EQ(Header(sent.at(0), "Authorization").rfind("SharedKey acct1:", 0), 0u);
    EXPECT_EQ(Header(sent.at(0), "Authorization"), Header(sent.at(1), "Authorization"));
    // Without it the host's first label is taken for the account: another signature.
    EXPECT_EQ(Header(sent.at(2), "Authorization").rfind("SharedKey images:", 0), 0u);

    auto bad_name = ParseAzureAccountUrl("https://images.example.com", "Not_An_Account");
    ASSERT_FALSE(bad_name.ok());
    EXPECT_EQ(bad_name.error().field, "account_name");
    auto other = ParseAzureAccountUrl("http://127.0.0.1:10000/devstoreaccount1", "acct1");
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().field, "account_name");
    EXPECT_TRUE(
        ParseAzureAccountUrl("http://127.0.0.1:10000/devstoreaccount1", "devstoreaccount1").ok());
    auto no_label = ParseAzureAccountUrl("https://images-cdn.example.com", "acct1");
    ASSERT_TRUE(no_label.ok()) << no_label.error().message;
    EXPECT_EQ(no_label->account, "acct1");
    EXPECT_EQ(no_label->base, "https://images-cdn.example.com");
}

TEST(AzureBlobClientTest, ServerErrorsAreRetriedWithBackoffThenSucceed) {
    Fixture f;
    f.transport->answers.push_back({503, "<Error><Code>ServerBusy</Code></Error>", {}, "", false});
    f.transport->answers.push_back({0, "", {}, "Operation timed out", true});
    f.transport->answers.push_back({200, "data", {}, "", false});
    auto bytes = f.Client(SasConfig()).GetBlob("x.jpg", std::nullopt, 100);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    EXPECT_EQ(*bytes, "data");
    EXPECT_EQ(f.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(250),
                                                                std::chrono::milliseconds(500)}));
}

TEST(AzureBlobClientTest, PersistentServerErrorsBecomeUnavailableAfterFourAttempts) {
    Fixture f;
    for (int i = 0; i < 4; ++i) {
        f.transport->answers.push_back(
            {500, "", {{"x-ms-error-code", "InternalError"}}, "", false});
    }
    auto page = f.Client(SasConfig()).ListBlobs("", "");
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(page.error().message.find("InternalError"), std::string::npos);
    EXPECT_EQ(f.transport->requests.size(), 4u);
}

TEST(AzureBlobClientTest, ErrorsSayWhatToFixAndNeverHoldTheCredentials) {
    struct Case {
        int status;
        std::string code;
        bool listing;
        ErrorCode want;
        std::string says;
    };
    std::vector<Case> cases = {
        {403, "AuthorizationPermissionMismatch", true, ErrorCode::kPermissionDenied,
         "the SAS token does not allow listing (needs l permission)"},
        {403, "AuthorizationPermissionMismatch", false, ErrorCode::kPermissionDenied,
         "needs r permission"},
        {403, "AuthenticationFailed", true, ErrorCode::kPermissionDenied,
         "the SAS signature is wrong"},
        {403, "AuthorizationFailure", true, ErrorCode::kPermissionDenied, "its expiry"},
        {404, "ContainerNotFound", true, ErrorCode::kNotFound,
         "the container \"photos\" does not exist"},
        {404, "BlobNotFound", false, ErrorCode::kNotFound, "no longer exists"},
        {400, "InvalidQueryParameterValue", true, ErrorCode::kUnavailable, "HTTP 400"},
    };
    for (const Case& c : cases) {
        Fixture f;
        // The code only in the body, as some proxies strip x-ms-* headers.
        f.transport->answers.push_back(
            {c.status,
             "<?xml version=\"1.0\"?><Error><Code>" + c.code + "</Code></Error>",
             {},
             "",
             false});
        AzureBlobClient client = f.Client(SasConfig());
        Error error = c.listing ? client.ListBlobs("", "").error()
                                : client.GetBlob("a.jpg", std::nullopt, 10).error();
        EXPECT_EQ(error.code, c.want) << c.code;
        EXPECT_NE(error.message.find(c.says), std::string::npos) << error.message;
        EXPECT_EQ(error.message.find("sig="), std::string::npos) << error.message;
        EXPECT_EQ(error.message.find("abc"), std::string::npos) << error.message;
    }
    Fixture f;
    f.transport->answers.push_back(
        {403, "", {{"x-ms-error-code", "AuthenticationFailed"}}, "", false});
    Error error = f.Client(KeyConfig()).ListBlobs("", "").error();
    EXPECT_NE(error.message.find("the account key is wrong"), std::string::npos) << error.message;
    EXPECT_EQ(error.message.find(std::string(testing::kAzuriteKey).substr(0, 10)),
              std::string::npos);
}

TEST(AzureBlobClientTest, UnreachableHostIsUnavailableNamingTheAccountUrlOnly) {
    Fixture f;
    f.transport->answers.push_back(
        {0, "", {}, "Could not resolve host: acct1.blob.core.windows.net", false});
    auto page = f.Client(SasConfig()).ListBlobs("", "");
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(page.error().message.find("https://acct1.blob.core.windows.net"), std::string::npos);
    EXPECT_EQ(page.error().message.find("sig="), std::string::npos);
    EXPECT_TRUE(f.sleeps.empty());  // DNS failures are not retried
}

TEST(AzureBlobClientTest, HostileListingsAreRefusedWithoutUnboundedMemory) {
    {
        Fixture f;
        f.transport->answers.push_back({200, std::string(1 << 20, ' '), {}, "", false});
        AzureBlobClientOptions options;
        options.max_list_page_bytes = std::size_t{64} * 1024;
        auto client = AzureBlobClient::Create(SasConfig(), f.transport, options);
        ASSERT_TRUE(client.ok());
        auto page = client->ListBlobs("", "");
        ASSERT_FALSE(page.ok());
        EXPECT_EQ(page.error().code, ErrorCode::kUnavailable);
        EXPECT_NE(page.error().message.find("larger than"), std::string::npos);
    }
    {
        Fixture f;
        f.transport->answers.push_back({200,
                                        "<EnumerationResults><Blobs><Blob><Name>" +
                                            std::string(5000, 'x') +
                                            "</Name></Blob></Blobs></EnumerationResults>",
                                        {},
                                        "",
                                        false});
        EXPECT_FALSE(f.Client(SasConfig()).ListBlobs("", "").ok());
    }
    {
        Fixture f;
        f.transport->answers.push_back(
            {200, "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><EnumerationResults/>", {}, "", false});
        EXPECT_FALSE(f.Client(SasConfig()).ListBlobs("", "").ok());
    }
    {
        Fixture f;
        f.transport->answers.push_back({200, "<html>login page</html>", {}, "", false});
        auto page = f.Client(SasConfig()).ListBlobs("", "");
        ASSERT_FALSE(page.ok());
        EXPECT_NE(page.error().message.find("not a List Blobs answer"), std::string::npos);
    }
}

TEST(AzureBlobClientTest, GetBlobIsBoundedAndRangePastTheEndIsEmpty) {
    Fixture f;
    f.transport->answers.push_back({200, std::string(100, 'x'), {}, "", false});
    f.transport->answers.push_back({416, "", {{"x-ms-error-code", "InvalidRange"}}, "", false});
    AzureBlobClient client = f.Client(SasConfig());
    auto big = client.GetBlob("a.jpg", std::nullopt, 50);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);
    auto empty = client.GetBlob("empty.jpg", AzureBlobRange{0, 64}, 50);
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(*empty, "");
}

TEST(AzureBlobClientTest, DownloadSendsIfNoneMatchAndReportsNotModified) {
    Fixture f;
    f.transport->answers.push_back({304, "", {}, "", false});
    f.transport->answers.push_back({200, "fresh", {{"etag", "\"0x9\""}}, "", false});
    AzureBlobClient client = f.Client(SasConfig());
    std::string got;
    auto sink = [&](std::string_view chunk) {
        got.append(chunk);
        return true;
    };
    auto cached = client.DownloadBlob("a.jpg", "0x8", sink, 1000);
    ASSERT_TRUE(cached.ok());
    EXPECT_TRUE(cached->not_modified);
    EXPECT_EQ(Header(f.transport->requests[0], "If-None-Match"), "\"0x8\"");
    auto fresh = client.DownloadBlob("a.jpg", "0x8", sink, 1000);
    ASSERT_TRUE(fresh.ok());
    EXPECT_FALSE(fresh->not_modified);
    EXPECT_EQ(fresh->etag, "0x9");
    EXPECT_EQ(got, "fresh");
}

TEST(AzureBlobClientTest, AccountUrlsAndConfigsAreValidated) {
    auto real = ParseAzureAccountUrl("https://MyAcct1.blob.core.windows.net/");
    ASSERT_TRUE(real.ok()) << real.error().message;
    EXPECT_EQ(real->account, "myacct1");
    EXPECT_EQ(real->base, "https://myacct1.blob.core.windows.net");
    EXPECT_TRUE(real->https);
    auto azurite = ParseAzureAccountUrl("http://127.0.0.1:10000/devstoreaccount1");
    ASSERT_TRUE(azurite.ok());
    EXPECT_TRUE(azurite->path_style);
    EXPECT_EQ(azurite->account, "devstoreaccount1");
    EXPECT_EQ(azurite->host, "127.0.0.1");
    for (const char* bad :
         {"ftp://a.blob.core.windows.net", "https://", "https://u:p@a.b.c", "https://a.b.c?x=1",
          "http://127.0.0.1:10000", "https://a.b.c:port", "https://A_B.blob.core.windows.net",
          "http://127.0.0.1:1/a/b", "https://acct.blob.core.windows.net/container\n"}) {
        auto parsed = ParseAzureAccountUrl(bad);
        EXPECT_FALSE(parsed.ok()) << bad;
        if (!parsed.ok()) {
            EXPECT_EQ(parsed.error().field, "account_url");
        }
    }
    EXPECT_TRUE(ValidateAzureContainerName("my-photos-1").ok());
    EXPECT_FALSE(ValidateAzureContainerName("My_Photos").ok());
    EXPECT_FALSE(ValidateAzureContainerName("a--b").ok());
    auto transport = std::make_shared<FakeTransport>();
    AzureBlobConfig both = KeyConfig();
    both.sas_token = "sv=1&sig=x";
    EXPECT_FALSE(AzureBlobClient::Create(both, transport).ok());
    AzureBlobConfig none = KeyConfig();
    none.account_key.clear();
    EXPECT_FALSE(AzureBlobClient::Create(none, transport).ok());
    AzureBlobConfig bad_key = KeyConfig();
    bad_key.account_key = "***";
    EXPECT_FALSE(AzureBlobClient::Create(bad_key, transport).ok());
    AzureBlobConfig url_as_sas = SasConfig();
    url_as_sas.sas_token = "https://acct1.blob.core.windows.net/photos?sv=1&sig=x";
    EXPECT_FALSE(AzureBlobClient::Create(url_as_sas, transport).ok());
}

}  // namespace
}  // namespace tessera
