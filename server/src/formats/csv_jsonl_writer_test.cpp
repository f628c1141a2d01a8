#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "formats/buffered_sink.hpp"
#include "formats/csv_writer.hpp"
#include "formats/jsonl_writer.hpp"
#include "support/string_sink.hpp"

namespace tessera {
namespace {

TEST(CsvFieldTest, QuotesOnlyWhenNeeded) {
    EXPECT_EQ(CsvField("plain/path.jpg"), "plain/path.jpg");
    EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
    EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
    EXPECT_EQ(CsvField(""), "");
}

ExportRecord Record(bool multi) {
    ExportRecord r;
    r.image_url = "/data/pets/a b/1.jpg";
    r.labels = multi ? std::vector<std::string>{"Animal/Cat", "Car"}
                     : std::vector<std::string>{"Animal/Cat"};
    r.multi_label = multi;
    r.image_format = "jpg";
    r.width = 640;
    r.height = 480;
    r.labeler = "ann";
    r.labeled_at = "2023-11-14T22:13:20.000Z";
    return r;
}

TEST(CsvWriterTest, MultiLabelJoinsInsideOneQuotedField) {
    testing::StringSink sink;
    CsvWriter csv(sink);
    ASSERT_TRUE(csv.WriteHeader().ok());
    ASSERT_TRUE(csv.WriteRecord(Record(true)).ok());
    ASSERT_TRUE(csv.WriteRecord(Record(false)).ok());
    EXPECT_EQ(sink.data,
              "image_url,label,labeler,labeled_at\r\n"
              "/data/pets/a b/1.jpg,\"Animal/Cat,Car\",ann,2023-11-14T22:13:20.000Z\r\n"
              "/data/pets/a b/1.jpg,Animal/Cat,ann,2023-11-14T22:13:20.000Z\r\n");
}

TEST(JsonlLineTest, AutoMlShapeWithKeysInDocumentedOrder) {
    EXPECT_EQ(JsonlLine(Record(false)),
              R"({"image_url":"/data/pets/a b/1.jpg","label":"Animal/Cat",)"
              R"("image_details":{"format":"jpg","width":640,"height":480},)"
              R"("labeler":"ann","labeled_at":"2023-11-14T22:13:20.000Z"})");
    auto multi = nlohmann::json::parse(JsonlLine(Record(true)));
    EXPECT_EQ(multi["label"], nlohmann::json::array({"Animal/Cat", "Car"}));
}

TEST(JsonlLineTest, InvalidUtf8DoesNotThrow) {
    ExportRecord r = Record(false);
    r.image_url = "/data/\xff\xfe.jpg";
    std::string line;
    EXPECT_NO_THROW(line = JsonlLine(r));
    EXPECT_TRUE(nlohmann::json::accept(line));
}

// The hand-written escaper must match nlohmann's dump with error_handler_t::replace byte for
// byte (the golden files were written by it): random strings rich in quotes, controls and
// broken or valid UTF-8.
TEST(AppendJsonStringTest, MatchesNlohmannDumpOnRandomBytes) {
    using namespace std::string_literals;  // "\0"s: a plain "\x00" would convert to ""
    std::mt19937 rng(42);
    const std::vector<std::string> pieces = {
        "a",    "Z",    "/",    " ",    "\"",   "\\",   "\x01", "\x1f",   "\x7f",   "\n",
        "\t",   "\b",   "\f",   "\r",   "\xc3", "\xa9", "\xe2", "\x82",   "\xac",   "\xf0",
        "\x9f", "\x98", "\x80", "\xed", "\xa0", "\xc0", "\xc1", "\xf4",   "\x90",   "\xf5",
        "\xff", "\xfe", "\xe0", "\xbf", "\xef", "\xbd", "\0"s,  "\u00e9", "\u20ac", "\U0001F600"};
    for (int round = 0; round < 20000; ++round) {
        std::string value;
        int n = static_cast<int>(rng() % 12);
        for (int k = 0; k < n; ++k) {
            if (rng() % 4 == 0) {
                value += static_cast<char>(rng() % 256);
            } else {
                value += pieces[rng() % pieces.size()];
            }
        }
        std::string ours;
        AppendJsonString(ours, value);
        std::string theirs =
            nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        std::string hex;
        for (unsigned char c : value) {
            hex += "0123456789abcdef"[c >> 4];
            hex += "0123456789abcdef"[c & 0xF];
            hex += ' ';
        }
        ASSERT_EQ(ours, theirs) << "input bytes: " << hex;
    }
}

TEST(JsonlLineTest, MatchesTheNlohmannLayoutWithOddValues) {
    ExportRecord r = Record(true);
    r.image_url = "/d/\"q\"\\\x01\xc3\xa9\xff.jpg";
    r.labels = {"a\"b", "\xe2\x82"};
    r.labeler = "";
    r.width = -1;
    r.height = 2147483647;
    nlohmann::ordered_json line;
    line["image_url"] = r.image_url;
    line["label"] = r.labels;
    line["image_details"] = {{"format", r.image_format}, {"width", r.width}, {"height", r.height}};
    line["labeler"] = r.labeler;
    line["labeled_at"] = r.labeled_at;
    EXPECT_EQ(JsonlLine(r),
              line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

TEST(BufferedSinkTest, GroupsSmallWritesAndPassesLargeOnes) {
    testing::StringSink inner;
    BufferedSink sink(inner, 10);
    ASSERT_TRUE(sink.Write("abc").ok());
    ASSERT_TRUE(sink.Write("defg").ok());
    EXPECT_EQ(inner.writes, 0);
    ASSERT_TRUE(sink.Write("hijk").ok());  // would overflow: the first 7 go out
    EXPECT_EQ(inner.data, "abcdefg");
    ASSERT_TRUE(sink.Write(std::string(25, 'z')).ok());
    ASSERT_TRUE(sink.Flush().ok());
    EXPECT_EQ(inner.data, "abcdefghijk" + std::string(25, 'z'));
}

TEST(BufferedSinkTest, ErrorsComeBack) {
    testing::FailingSink inner(5);
    BufferedSink sink(inner, 4);
    ASSERT_TRUE(sink.Write("abc").ok());
    EXPECT_TRUE(sink.Write("de").ok());      // flushes "abc"
    EXPECT_FALSE(sink.Write("fghij").ok());  // the client takes only 5 bytes
}

}  // namespace
}  // namespace tessera
