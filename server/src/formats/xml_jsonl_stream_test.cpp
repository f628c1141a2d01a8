// The streamed XML reader (libexpat) and the CVAT and JSONL readers that read uploads as
// streams: tags arrive with their depth and decoded attributes, a broken file is one error
// naming file and line, uploads on disk, zipped or not, give the records that the same bytes in
// memory give, and a reader that still needs whole files refuses one over the limit by name.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "formats/cvat_import.hpp"
#include "formats/import_test_support.hpp"
#include "formats/import_upload.hpp"
#include "formats/jsonl_import.hpp"
#include "formats/xml_stream.hpp"
#include "formats/zip_import.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::ExpectSameImport;
using testing::TempDir;
using testing::WriteFile;
using testing::WriteZip;

// Every start and end tag as "<name@depth" / ">name@depth".
Result<std::vector<std::string>> TagsOf(const std::string& xml,
                                        std::vector<std::string>* values = nullptr) {
    std::vector<std::string> tags;
    std::istringstream in(xml);
    XmlStreamHandler handler;
    handler.start = [&](const XmlStartTag& tag) {
        tags.push_back("<" + std::string(tag.name()) + "@" + std::to_string(tag.depth()));
        if (values != nullptr) {
            values->emplace_back(tag.Attribute("v"));
        }
        return Status::Ok();
    };
    handler.end = [&](std::string_view name, int depth) {
        tags.push_back(">" + std::string(name) + "@" + std::to_string(depth));
        return Status::Ok();
    };
    TESSERA_TRY(StreamXml(in, "f.xml", handler));
    return tags;
}

Error XmlErrorOf(const std::string& xml) {
    auto tags = TagsOf(xml);
    EXPECT_FALSE(tags.ok()) << xml;
    return tags.ok() ? Error::Internal("parsed") : tags.error();
}

TEST(XmlStream, DeliversTagsWithDepthAndDecodedAttributes) {
    std::vector<std::string> values;
    auto tags = TagsOf(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- a comment -->\n"
        "<a v=\"1\">text<b w='x' v=\"&amp;&lt;&gt;&quot;&apos;&#65;&#x42;\"/>\r\n"
        "  <c><d/></c></a>\n",
        &values);
    ASSERT_TRUE(tags.ok()) << tags.error().message;
    EXPECT_EQ(*tags, (std::vector<std::string>{"<a@1", "<b@2", ">b@2", "<c@2", "<d@3", ">d@3",
                                               ">c@2", ">a@1"}));
    EXPECT_EQ(values, (std::vector<std::string>{"1", "&<>\"'AB", "", ""}));  // absent: empty
}

