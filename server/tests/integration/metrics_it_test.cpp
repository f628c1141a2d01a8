// GET /metrics over the real binary: the token, the separate listener, the text format, and
// that requests show up under their route pattern.
#include <regex>
#include <sstream>
#include <thread>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

constexpr const char* kToken = "metrics-token-0123456789";

class MetricsIt : public IntegrationTest {
protected:
    HttpResponse Scrape(HttpClient& client, const std::string& token = kToken) {
        return client.Get("/metrics", {{"Authorization", "Bearer " + token}});
    }

    // Every line is a `# HELP`/`# TYPE` comment or `name{labels} value`.
    static void ExpectExposition(const std::string& text) {
        const std::regex sample(
            R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?([0-9.e+-]+|\+Inf|NaN)$)re");
        std::istringstream lines(text);
        std::string line;
        int samples = 0;
        while (std::getline(lines, line)) {
            if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
                continue;
            }
            EXPECT_TRUE(std::regex_match(line, sample)) << "not a sample line: " << line;
            ++samples;
        }
        EXPECT_GT(samples, 0);
    }
};

TEST_P(MetricsIt, TokenProtectedScrapeCountsRequestsByRoutePattern) {
    WriteImages(3);
    ASSERT_NO_FATAL_FAILURE(StartServer({{"TESSERA_METRICS_TOKEN", kToken}}));
    HttpClient admin = Admin();
    std::int64_t id = CreateIngestedProject(admin, "Metered")["id"];
    ASSERT_EQ(admin.Get(ProjectPath(id)).status, 200u);
    ASSERT_EQ(admin.Get("/api/v1/projects/987654").status, 404u);

    HttpClient scraper = NewClient();
    EXPECT_EQ(scraper.Get("/metrics").status, 401u);
    EXPECT_EQ(Scrape(scraper, "metrics-token-wrong-guess").status, 401u);
    // A session does not open /metrics: only the token does.
    EXPECT_EQ(admin.Get("/metrics").status, 401u);

    auto scrape = Scrape(scraper);
    ASSERT_EQ(scrape.status, 200u) << scrape.body;
    EXPECT_EQ(scrape.Header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
    ExpectExposition(scrape.body);
    const std::string& text = scrape.body;
    EXPECT_NE(
        text.find(
            R"(tessera_http_requests_total{method="POST",route="/api/v1/session",status="200"} 1)"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find(R"({method="GET",route="/api/v1/projects/{id}",status="200"})"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"({method="GET",route="/api/v1/projects/{id}",status="404"} 1)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(route="/metrics",status="401"} 3)"), std::string::npos) << text;
    EXPECT_EQ(text.find("987654"), std::string::npos) << "raw paths must not become labels";
    EXPECT_NE(text.find("tessera_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/"
                        "v1/projects/{id}\",le=\"+Inf\"}"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("tessera_metrics_collector_up 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("tessera_items{state=\"unlabeled\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("tessera_jobs{state=\"done\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("tessera_db_connections{state=\"idle\"}"), std::string::npos) << text;
    EXPECT_NE(text.find("tessera_db_waiting "), std::string::npos) << text;
}

TEST_P(MetricsIt, OffWithoutTokenOrListener) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient client = NewClient();
    auto response = client.Get("/metrics");
    EXPECT_EQ(response.status, 404u) << response.body;
    EXPECT_EQ(response.Json()["error"]["code"], "not_found") << response.body;
    EXPECT_EQ(Scrape(client).status, 404u);
}

TEST_P(MetricsIt, SeparateListenerServesMetricsWithoutToken) {
    ASSERT_NO_FATAL_FAILURE(StartServer({{"TESSERA_METRICS_LISTEN", "127.0.0.1:0"}}));
    HttpClient client = NewClient();
    ASSERT_EQ(client.Get("/healthz").status, 200u);
    EXPECT_EQ(client.Get("/metrics").status, 404u);  // not on the public listener

    // The metrics listener starts after the main one: wait for its line.
    const std::regex listening(R"(msg="metrics listening" address=\S*:(\d+))");
    std::smatch match;
    std::string log;
    for (int i = 0; i < 200 && !std::regex_search(log, match, listening); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        log = server_.Stderr();
    }
    ASSERT_FALSE(match.empty()) << log;
    HttpClient scraper("127.0.0.1", static_cast<std::uint16_t>(std::stoi(match[1].str())));
    auto scrape = scraper.Get("/metrics");
    ASSERT_EQ(scrape.status, 200u) << scrape.body;
    ExpectExposition(scrape.body);
    EXPECT_NE(scrape.body.find(R"({method="GET",route="/healthz",status="200"} 1)"),
              std::string::npos)
        << scrape.body;
    EXPECT_EQ(scraper.Get("/healthz").status, 404u);  // only /metrics there
}

TESSERA_INSTANTIATE_BACKENDS(MetricsIt);

}  // namespace
}  // namespace tessera::testing
