// The http(s) fetcher's address policy (server-side request forgery guards) with a fake
// resolver and transport: the real fetch over a local server is in the integration tests.
#include "blobs/url_fetch.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>

#include "support/temp_dir.hpp"

namespace tessera {
namespace {

TEST(FetchAllowList, TakesHostsIpsAndWildcardsAndRefusesTheRest) {
    auto list = ParseFetchAllowList(
        {"Images.Example.com", " 10.0.0.7 ", "[FD00::1]", "::1", "*.cdn.example.org", ""}, "f");
    ASSERT_TRUE(list.ok()) << list.error().message;
    EXPECT_EQ(list->exact,
              (std::vector<std::string>{"images.example.com", "10.0.0.7", "fd00::1", "::1"}));
    EXPECT_EQ(list->suffixes, std::vector<std::string>{".cdn.example.org"});
    for (const char* bad : {"https://example.com", "example.com:8080", "example.com/x", "*",
                            "*.com", "exa mple.com", "a..b"}) {
        auto refused = ParseFetchAllowList({bad}, "fetch_allowed_hosts");
        ASSERT_FALSE(refused.ok()) << bad;
        EXPECT_EQ(refused.error().field, "fetch_allowed_hosts");
    }
    EXPECT_TRUE(ParseFetchAllowList({}, "f")->empty());
}

TEST(FetchUrl, OnlyHttpAndHttpsWithoutCredentials) {
    auto url = ParseFetchUrl("HTTPS://Img.Example.com/a/b.jpg?x=1");
    ASSERT_TRUE(url.ok());
    EXPECT_TRUE(url->https);
    EXPECT_EQ(url->host, "img.example.com");
    EXPECT_EQ(url->port, 443);
    EXPECT_EQ(ParseFetchUrl("http://10.0.0.7:8080/x.png")->port, 8080);
    EXPECT_EQ(ParseFetchUrl("http://[::1]:81/x.png")->host, "::1");
    EXPECT_EQ(ParseFetchUrl("http://example.com")->port, 80);
    for (const char* bad :
         {"ftp://example.com/a.jpg", "file:///etc/passwd", "gopher://x/", "//example.com/a",
          "http://user:pw@example.com/a.jpg", "http://user@example.com/a.jpg",
          "http://example.com:0/", "http://example.com:99999/", "http://example.com:8a/",
          "http://[::1/", "http://exa mple.com/", "http:///a.jpg", "http://a\\b/"}) {
        EXPECT_FALSE(ParseFetchUrl(bad).ok()) << bad;
    }
    EXPECT_NE(ParseFetchUrl("http://u:p@example.com/").error().message.find("credentials"),
              std::string::npos);
}

TEST(FetchHost, ExactOrBelowAWildcardDomain) {
    auto list = *ParseFetchAllowList({"img.example.com", "*.cdn.example.org"}, "f");
    EXPECT_EQ(MatchFetchHost(list, "img.example.com"), HostMatch::kExact);
    EXPECT_EQ(MatchFetchHost(list, "a.cdn.example.org"), HostMatch::kWildcard);
    EXPECT_EQ(MatchFetchHost(list, "a.b.cdn.example.org"), HostMatch::kWildcard);
    EXPECT_EQ(MatchFetchHost(list, "cdn.example.org"), HostMatch::kNone);
    EXPECT_EQ(MatchFetchHost(list, "evilcdn.example.org"), HostMatch::kNone);
    EXPECT_EQ(MatchFetchHost(list, "example.com"), HostMatch::kNone);
    EXPECT_EQ(MatchFetchHost(list, "img.example.com.evil.net"), HostMatch::kNone);
}

TEST(FetchAddress, LoopbackPrivateLinkLocalAndMetadataAreSpecial) {
    for (const char* special : {"127.0.0.1",
                                "127.255.0.9",
                                "10.1.2.3",
                                "172.16.0.1",
                                "172.31.255.255",
                                "192.168.1.1",
                                "169.254.169.254",
                                "100.64.0.1",
                                "0.0.0.0",
                                "224.0.0.1",
                                "255.255.255.255",
                                "::1",
                                "::",
                                "fe80::1",
                                "fc00::1",
                                "fd00:ec2::254",
                                "ff02::1",
                                "::ffff:127.0.0.1",
                                "::ffff:169.254.169.254",
                                "64:ff9b::a00:1",
                                "not an address",
                                ""}) {
        EXPECT_TRUE(IsSpecialAddress(special)) << special;
    }
    for (const char* public_address : {"8.8.8.8", "93.184.216.34", "172.32.0.1", "192.169.0.1",
                                       "100.128.0.1", "2606:2800:220:1::1", "::ffff:8.8.8.8"}) {
        EXPECT_FALSE(IsSpecialAddress(public_address)) << public_address;
    }
}

// Answers each request with the status and body set for its URL; records what it was sent.
class FakeTransport final : public HttpTransport {
public:
    HttpResponse Send(const HttpRequest& request, const HttpBodySink& sink) override {
        std::lock_guard lock(mu_);
        sent.push_back(request);
        HttpResponse response;
        auto it = answers.find(request.url);
        response.status = it == answers.end() ? 404 : it->second.first;
        const std::string body = it == answers.end() ? "" : it->second.second;
        if (!sink(response.status, body)) {
            response.aborted = true;
        }
        return response;
    }
    std::map<std::string, std::pair<int, std::string>> answers;
    std::vector<HttpRequest> sent;
    std::mutex mu_;
};

class UrlFetcherTest : public ::testing::Test {
protected:
    UrlFetcher Make(const std::vector<std::string>& hosts, std::uint64_t max_bytes = 1 << 20,
                    std::uint64_t cache_limit = 1 << 20) {
        UrlFetcherOptions options;
        options.cache_dir = dir_.path() / "urls";
        options.max_bytes = max_bytes;
        options.cache_limit_bytes = cache_limit;
        return UrlFetcher(
            *ParseFetchAllowList(hosts, "f"), transport_,
            [this](const std::string& host) -> Result<std::vector<std::string>> {
                auto it = dns_.find(host);
                if (it == dns_.end()) {
                    return Error::Unavailable("no such host");
                }
                return it->second;
            },
            options);
    }