TEST(XmlStream, ABrokenOrTruncatedDocumentIsOneErrorNamingFileAndLine) {
    const Error mismatched = XmlErrorOf("<a>\n<b>\n</a>");
    EXPECT_EQ(mismatched.code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(mismatched.message,
              "f.xml: not valid XML at line 3, column 3 (byte 10): mismatched tag");
    const Error truncated = XmlErrorOf("<a>\n  <b x=\"1\"/>\n  <b x=");
    EXPECT_TRUE(truncated.message.starts_with("f.xml: not valid XML at line 3, column "))
        << truncated.message;
    EXPECT_TRUE(XmlErrorOf("").message.ends_with("no element found"));
    EXPECT_TRUE(XmlErrorOf("<a>&nbsp;</a>").message.ends_with("undefined entity"));
    EXPECT_TRUE(XmlErrorOf("<a x=\"1\" x=\"2\"/>").message.ends_with("duplicate attribute"));
    EXPECT_TRUE(XmlErrorOf("<a/><b/>").message.ends_with("junk after document element"));
}

TEST(XmlStream, ACallbackErrorStopsTheParseAndIsReturned) {
    std::istringstream in("<a><b/><c/><d/></a>");
    std::vector<std::string> seen;
    XmlStreamHandler handler;
    handler.start = [&](const XmlStartTag& tag) -> Status {
        seen.emplace_back(tag.name());
        if (tag.name() == "c") {
            return Error::NotFound("stop at c");
        }
        return Status::Ok();
    };
    Status status = StreamXml(in, "f.xml", handler);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(status.error().message, "stop at c");
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(XmlStream, ElementsAndValuesSpanningReadChunksArriveWhole) {
    // Reads are 64 KiB: 20,000 elements and a 200 KiB attribute cross many chunk boundaries.
    const std::string long_value(std::size_t{200} * 1024, 'v');
    std::string xml = "<root>";
    for (int i = 0; i < 20000; ++i) {
        xml += "<e v=\"" + std::to_string(i) + "\"/>";
    }
    xml += "<long v=\"" + long_value + "\"/></root>";
    std::vector<std::string> values;
    auto tags = TagsOf(xml, &values);
    ASSERT_TRUE(tags.ok()) << tags.error().message;
    ASSERT_EQ(values.size(), 20002u);
    EXPECT_EQ(values[1], "0");
    EXPECT_EQ(values[20000], "19999");
    EXPECT_TRUE(values[20001] == long_value);
}

// --- CVAT

// Attributes in another order than CVAT writes them, entities in names and labels, children of
// shapes (<attribute>) and tags at other depths that are not images or shapes.
const char* const kCvat = R"(<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta><task><labels><label><name>cat &amp; dog</name></label></labels></task>
    <image name="meta.jpg" width="1" height="1"><box label="x" xtl="0" ytl="0" xbr="1" ybr="1"/></image>
  </meta>
  <image width="20" name="a&amp;b.jpg" id="0" height="10">
    <box ybr="4" xbr="5" label="cat &amp; dog" ytl="2" xtl="1" occluded="0">
      <attribute name="a1">true</attribute>
    </box>
    <polygon points="1,1;4,1;4,4" label="&#x63;at"/>
    <polyline label="cat" points="1,1;2,2"/>
    <tag label="cat"/>
  </image>
  <track id="0" label="cat"><box frame="0" xtl="0" ytl="0" xbr="1" ybr="1"/></track>
  <image id="1" name="b.jpg">
    <box label="cat" xtl="1" ytl="x" xbr="2" ybr="2"/>
    <polygon label="dog" points="1,2;3"/>
  </image>
  <image id="2" name="" width="5" height="5"><box label="cat" xtl="z"/></image>
  <image id="3" name="c.jpg" subset="Train"/>
</annotations>
)";

TEST(CvatStream, ReadsShapesWhateverTheAttributeOrderAndDecodesEntities) {
    auto parsed = ParseCvat({{"annotations.xml", kCvat}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 2u);
    const ImportRecord& a = parsed->records[0];
    EXPECT_EQ(a.row, 1);
    EXPECT_EQ(a.name, "a&b.jpg");
    ASSERT_TRUE(a.size.has_value());
    EXPECT_EQ(a.size->width, 20);
    EXPECT_EQ(a.size->height, 10);
    ASSERT_EQ(a.shapes.size(), 2u);  // the polyline and the tag are not shapes we draw
    EXPECT_EQ(a.shapes[0].label, "cat & dog");
    EXPECT_EQ(std::get<Box>(a.shapes[0].geometry), (Box{1, 2, 4, 2}));
    EXPECT_EQ(a.shapes[1].label, "cat");
    EXPECT_EQ(std::get<Polygon>(a.shapes[1].geometry).rings[0], (Ring{{1, 1}, {4, 1}, {4, 4}}));
    EXPECT_EQ(parsed->records[1].row, 4);
    EXPECT_EQ(parsed->records[1].name, "Train/c.jpg");
    EXPECT_TRUE(parsed->records[1].shapes.empty());
    EXPECT_TRUE(parsed->records[1].path_only_reason.empty());  // one subset only

    // b.jpg: every bad shape is reported and the record left out; the nameless image is one
    // error and its shapes are not read.
    ASSERT_EQ(parsed->errors.size(), 3u);
    EXPECT_EQ(parsed->errors[0].row, 2);
    EXPECT_EQ(parsed->errors[0].message, "b.jpg: box \"cat\": needs numeric xtl, ytl, xbr, ybr");
    EXPECT_EQ(parsed->errors[1].row, 2);
    EXPECT_EQ(parsed->errors[1].message, "b.jpg: polygon \"dog\": points must be \"x,y;x,y;...\"");
    EXPECT_EQ(parsed->errors[2].row, 3);
    EXPECT_EQ(parsed->errors[2].message, "annotations.xml: <image> without a name");
}

TEST(CvatStream, UploadsOnDiskZippedOrInMemoryGiveTheSameRecords) {
    TempDir dir;
    auto expected = ParseCvat({{"annotations.xml", kCvat}});
    ASSERT_TRUE(expected.ok());
    WriteFile(dir.path() / "body", kCvat);
    auto from_file =
        ParseCvatUpload(ImportUpload::FromFile(dir.path() / "body", "annotations.xml"));
    ASSERT_TRUE(from_file.ok()) << from_file.error().message;
    ExpectSameImport(*expected, *from_file);

    // Two files of a project export (rows continue across them) and a file of another kind.
    // c.jpg is in subset Train in one and Test in the other: known only once both are read.
    const std::string test_subset = R"(<annotations><image name="c.jpg" subset="Test" width="4"
        height="4"><box label="cat" xtl="0" ytl="0" xbr="1" ybr="1"/></image></annotations>)";
    const std::vector<ImportFile> files{
        {"x/one.xml", kCvat}, {"images/c.jpg", "not xml"}, {"x/two.xml", test_subset}};
    auto both = ParseCvat(files);
    ASSERT_TRUE(both.ok()) << both.error().message;
    ASSERT_EQ(both->records.size(), 3u);
    EXPECT_EQ(both->records[2].row, 5);
    EXPECT_EQ(both->records[2].name, "Test/c.jpg");
    EXPECT_EQ(both->records[1].path_only_reason,
              "\"c.jpg\" is in several subsets of the upload; no item path ends with "
              "\"Train/c.jpg\"");
    EXPECT_FALSE(both->records[2].path_only_reason.empty());
    EXPECT_TRUE(both->records[0].path_only_reason.empty());
    WriteZip(dir.path() / "upload.zip", files);
    auto zipped = ParseCvatUpload(ImportUpload::FromFile(dir.path() / "upload.zip", "u.xml"));
    ASSERT_TRUE(zipped.ok()) << zipped.error().message;
    ExpectSameImport(*both, *zipped);

    auto none = ParseCvatUpload(ImportUpload::FromBytes("a,b\n", "upload.csv"));
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().message, "no CVAT annotations .xml file in the upload");
}

