#pragma once
// A small Prometheus registry for GET /metrics: request counters and latency histograms recorded
// by Dispatch (labelled with the route *pattern*, never the raw path, so the number of series
// stays bounded), plus gauges read from a collector at scrape time (queue sizes, jobs, the
// database pool). Output is the Prometheus text exposition format 0.0.4.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace tessera::http {

// Route labels for requests no route pattern matched.
inline constexpr std::string_view kRouteStatic = "static";        // the UI's files
inline constexpr std::string_view kRouteUnmatched = "unmatched";  // 404 and 405

// One gauge metric with at most one label, e.g. tessera_items{state="labeled"}.
struct GaugeFamily {
    std::string name;
    std::string help;
    std::string label;                                    // empty: one sample without labels
    std::vector<std::pair<std::string, double>> samples;  // label value, value
};

// Called on each scrape, from the scraping request's thread.
using GaugeCollector = std::function<Result<std::vector<GaugeFamily>>()>;

class Metrics {
public:
    // Upper bounds in seconds of the latency histogram buckets (+Inf is implied).
    static constexpr std::array<double, 12> kLatencyBuckets = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

    // Thread-safe; called once per request.
    void RecordRequest(std::string_view method, std::string_view route, unsigned status,
                       double seconds);
    // Set before the server starts.
    void SetGaugeCollector(GaugeCollector collector) { collector_ = std::move(collector); }
    // The whole exposition. A failing collector leaves its gauges out and sets
    // tessera_metrics_collector_up to 0.
    std::string Render() const;

private:
    struct Latency {
        std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};  // not cumulative
        std::uint64_t count = 0;
        double sum = 0;
    };

    void RenderRequests(std::string& out) const;
    void RenderGauges(std::string& out) const;

    mutable std::mutex mu_;
    // (method, route, status) -> count; (method, route) -> latency. GUARDED_BY(mu_).
    std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
    std::map<std::pair<std::string, std::string>, Latency> latency_;
    GaugeCollector collector_;
};

// Escapes a label value for the text format: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace tessera::http