    testing::TempDir dir_;
    std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
    std::map<std::string, std::vector<std::string>> dns_ = {
        {"img.example.com", {"93.184.216.34"}},
        {"a.cdn.example.org", {"93.184.216.35"}},
        {"rebind.cdn.example.org", {"93.184.216.36", "127.0.0.1"}},
        {"meta.cdn.example.org", {"169.254.169.254"}},
        {"internal.corp", {"10.0.0.7"}}};
};

TEST_F(UrlFetcherTest, PinsTheCheckedAddressAndCachesTheFile) {
    UrlFetcher fetcher = Make({"img.example.com"});
    transport_->answers["https://img.example.com/a.jpg?sig=x"] = {200, "JPEGDATA"};
    auto ref = fetcher.Fetch("https://img.example.com/a.jpg?sig=x");
    ASSERT_TRUE(ref.ok()) << ref.error().message;
    std::ifstream in(ref->path);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(body, "JPEGDATA");
    ASSERT_EQ(transport_->sent.size(), 1u);
    EXPECT_EQ(transport_->sent[0].pinned_address, "img.example.com:443:93.184.216.34");
    ASSERT_TRUE(fetcher.Fetch("https://img.example.com/a.jpg?sig=x").ok());
    EXPECT_EQ(transport_->sent.size(), 1u);  // from the cache
}

TEST_F(UrlFetcherTest, RefusesHostsNotListedAndSpecialAddressesBehindWildcards) {
    UrlFetcher fetcher = Make({"img.example.com", "*.cdn.example.org", "internal.corp"});
    EXPECT_EQ(fetcher.Fetch("https://other.example.com/a.jpg").error().code,
              ErrorCode::kInvalidArgument);
    // A wildcard never reaches loopback, private or metadata addresses, even one of several.
    EXPECT_EQ(fetcher.Fetch("http://meta.cdn.example.org/latest/meta-data").error().code,
              ErrorCode::kPermissionDenied);
    auto rebind = fetcher.Fetch("http://rebind.cdn.example.org/a.jpg");
    EXPECT_EQ(rebind.error().code, ErrorCode::kPermissionDenied);
    EXPECT_NE(rebind.error().message.find("127.0.0.1"), std::string::npos);
    EXPECT_TRUE(transport_->sent.empty());
    // A host listed exactly may be private: the admin named it.
    transport_->answers["http://internal.corp:8080/a.png"] = {200, "PNG"};
    ASSERT_TRUE(fetcher.Fetch("http://internal.corp:8080/a.png").ok());
    EXPECT_EQ(transport_->sent.back().pinned_address, "internal.corp:8080:10.0.0.7");
    // So may an IP literal listed exactly; not one that is not listed.
    EXPECT_EQ(fetcher.Fetch("http://127.0.0.1/a.png").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(fetcher.Fetch("http://user:pw@img.example.com/a.png").error().code,
              ErrorCode::kInvalidArgument);
}

TEST_F(UrlFetcherTest, LoopbackIpListedExactlyIsFetched) {
    UrlFetcher fetcher = Make({"127.0.0.1", "::1"});
    transport_->answers["http://127.0.0.1:9000/a.png"] = {200, "PNG"};
    ASSERT_TRUE(fetcher.Fetch("http://127.0.0.1:9000/a.png").ok());
    EXPECT_EQ(transport_->sent.back().pinned_address, "127.0.0.1:9000:127.0.0.1");
    transport_->answers["http://[::1]:9000/a.png"] = {200, "PNG"};
    ASSERT_TRUE(fetcher.Fetch("http://[::1]:9000/a.png").ok());
    EXPECT_EQ(transport_->sent.back().pinned_address, "[::1]:9000:[::1]");
}

TEST_F(UrlFetcherTest, RedirectsMissingFilesAndOversizedFilesAreErrors) {
    UrlFetcher fetcher = Make({"img.example.com"}, 4);
    transport_->answers["https://img.example.com/moved.jpg"] = {302, ""};
    transport_->answers["https://img.example.com/big.jpg"] = {200, "0123456789"};
    auto moved = fetcher.Fetch("https://img.example.com/moved.jpg");
    EXPECT_EQ(moved.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(moved.error().message.find("redirects are not followed"), std::string::npos);
    EXPECT_EQ(fetcher.Fetch("https://img.example.com/gone.jpg").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(fetcher.Fetch("https://img.example.com/big.jpg").error().code,
              ErrorCode::kInvalidArgument);
    // Nothing half-written stays in the cache.
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path() / "urls")) {
        files += entry.is_regular_file() ? 1 : 0;
    }
    EXPECT_EQ(files, 0u);
}

TEST_F(UrlFetcherTest, TheCacheKeepsTheMostRecentlyUsedFilesUnderItsLimit) {
    UrlFetcher fetcher = Make({"img.example.com"}, 1 << 20, 10);
    transport_->answers["https://img.example.com/a.jpg"] = {200, "AAAAAAAA"};
    transport_->answers["https://img.example.com/b.jpg"] = {200, "BBBBBBBB"};
    ASSERT_TRUE(fetcher.Fetch("https://img.example.com/a.jpg").ok());
    ASSERT_TRUE(fetcher.Fetch("https://img.example.com/b.jpg").ok());  // a is evicted
    EXPECT_EQ(transport_->sent.size(), 2u);
    ASSERT_TRUE(fetcher.Fetch("https://img.example.com/b.jpg").ok());  // still cached
    EXPECT_EQ(transport_->sent.size(), 2u);
    ASSERT_TRUE(fetcher.Fetch("https://img.example.com/a.jpg").ok());  // fetched again
    EXPECT_EQ(transport_->sent.size(), 3u);
}

TEST_F(UrlFetcherTest, OffWithoutHosts) {
    UrlFetcher fetcher = Make({});
    EXPECT_FALSE(fetcher.enabled());
    auto refused = fetcher.Check("https://img.example.com/a.jpg");
    EXPECT_NE(refused.error().message.find("fetching http(s) URLs is off"), std::string::npos);
}

}  // namespace
}  // namespace tessera