TEST(CvatStream, ABrokenFileIsOneErrorNamingItAndItsLine) {
    TempDir dir;
    // Cut inside the third image, after two were read: nothing of either file comes back.
    const std::string doc = kCvat;
    const std::string cut = doc.substr(0, doc.find("<polygon label=\"dog\""));
    WriteZip(dir.path() / "upload.zip", {{"good.xml", doc}, {"broken.xml", cut}});
    auto parsed = ParseCvatUpload(ImportUpload::FromFile(dir.path() / "upload.zip", "u.xml"));
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    // The end of the input: line 18 holds the cut's last four blanks.
    EXPECT_EQ(parsed.error().message, "broken.xml: not valid XML at line 18, column 5 (byte " +
                                          std::to_string(cut.size()) + "): no element found");

    // A VOC file (root <annotation>) among CVAT files is refused by name, as before.
    auto voc = ParseCvat({{"a.xml", kCvat}, {"v.xml", "<annotation><filename/></annotation>"}});
    ASSERT_FALSE(voc.ok());
    EXPECT_EQ(voc.error().message, "v.xml: no <annotations> element");
}

// --- JSONL

std::string JsonlRow(const std::string& name, const std::string& label) {
    return R"({"image_url": "azureml://x/paths/)" + name + R"(", "label": ")" + label + R"("})";
}

