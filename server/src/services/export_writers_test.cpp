#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "services/buffered_sink.hpp"
#include "services/csv_writer.hpp"
#include "services/export_record.hpp"
#include "services/jsonl_writer.hpp"
#include "services/string_sink_test_util.hpp"

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

TEST(FormatIsoUtcTest, MillisecondsAndEpoch) {
    EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(FormatIsoUtc(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
    EXPECT_EQ(FormatIsoUtc(951'782'400'000), "2000-02-29T00:00:00.000Z");
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
