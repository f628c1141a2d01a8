#include "http/metrics.hpp"

#include <charconv>
#include <cmath>

#include "base/log.hpp"

namespace tessera::http {
namespace {

// Shortest round-trip text for a sample value; integers print without a fraction.
std::string FormatValue(double value) {
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    if (std::isnan(value)) {
        return "NaN";
    }
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest round trip
    return std::string(buffer, result.ptr);
}

void Header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

std::string RouteLabels(const std::string& method, const std::string& route) {
    return "method=\"" + EscapeLabelValue(method) + "\",route=\"" + EscapeLabelValue(route) + "\"";
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void Metrics::RecordRequest(std::string_view method, std::string_view route, unsigned status,
                            double seconds) {
    std::size_t bucket = 0;
    while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) {
        ++bucket;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++requests_[{std::string(method), std::string(route), status}];
    Latency& latency = latency_[{std::string(method), std::string(route)}];
    if (bucket < kLatencyBuckets.size()) {
        ++latency.buckets[bucket];
    }
    ++latency.count;
    latency.sum += seconds;
}

void Metrics::RenderRequests(std::string& out) const {
    std::lock_guard<std::mutex> lock(mu_);
    Header(out, "tessera_http_requests_total",
           "HTTP requests answered, by method, route pattern and status.", "counter");
    for (const auto& [key, count] : requests_) {
        const auto& [method, route, status] = key;
        out += "tessera_http_requests_total{" + RouteLabels(method, route) + ",status=\"" +
               std::to_string(status) + "\"} " + std::to_string(count) + "\n";
    }
    Header(out, "tessera_http_request_duration_seconds",
           "Time from routing a request to its handler's response (headers, for streams).",
           "histogram");
    for (const auto& [key, latency] : latency_) {
        const std::string labels = RouteLabels(key.first, key.second);
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
            cumulative += latency.buckets[i];
            out += "tessera_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
                   FormatValue(kLatencyBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
        }
        out += "tessera_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
               std::to_string(latency.count) + "\n";
        out += "tessera_http_request_duration_seconds_sum{" + labels + "} " +
               FormatValue(latency.sum) + "\n";
        out += "tessera_http_request_duration_seconds_count{" + labels + "} " +
               std::to_string(latency.count) + "\n";
    }
}

void Metrics::RenderGauges(std::string& out) const {
    if (!collector_) {
        return;
    }
    Result<std::vector<GaugeFamily>> families = collector_();
    Header(out, "tessera_metrics_collector_up",
           "1 when the gauges below could be read (the database answered), else 0.", "gauge");
    out += std::string("tessera_metrics_collector_up ") + (families.ok() ? "1" : "0") + "\n";
    if (!families.ok()) {
        log::Warn("metrics: gauges unavailable", {{"error", families.error().message}});
        return;
    }
    for (const GaugeFamily& family : *families) {
        Header(out, family.name, family.help, "gauge");
        for (const auto& [label_value, value] : family.samples) {
            out += family.name;
            if (!family.label.empty()) {
                out += "{" + family.label + "=\"" + EscapeLabelValue(label_value) + "\"}";
            }
            out += " " + FormatValue(value) + "\n";
        }
    }
}

std::string Metrics::Render() const {
    std::string out;
    RenderRequests(out);
    RenderGauges(out);
    return out;
}

}  // namespace tessera::http