TEST(JsonlStream, CrlfBlankLinesAndALastLineWithoutNewline) {
    const std::string jsonl = JsonlRow("a.jpg", "cat") + "\r\n\r\n   \r\n" +
                              JsonlRow("b.jpg", "dog") + "\r\n" + R"({"image_url": 7})" + "\n" +
                              JsonlRow("c.jpg", "cat") + "\n  \t ";  // a blank last line
    auto parsed = ParseJsonl({{"train.jsonl", jsonl}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 3u);
    EXPECT_EQ(parsed->records[0].name, "a.jpg");
    EXPECT_EQ(parsed->records[0].labels, (std::vector<std::string>{"cat"}));
    EXPECT_EQ(parsed->records[1].row, 2);
    EXPECT_EQ(parsed->records[1].labels, (std::vector<std::string>{"dog"}));
    EXPECT_EQ(parsed->records[2].row, 4);
    EXPECT_EQ(parsed->records[2].name, "c.jpg");
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_EQ(parsed->errors[0].row, 3);
    EXPECT_EQ(parsed->errors[0].message, "train.jsonl:5: no \"image_url\" (or \"filename\")");

    // A last line cut midway (a truncated file) is a row error of its own.
    auto cut = ParseJsonl({{"t.jsonl", JsonlRow("a.jpg", "cat") + "\n" + R"({"image_url": "b.j)"}});
    ASSERT_TRUE(cut.ok());
    EXPECT_EQ(cut->records.size(), 1u);
    ASSERT_EQ(cut->errors.size(), 1u);
    EXPECT_EQ(cut->errors[0].row, 2);
    EXPECT_EQ(cut->errors[0].message, "t.jsonl:2: not a JSON object");
}

TEST(JsonlStream, AByteOrderMarkIsSkippedAndOnlyObjectsAreRows) {
    // Windows editors start a UTF-8 file with a byte order mark; a list or a scalar line is not
    // a row, even a list of one row.
    const std::string jsonl = "\xEF\xBB\xBF" + JsonlRow("a.jpg", "cat") + "\n[" +
                              JsonlRow("b.jpg", "dog") + "]\n\"c.jpg\"\n";
    auto parsed = ParseJsonl({{"bom.jsonl", jsonl}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 1u);
    EXPECT_EQ(parsed->records[0].name, "a.jpg");
    ASSERT_EQ(parsed->errors.size(), 2u);
    EXPECT_EQ(parsed->errors[0].message, "bom.jsonl:2: not a JSON object");
    EXPECT_EQ(parsed->errors[1].message, "bom.jsonl:3: not a JSON object");
}

TEST(JsonlStream, UploadsOnDiskZippedOrInMemoryGiveTheSameRecords) {
    TempDir dir;
    const std::string one = JsonlRow("a.jpg", "cat") + "\n" + JsonlRow("b.jpg", "dog") + "\n";
    const std::string two = "\n" + JsonlRow("c.jpg", "cat") + "\r\n";

    // A body posted as it is, under a name that is not .jsonl, is still read as JSONL.
    auto expected = ParseJsonl({{"upload", one}});
    ASSERT_TRUE(expected.ok());
    ASSERT_EQ(expected->records.size(), 2u);
    WriteFile(dir.path() / "body", one);
    auto from_file = ParseJsonlUpload(ImportUpload::FromFile(dir.path() / "body", "upload"));
    ASSERT_TRUE(from_file.ok()) << from_file.error().message;
    ExpectSameImport(*expected, *from_file);
    auto in_memory = ParseJsonlUpload(ImportUpload::FromBytes(one, "upload"));
    ASSERT_TRUE(in_memory.ok());
    ExpectSameImport(*expected, *in_memory);

    // A zipped MLTable folder with two .jsonl files: rows continue, MLTable is not read.
    const std::vector<ImportFile> files{{"t/MLTable", "paths:\n  - file: ./one.jsonl\n"},
                                        {"t/one.jsonl", one},
                                        {"t/two.jsonl", two}};
    auto both = ParseJsonl(files);
    ASSERT_TRUE(both.ok());
    ASSERT_EQ(both->records.size(), 3u);
    EXPECT_EQ(both->records[2].row, 3);
    WriteZip(dir.path() / "upload.zip", files);
    auto zipped = ParseJsonlUpload(ImportUpload::FromFile(dir.path() / "upload.zip", "u"));
    ASSERT_TRUE(zipped.ok()) << zipped.error().message;
    ExpectSameImport(*both, *zipped);

    WriteZip(dir.path() / "mltable.zip", {{"MLTable", "paths: []\n"}});
    auto none = ParseJsonlUpload(ImportUpload::FromFile(dir.path() / "mltable.zip", "u"));
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().message, "no .jsonl file in the upload");
}

// --- whole-file readers keep a limit per file

TEST(ImportUploadLimit, AFileOverTheLimitForWholeFileReadersIsRefusedByName) {
    TempDir dir;
    const fs::path body = dir.path() / "body";
    WriteFile(body, "");
    fs::resize_file(body, kMaxImportEntryBytes + 1);  // sparse: nothing is written
    auto all = ImportUpload::FromFile(body, "big.xml").ReadAll();
    ASSERT_FALSE(all.ok());
    EXPECT_EQ(all.error().code, ErrorCode::kPayloadTooLarge);
    EXPECT_EQ(all.error().message,
              "big.xml is too large to read whole: 513 MiB, over the limit of 512 MiB a file for "
              "this format (coco, cvat and jsonl files are streamed and have no such limit)");
}

}  // namespace
}  // namespace tessera
