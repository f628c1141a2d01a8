#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "http/dispatch.hpp"

namespace tessera::http {
namespace {

// Every line of the exposition is a comment or `name{labels} value`.
void ExpectWellFormed(const std::string& text) {
    const std::regex sample(
        R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?([0-9.e+-]+|\+Inf|NaN)$)re");
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
            continue;
        }
        EXPECT_TRUE(std::regex_match(line, sample)) << "not a sample line: " << line;
    }
}

TEST(MetricsTest, CountsRequestsAndFillsCumulativeBuckets) {
    Metrics metrics;
    metrics.RecordRequest("GET", "/healthz", 200, 0.002);
    metrics.RecordRequest("GET", "/healthz", 200, 0.3);
    metrics.RecordRequest("GET", "/healthz", 503, 20);
    const std::string text = metrics.Render();
    ExpectWellFormed(text);
    EXPECT_NE(
        text.find(R"(tessera_http_requests_total{method="GET",route="/healthz",status="200"} 2)"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(status="503"} 1)"), std::string::npos) << text;
    const std::string bucket =
        R"(tessera_http_request_duration_seconds_bucket{method="GET",route="/healthz",le=)";
    EXPECT_NE(text.find(bucket + R"("0.001"} 0)"), std::string::npos) << text;
    EXPECT_NE(text.find(bucket + R"("0.0025"} 1)"), std::string::npos) << text;
    EXPECT_NE(text.find(bucket + R"("0.5"} 2)"), std::string::npos) << text;
    EXPECT_NE(text.find(bucket + R"("10"} 2)"), std::string::npos) << text;
    EXPECT_NE(text.find(bucket + R"("+Inf"} 3)"), std::string::npos) << text;
    EXPECT_NE(
        text.find(
            R"(tessera_http_request_duration_seconds_count{method="GET",route="/healthz"} 3)"),
        std::string::npos)
        << text;
}

TEST(MetricsTest, GaugesComeFromTheCollectorAndItsFailureIsVisible) {
    Metrics metrics;
    metrics.SetGaugeCollector([]() -> Result<std::vector<GaugeFamily>> {
        return std::vector<GaugeFamily>{
            {"tessera_items", "Items.", "state", {{"labeled", 3}, {"un\"usual", 1.5}}},
            {"tessera_db_pool_size", "Pool.", "", {{"", 8}}}};
    });
    std::string text = metrics.Render();
    ExpectWellFormed(text);
    EXPECT_NE(text.find("tessera_metrics_collector_up 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE tessera_items gauge\n"), std::string::npos) << text;
    EXPECT_NE(text.find("tessera_items{state=\"labeled\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("tessera_items{state=\"un\\\"usual\"} 1.5\n"), std::string::npos) << text;
    EXPECT_NE(text.find("tessera_db_pool_size 8\n"), std::string::npos) << text;

    metrics.SetGaugeCollector(
        []() -> Result<std::vector<GaugeFamily>> { return Error::Unavailable("database down"); });
    text = metrics.Render();
    ExpectWellFormed(text);
    EXPECT_NE(text.find("tessera_metrics_collector_up 0\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("tessera_items"), std::string::npos) << text;
}

TEST(MetricsTest, EscapesLabelValues) {
    EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

class DispatchMetricsTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add("GET", "/api/v1/projects/{id}", Access::kPublic, [](Request&) {
            Response response;
            response.status = 200;
            return response;
        });
        router_.SetFallback([](Request&) { return Response{}; });
        router_.SetMetrics(&metrics_);
    }

    unsigned Get(const std::string& path, const std::string& method = "GET") {
        RawRequest raw;
        raw.method_string(method);
        raw.target(path);
        Request request{raw, path, {}, {}, std::nullopt, "req-1"};
        Authenticator no_auth = [](const RawRequest&) -> Result<Principal> {
            return Error::Unauthenticated("no");
        };
        return Dispatch(router_, no_auth, request).status;
    }

    Metrics metrics_;
    Router router_;
};

TEST_F(DispatchMetricsTest, LabelsRequestsWithThePatternNotThePath) {
    EXPECT_EQ(Get("/api/v1/projects/7"), 200u);
    EXPECT_EQ(Get("/api/v1/projects/8"), 200u);
    EXPECT_EQ(Get("/api/v1/nothing/here"), 404u);
    EXPECT_EQ(Get("/index.html"), 200u);
    EXPECT_EQ(Get("/api/v1/projects/9", "BREW"), 405u);
    const std::string text = metrics_.Render();
    EXPECT_NE(text.find(R"({method="GET",route="/api/v1/projects/{id}",status="200"} 2)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"({method="GET",route="unmatched",status="404"} 1)"), std::string::npos)
        << text;
    EXPECT_NE(text.find(R"({method="GET",route="static",status="200"} 1)"), std::string::npos)
        << text;
    EXPECT_NE(text.find(R"({method="OTHER",route="unmatched",status="405"} 1)"), std::string::npos)
        << text;
    EXPECT_EQ(text.find("/api/v1/projects/7"), std::string::npos) << text;
    EXPECT_EQ(text.find("/api/v1/nothing"), std::string::npos) << text;
}

}  // namespace
}  // namespace tessera::http
