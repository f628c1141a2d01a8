// The import limits: hostile files built here (deep nesting, zips that inflate past the total,
// a mask PNG whose header promises a huge canvas) are refused with the limit named, before
// the expensive step.
#include "formats/import_limits.hpp"

#include <gtest/gtest.h>
#include <zip.h>

#include <sstream>
#include <string>

#include "formats/coco_import.hpp"
#include "formats/cvat_import.hpp"
#include "formats/import_test_support.hpp"
#include "formats/import_upload.hpp"
#include "formats/json_stream.hpp"
#include "formats/jsonl_import.hpp"
#include "formats/label_studio_import.hpp"
#include "formats/png_import.hpp"
#include "formats/xml_import.hpp"
#include "formats/xml_stream.hpp"
#include "formats/zip_import.hpp"
#include "support/zip_of.hpp"

namespace tessera {
namespace {

std::string Repeat(std::string_view part, int times) {
    std::string out;
    out.reserve(part.size() * static_cast<std::size_t>(times));
    for (int i = 0; i < times; ++i) {
        out += part;
    }
    return out;
}

void ExpectNestingError(const Status& status, const std::string& context) {
    ASSERT_FALSE(status.ok()) << context;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument) << context;
    EXPECT_NE(status.error().message.find("deeper than 64 levels"), std::string::npos)
        << context << ": " << status.error().message;
}

TEST(ImportLimitsTest, JsonNestingIsCountedOutsideStrings) {
    EXPECT_TRUE(CheckJsonNesting(Repeat("[", 64) + Repeat("]", 64), "a.json").ok());
    ExpectNestingError(CheckJsonNesting(Repeat("[", 65), "a.json"), "65 deep");
    // Brackets inside strings, even after escaped quotes, are text.
    std::string quoted = "[\"" + Repeat("[", 200) + "\\\"" + Repeat("{", 200) + "\"]";
    EXPECT_TRUE(CheckJsonNesting(quoted, "a.json").ok());
    // Closed levels do not add up.
    EXPECT_TRUE(CheckJsonNesting(Repeat("[[]]", 1000), "a.json").ok());
}

TEST(ImportLimitsTest, StreamedCocoOfEndlessBracketsStopsAtTheLimit) {
    // The review's case in small: an array of '[' inside a streamed top-level array.
    std::string doc = "{\"images\": [" + Repeat("[", 200000);
    auto parsed = ParseCocoUpload(ImportUpload::FromBytes(doc, "c.json"), CocoFlavor::kDetect);
    ASSERT_FALSE(parsed.ok());
    ExpectNestingError(parsed.error(), "coco");
    // Outside the streamed arrays too.
    std::string other = "{\"info\": " + Repeat("{\"a\":", 200000);
    auto skipped = ParseCocoUpload(ImportUpload::FromBytes(other, "c.json"), CocoFlavor::kDetect);
    ASSERT_FALSE(skipped.ok());
    ExpectNestingError(skipped.error(), "coco info");
}

void ExpectTooLarge(const Error& error, const std::string& part) {
    EXPECT_EQ(error.code, ErrorCode::kPayloadTooLarge) << error.message;
    EXPECT_NE(error.message.find(part), std::string::npos) << error.message;
}

TEST(ImportLimitsTest, OneStreamedCocoElementIsBoundedInBytes) {
    // One annotation whose compressed RLE is a single 64 MiB string: the reader stops at the
    // limit instead of holding it (the lexer would buffer all of it before the handler sees it).
    std::string doc = R"({"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [{"id": 1,)"
                      R"( "image_id": 1, "segmentation": {"counts": ")" +
                      std::string(kMaxJsonElementBytes, 'A') + R"("}}]})";
    auto parsed =
        ParseCocoUpload(ImportUpload::FromBytes(std::move(doc), "c.json"), CocoFlavor::kDetect);
    ASSERT_FALSE(parsed.ok());
    ExpectTooLarge(parsed.error(), "c.json: annotations[0] is longer than 64 MiB");
    // Outside the streamed arrays, one token is bounded the same way.
    std::string info = R"({"info": {"description": ")" + std::string(kMaxJsonElementBytes, 'A');
    auto skipped =
        ParseCocoUpload(ImportUpload::FromBytes(std::move(info), "i.json"), CocoFlavor::kDetect);
    ASSERT_FALSE(skipped.ok());
    ExpectTooLarge(skipped.error(), "i.json: the value near byte 24 is longer than 64 MiB");
}

