#include "formats/zip_writer.hpp"

#include <gtest/gtest.h>

#include <random>

#include "support/string_sink.hpp"
#include "support/zip_reader.hpp"

namespace tessera {
namespace {

// Half compressible text, half seeded noise, so deflate produces several output chunks.
std::string Payload(std::size_t n) {
    std::mt19937 rng(7);
    std::string s;
    s.reserve(n);
    while (s.size() < n) {
        s += "{\"image_url\":\"/data/x.jpg\",\"label\":\"Cat\"}\n";
        for (int i = 0; i < 40; ++i) {
            s += static_cast<char>('a' + rng() % 26);
        }
    }
    s.resize(n);
    return s;
}

std::string MakeZip(bool zip64) {
    testing::StringSink sink;
    ZipWriter zip(sink, 1'700'000'000'000);
    if (zip64) {
        zip.ForceZip64ForTest();
    }
    EXPECT_TRUE(zip.BeginEntry("MLTable").ok());
    EXPECT_TRUE(zip.entry().Write("paths:\n").ok());
    EXPECT_TRUE(zip.BeginEntry("annotations.jsonl").ok());
    std::string payload = Payload(700'000);
    for (std::size_t at = 0; at < payload.size(); at += 9000) {
        EXPECT_TRUE(zip.entry().Write(std::string_view(payload).substr(at, 9000)).ok());
    }
    EXPECT_TRUE(zip.BeginEntry("empty.txt").ok());
    EXPECT_TRUE(zip.Finish().ok());
    return sink.data;
}

TEST(ZipWriterTest, EntriesReadBackExactly) {
    for (bool zip64 : {false, true}) {
        std::string zip = MakeZip(zip64);
        auto files = testing::ReadZip(zip);
        ASSERT_EQ(files.size(), 3u) << "zip64=" << zip64;
        EXPECT_EQ(files["MLTable"], "paths:\n");
        EXPECT_EQ(files["annotations.jsonl"], Payload(700'000));
        EXPECT_EQ(files["empty.txt"], "");
        EXPECT_LT(zip.size(), 700'000u);  // really deflated
    }
}

TEST(ZipWriterTest, ExternalToolsAcceptIt) {
    for (bool zip64 : {false, true}) {
        if (testing::CheckZipWithExternalTools(MakeZip(zip64)) == 0) {
            GTEST_SKIP() << "neither unzip nor python3 installed";
        }
    }
}

TEST(ZipWriterTest, SinkErrorStopsTheWriter) {
    testing::FailingSink sink(1000);
    ZipWriter zip(sink, 0);
    ASSERT_TRUE(zip.BeginEntry("a").ok());
    Status s = Status::Ok();
    std::string payload = Payload(300'000);
    for (std::size_t at = 0; at < payload.size() && s.ok(); at += 4096) {
        s = zip.entry().Write(std::string_view(payload).substr(at, 4096));
    }
    if (s.ok()) {
        s = zip.Finish();
    }
    EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace tessera
