#include "services/export_record.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

#include "domain/classification.hpp"

namespace tessera {
namespace {

TEST(FormatIsoUtcTest, MillisecondsAndEpoch) {
    EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(FormatIsoUtc(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
    EXPECT_EQ(FormatIsoUtc(951'782'400'000), "2000-02-29T00:00:00.000Z");
}

TEST(FormatIsoUtcTest, MatchesGmtimeOverTheYears) {
    std::mt19937_64 rng(7);
    auto reference = [](TimeMs ms) {
        TimeMs secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
        int millis = static_cast<int>(ms - secs * 1000);
        std::time_t t = static_cast<std::time_t>(secs);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
        return std::string(buf);
    };
    const TimeMs lo = -62'167'219'200'000 - 5'000'000'000;  // a little before year 0
    const TimeMs hi = 253'402'300'799'999 + 5'000'000'000;  // a little after 9999
    std::vector<TimeMs> samples = {
        0, -1, 1, 999, -999, -1000, 951'782'400'000, -62'167'219'200'000, 253'402'300'799'999};
    for (int k = 0; k < 200000; ++k) {
        samples.push_back(lo + static_cast<TimeMs>(rng() % static_cast<std::uint64_t>(hi - lo)));
    }
    for (TimeMs ms : samples) {
        ASSERT_EQ(FormatIsoUtc(ms), reference(ms)) << ms;
    }
}

// The plain-payload fast path and the nlohmann fallback agree on what each payload means.
TEST(MakeExportRecordTest, PayloadFastPathAgreesWithTheFullParser) {
    Project project;
    project.task_type = TaskType::kMultilabel;
    project.datasource.path = "/data";
    ExportRow row;
    row.item.path = "x.jpg";
    row.item.format = "jpeg";
    const std::vector<std::string> payloads = {
        R"({"labels":["Cat"]})",
        R"({"labels":["Cat","Animal/Dog"]})",
        R"( { "labels" : [ "Cat" , "Dog" ] } )",
        R"({"labels":[]})",
        R"({"labels":["a\"b"]})",
        R"({"labels":["\u00e9"]})",
        "{\"labels\":[\"caf\xc3\xa9\"]}",
        "{\"labels\":[\"bad\xff\"]}",
        R"({"labels":["Cat"],"extra":1})",
        R"({"extra":1,"labels":["Cat"]})",
        R"({"labels":["Cat",]})",
        R"({"labels":["Cat"]} x)",
        R"({"labels":[1]})",
        R"({"labels":"Cat"})",
        R"({"labels":["Cat")",
        R"([])",
        "",
        "{\"labels\":[\"tab\there\"]}",
    };
    for (const auto& payload : payloads) {
        row.annotation.payload_json = payload;
        auto record = MakeExportRecord(project, row);
        auto expected = ParseClassificationPayload(payload);
        bool expected_ok = expected.ok() && !expected->empty();
        ASSERT_EQ(record.ok(), expected_ok) << payload;
        if (expected_ok) {
            EXPECT_EQ(record->labels, *expected) << payload;
        }
    }
}

}  // namespace
}  // namespace tessera