TEST(ImportLimitsTest, OneStreamedCocoElementIsBoundedInValues) {
    // A polygon of 2^22 points: 8 MB of text, but 8 million JSON nodes.
    std::string doc = R"({"annotations": [{"id": 1, "segmentation": [[)" +
                      Repeat("0,", static_cast<int>(kMaxJsonElementValues)) + "0]]}]}";
    auto parsed =
        ParseCocoUpload(ImportUpload::FromBytes(std::move(doc), "c.json"), CocoFlavor::kDetect);
    ASSERT_FALSE(parsed.ok());
    ExpectTooLarge(parsed.error(), "c.json: annotations[0] holds more than 4194304 values");
}

TEST(ImportLimitsTest, StreamedElementsAtTheLimitsPass) {
    // The array itself is one value: with kMaxJsonElementValues - 1 numbers it is at the limit.
    const std::string at_limit =
        "[" + Repeat("0,", static_cast<int>(kMaxJsonElementValues) - 2) + "0]";
    JsonArrayStream stream;
    stream.keys = {"annotations"};
    std::size_t delivered = 0;
    stream.element = [&](const std::string&, std::size_t, nlohmann::json&& element) {
        delivered = element.size();
        return Status::Ok();
    };
    auto seen = StreamJsonArrays(R"({"annotations": [)" + at_limit + "]}", stream);
    ASSERT_TRUE(seen.ok()) << seen.error().message;
    EXPECT_EQ(delivered, kMaxJsonElementValues - 1);
    // Many elements add up to far more than one may hold: each is counted on its own.
    const std::string many = R"({"annotations": [)" + Repeat(at_limit + ",", 2) + "[]]}";
    EXPECT_TRUE(StreamJsonArrays(many, stream).ok());
}

TEST(ImportLimitsTest, OneLabelStudioTaskIsBounded) {
    std::string doc = R"([{"id": 1, "data": {"image": "a.jpg"}}, {"id": 2, "data": {"image": ")" +
                      std::string(kMaxJsonElementBytes, 'a') + R"("}}])";
    auto parsed = ParseLabelStudioUpload(ImportUpload::FromBytes(std::move(doc), "ls.json"),
                                         LabelStudioOptions{});
    ASSERT_FALSE(parsed.ok());
    ExpectTooLarge(parsed.error(), "ls.json: element 1 is longer than 64 MiB");
    // Nesting is bounded as in COCO.
    auto deep = ParseLabelStudioUpload(
        ImportUpload::FromBytes("[" + Repeat("[", 200000), "deep.json"), LabelStudioOptions{});
    ASSERT_FALSE(deep.ok());
    ExpectNestingError(deep.error(), "label studio");
    // The list's elements are counted one by one, whatever their number: 65,537 elements of
    // 1 KiB, over the byte limit in all. (Strings, not numbers: the same bytes in millions of
    // small elements took a minute under the sanitizers and prove nothing more.)
    const std::string kib = "\"" + std::string(1022, 'x') + "\",";
    std::size_t count = 0;
    Status many =
        StreamJsonElements("[" + Repeat(kib, 65536) + "[]]", [&](std::size_t, nlohmann::json&&) {
            ++count;
            return Status::Ok();
        });
    ASSERT_TRUE(many.ok()) << many.error().message;
    EXPECT_EQ(count, 65537u);
    EXPECT_GT(65536 * kib.size(), kMaxJsonElementBytes);
}

TEST(ImportLimitsTest, DeepXmlIsRefusedByBothReaders) {
    std::string deep = "<annotations>" + Repeat("<a>", 100000);
    std::istringstream in(deep);
    ExpectNestingError(StreamXml(in, "annotations.xml",
                                 XmlStreamHandler{[](const XmlStartTag&) { return Status::Ok(); }}),
                       "stream");
    // The whole-tree reader recurses per element: this must be an error, not a crash.
    std::string closed = "<?xml version=\"1.0\"?><!-- <<<< --><r>" +
                         Repeat("<a x=\"<>\">", 100000) + Repeat("</a>", 100000) + "</r>";
    auto tree = ParseImportXml(closed, "voc.xml");
    ASSERT_FALSE(tree.ok());
    ExpectNestingError(tree.error(), "tree");
    EXPECT_NE(tree.error().message.find("voc.xml"), std::string::npos);
    // Ordinary files pass: self-closing tags, comments and CDATA are not levels.
    std::string ok = "<r>" + Repeat("<a/><!-- <b> --><![CDATA[<c>]]><?pi <d>?>", 1000) + "</r>";
    EXPECT_TRUE(CheckXmlNesting(ok, "ok.xml").ok());
    EXPECT_TRUE(ParseImportXml(ok, "ok.xml").ok());
}

TEST(ImportLimitsTest, JsonlLinesAreBoundedInDepthAndLength) {
    std::string deep = Repeat("[", 100000) + "\n";
    auto parsed = ParseJsonlUpload(ImportUpload::FromBytes(deep, "a.jsonl"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_NE(parsed->errors[0].message.find("deeper than 64 levels"), std::string::npos)
        << parsed->errors[0].message;

    // Under the byte limit, a line of empty objects is still bounded in values (each a node).
    std::string many = R"({"image_url": "a.jpg", "label": [)" +
                       Repeat("{},", static_cast<int>(kMaxJsonElementValues)) + "{}]}\n";
    auto nodes = ParseJsonlUpload(ImportUpload::FromBytes(std::move(many), "n.jsonl"));
    ASSERT_TRUE(nodes.ok()) << nodes.error().message;
    ASSERT_EQ(nodes->errors.size(), 1u);
    EXPECT_EQ(nodes->errors[0].message,
              "n.jsonl:1: the JSON object holds more than 4194304 values, the limit for one "
              "element of a streamed JSON file");

    std::string endless(kMaxJsonlLineBytes + 10, ' ');
    auto long_line = ParseJsonlUpload(ImportUpload::FromBytes(std::move(endless), "b.jsonl"));
    ASSERT_FALSE(long_line.ok());
    EXPECT_EQ(long_line.error().code, ErrorCode::kPayloadTooLarge);
    EXPECT_NE(long_line.error().message.find("64 MiB"), std::string::npos)
        << long_line.error().message;
}

TEST(ImportLimitsTest, OneStreamedXmlTagIsBounded) {
    // A polygon whose points attribute alone is over the limit: expat would hold all of it.
    std::string doc = R"(<annotations><image id="0" name="a.jpg" width="10" height="10">)"
                      R"(<polygon label="cat" points=")" +
                      Repeat("1,1;", static_cast<int>(kMaxXmlTagBytes / 4) + 100000) +
                      R"("/></image></annotations>)";
    auto parsed = ParseCvatUpload(ImportUpload::FromBytes(std::move(doc), "annotations.xml"));
    ASSERT_FALSE(parsed.ok());
    ExpectTooLarge(parsed.error(),
                   "annotations.xml: the tag at byte 63 is longer than 64 MiB, the limit for one "
                   "XML tag with its attributes");
    // Many small attributes make one tag too; so does a comment.
    auto tags = XmlStreamHandler{[](const XmlStartTag&) { return Status::Ok(); }};
    std::string many = "<annotations><image";
    for (int i = 0; many.size() <= kMaxXmlTagBytes + (std::size_t{1} << 20); ++i) {
        many += " a" + std::to_string(i) + "=\"1\"";
    }
    std::istringstream attributes(many + "/></annotations>");
    ExpectTooLarge(StreamXml(attributes, "a.xml", tags).error(), "a.xml: the tag at byte 13");
    std::istringstream comment("<annotations><!-- " +
                               std::string(kMaxXmlTagBytes + (std::size_t{1} << 20), 'c'));
    ExpectTooLarge(StreamXml(comment, "c.xml", tags).error(), "c.xml: the tag at byte 13");
}

TEST(ImportLimitsTest, TextBetweenXmlTagsIsNotHeldSoNotLimited) {
    std::istringstream text("<annotations><tag label=\"x\"><attribute name=\"note\">" +
                            std::string(kMaxXmlTagBytes + 1000, 't') + "</attribute></tag>" +
                            Repeat("<a b=\"c\">d</a>", 10) + "</annotations>");
    int tags = 0;
    Status read = StreamXml(text, "t.xml", XmlStreamHandler{[&](const XmlStartTag&) {
                                ++tags;
                                return Status::Ok();
                            }});
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(tags, 13);
}

// A zip of `count` entries of `each` zero bytes, deflated fast (one shared buffer).
TEST(ImportLimitsTest, ZipEntriesAreCappedInTotalBeforeInflating) {
    // Each entry is under the per-file limit; together they are over the total.
    const std::size_t each = (kMaxImportTotalBytes / 3) + 1;
    ASSERT_LT(each, kMaxImportEntryBytes);
    std::string zip = testing::ZeroZip(3, each, "labels/f");
    EXPECT_LT(zip.size(), std::size_t{4} << 20);  // a small upload...
    auto files = ReadImportZip(zip);              // ...that would inflate to 512 MiB
    ASSERT_FALSE(files.ok());
    EXPECT_EQ(files.error().code, ErrorCode::kPayloadTooLarge);
    EXPECT_NE(files.error().message.find("512 MiB"), std::string::npos) << files.error().message;
    // Small entries pass.
    auto small = ReadImportZip(testing::ZeroZip(3, std::size_t{1} << 20, "labels/f"));
    ASSERT_TRUE(small.ok()) << small.error().message;
    EXPECT_EQ(small->size(), 3u);
}

// `bytes` little-endian bytes of `value`.
std::string Le(std::uint64_t value, int bytes) {
    std::string out;
    for (int i = 0; i < bytes; ++i) {
        out += static_cast<char>((value >> (8 * i)) & 0xFF);
    }
    return out;
}

// A stored (uncompressed) zip of `count` empty files, written byte by byte (libzip takes
// minutes for a million entries), with ZIP64 end records as a zip of over 65,535 entries needs.
// `claimed`, when set, is the entry count the end records state instead.
std::string EmptyFilesZip(std::uint64_t count, std::uint64_t claimed = 0) {
    std::string local;
    std::string central;
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::string name = std::to_string(i);
        const std::string common = Le(20, 2) + Le(0, 2) + Le(0, 2) + Le(0, 2) + Le(0x21, 2) +
                                   Le(0, 4) + Le(0, 4) + Le(0, 4) + Le(name.size(), 2) + Le(0, 2);
        central += "PK\x01\x02" + Le(20, 2) + common + Le(0, 2) + Le(0, 2) + Le(0, 2) + Le(0, 4) +
                   Le(local.size(), 4) + name;
        local += "PK\x03\x04" + common + name;
    }
    const std::uint64_t entries = claimed != 0 ? claimed : count;
    const std::uint64_t end64 = local.size() + central.size();
    std::string zip = local + central;
    zip += "PK\x06\x06" + Le(44, 8) + Le(45, 2) + Le(45, 2) + Le(0, 4) + Le(0, 4) + Le(entries, 8) +
           Le(entries, 8) + Le(central.size(), 8) + Le(local.size(), 8);
    zip += "PK\x06\x07" + Le(0, 4) + Le(end64, 8) + Le(1, 4);
    zip += "PK\x05\x06" + Le(0, 2) + Le(0, 2) + Le(0xFFFF, 2) + Le(0xFFFF, 2) + Le(0xFFFFFFFF, 4) +
           Le(0xFFFFFFFF, 4) + Le(0, 2);
    return zip;
}

TEST(ImportLimitsTest, ZipEntriesAreCountedBeforeTheArchiveIsOpened) {
    // libzip would read all of this directory (~300 MB) before the first entry is looked at.
    std::string many = EmptyFilesZip(kMaxZipEntries + 1);
    auto files = ReadImportZip(many);
    ASSERT_FALSE(files.ok());
    ExpectTooLarge(files.error(),
                   "the zip lists 1000001 files and folders, over the limit of 1000000 a zip");
    // The streamed readers open the zip the same way, from memory or from disk.
    testing::TempDir dir;
    const std::filesystem::path path = dir.path() / "many.zip";
    testing::WriteFile(path, many);
    Status streamed =
        ForEachZipEntryInFile(path, [](const std::string&, std::istream&) { return Status::Ok(); });
    ASSERT_FALSE(streamed.ok());
    ExpectTooLarge(streamed.error(), "1000001 files and folders");
    // A directory that claims more than it holds is refused on the claim, not allocated.
    auto claimed = ReadImportZip(EmptyFilesZip(3, std::uint64_t{1} << 40));
    ASSERT_FALSE(claimed.ok());
    ExpectTooLarge(claimed.error(), "the zip lists 1099511627776 files");
    // Under the limit, the ZIP64 records are read as libzip reads them.
    auto fine = ReadImportZip(EmptyFilesZip(70000));
    ASSERT_TRUE(fine.ok()) << fine.error().message;
    EXPECT_EQ(fine->size(), 70000u);
}

// A PNG whose header claims width x height RGBA, with a token of data: the limit must be
// checked on the header, before inflating.
std::string PngHeaderOnly(std::uint32_t width, std::uint32_t height) {
    auto be32 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                           static_cast<char>(v >> 8), static_cast<char>(v)};
    };
    std::string png = "\x89PNG\r\n\x1a\n";
    png += be32(13) + "IHDR" + be32(width) + be32(height) + std::string("\x08\x06\x00\x00\x00", 5) +
           be32(0);
    png += be32(4) + "IDAT" + "abcd" + be32(0);
    png += be32(0) + "IEND" + be32(0);
    return png;
}

TEST(ImportLimitsTest, MaskPixelsAreCheckedOnTheHeader) {
    auto huge = DecodeMaskPng(PngHeaderOnly(8192, 8192));
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error().code, ErrorCode::kPayloadTooLarge);
    EXPECT_NE(huge.error().message.find(std::to_string(kMaxMaskPixels)), std::string::npos)
        << huge.error().message;
    // At the limit the header passes and the (bogus) data is what fails.
    auto at_limit = DecodeMaskPng(PngHeaderOnly(8192, 4096));
    ASSERT_FALSE(at_limit.ok());
    EXPECT_EQ(at_limit.error().code, ErrorCode::kInvalidArgument) << at_limit.error().message;
}

}  // namespace
}  // namespace tessera
