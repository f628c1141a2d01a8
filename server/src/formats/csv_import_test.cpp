// format=csv: Azure's classification CSV (Url, Label) and Tessera's own CSV export, hand-made
// (no sample of Azure's file is public): RFC 4180 quoting, BOM, CRLF, image URLs, label cells.
#include "formats/csv_import.hpp"

#include <gtest/gtest.h>

#include "formats/csv_table.hpp"

namespace tessera {
namespace {

using Cells = std::vector<std::string>;

LabelTree Tree(const std::vector<LabelSpec>& roots) {
    auto tree = LabelTree::Build(roots);
    EXPECT_TRUE(tree.ok());
    return std::move(tree).value();
}

const LabelTree& Pets() {
    static const LabelTree kTree =
        Tree({{"Animal", {{"Cat", {}}, {"Dog", {}}}}, {"Car", {}}, {"red, large", {}}});
    return kTree;
}

ParsedImport Parse(const std::string& csv, TaskType type = TaskType::kMultilabel) {
    auto parsed = ParseCsv({{"labels.csv", csv}}, type, Pets());
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return parsed.ok() ? std::move(parsed).value() : ParsedImport{};
}

TEST(CsvTable, QuotedCellsKeepCommasQuotesAndLineBreaks) {
    const auto records = ReadCsvRecords("a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\r\nlast,\r\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].cells, (Cells{"a", "b"}));
    EXPECT_EQ(records[1].cells, (Cells{"x, \"y\"", "two\nlines"}));
    EXPECT_EQ(records[1].line, 2);
    EXPECT_EQ(records[2].line, 4);  // the quoted line break counts
    EXPECT_EQ(records[2].cells, (Cells{"last", ""}));
}

TEST(CsvTable, BomBlankLinesAndBlanksOutsideQuotes) {
    const auto records = ReadCsvRecords("\xEF\xBB\xBFurl, label\n\n  a.jpg , \" Cat \"  \nb.jpg,x");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].cells, (Cells{"url", "label"}));
    EXPECT_EQ(records[1].line, 3);
    EXPECT_EQ(records[1].cells, (Cells{"a.jpg", " Cat "}));  // quoted blanks are data
    EXPECT_EQ(records[2].cells, (Cells{"b.jpg", "x"}));      // no line end at the end
}

TEST(CsvImport, TesseraExportRowsWithMultiLabelCells) {
    const ParsedImport parsed = Parse(
        "image_url,label,labeler,labeled_at\r\n"
        "/data/pets/cats/1.jpg,Animal/Cat,ann,2023-11-14T22:13:20.000Z\r\n"
        "\"/data/pets/odd, \"\"name\"\".jpg\",\"Animal/Cat,Car\",\"bob, jr.\",2023-11-14\r\n");
    ASSERT_EQ(parsed.records.size(), 2u);
    EXPECT_TRUE(parsed.errors.empty());
    EXPECT_EQ(parsed.records[0].name, "/data/pets/cats/1.jpg");
    EXPECT_EQ(parsed.records[0].row, 2);
    EXPECT_EQ(parsed.records[0].labels, (Cells{"Animal/Cat"}));
    EXPECT_EQ(parsed.records[1].name, "/data/pets/odd, \"name\".jpg");
    EXPECT_EQ(parsed.records[1].labels, (Cells{"Animal/Cat", "Car"}));
}

TEST(CsvImport, AzureUrlAndLabelColumnsAnyCase) {
    const ParsedImport parsed = Parse(
        "\xEF\xBB\xBFUrl,Label,label_confidence\n"
        "AmlDatastore://workspaceblobstore/pets/a.jpg,\"Car, Animal/Dog\",\"[1.0, 1.0]\"\n"
        "azureml://subscriptions/s/datastores/d/paths/pets/b.jpg,Car,[1.0]\n");
    ASSERT_EQ(parsed.records.size(), 2u);
    EXPECT_EQ(parsed.records[0].name, "pets/a.jpg");
    EXPECT_EQ(parsed.records[0].labels, (Cells{"Car", "Animal/Dog"}));
    EXPECT_EQ(parsed.records[1].name, "pets/b.jpg");
    EXPECT_EQ(parsed.records[1].labels, (Cells{"Car"}));
}

TEST(CsvImport, ImagePaths) {
    EXPECT_EQ(CsvImagePath("AmlDatastore://ds/a/b.jpg"), "a/b.jpg");
    EXPECT_EQ(CsvImagePath("amldatastore://ds/b.jpg"), "b.jpg");
    EXPECT_EQ(CsvImagePath("azureml://x/datastores/d/paths/a/b.jpg"), "a/b.jpg");
    EXPECT_EQ(CsvImagePath("/srv/images/a/b.jpg"), "/srv/images/a/b.jpg");
    EXPECT_EQ(CsvImagePath("a/b.jpg"), "a/b.jpg");
}

TEST(CsvImport, MultiClassCellWithACommaIsARowErrorUnlessItIsALabel) {
    const ParsedImport parsed =
        Parse("url,label\nx/1.jpg,Car\nx/2.jpg,\"Car,Animal/Cat\"\nx/3.jpg,\"red, large\"\n",
              TaskType::kMulticlass);
    ASSERT_EQ(parsed.errors.size(), 1u);
    EXPECT_EQ(parsed.errors[0].row, 3);
    EXPECT_NE(parsed.errors[0].message.find("labels.csv line 3"), std::string::npos)
        << parsed.errors[0].message;
    EXPECT_NE(parsed.errors[0].message.find("multi-class"), std::string::npos);
    ASSERT_EQ(parsed.records.size(), 2u);
    EXPECT_EQ(parsed.records[0].labels, (Cells{"Car"}));
    EXPECT_EQ(parsed.records[1].labels, (Cells{"red, large"}));
}

TEST(CsvImport, MultiLabelKeepsACellThatIsALabelWholeAndDropsEmptyPieces) {
    const ParsedImport parsed = Parse("url,label\na.jpg,\"red, large\"\nb.jpg,\"Car, ,\"\n");
    ASSERT_EQ(parsed.records.size(), 2u);
    EXPECT_EQ(parsed.records[0].labels, (Cells{"red, large"}));
    EXPECT_EQ(parsed.records[1].labels, (Cells{"Car"}));
}

TEST(CsvImport, EmptyLabelCellIsSkippedAndReported) {
    const ParsedImport parsed = Parse("Url,Label\na.jpg,\nb.jpg,Car\nc.jpg\n");
    ASSERT_EQ(parsed.records.size(), 1u);
    EXPECT_EQ(parsed.records[0].name, "b.jpg");
    ASSERT_EQ(parsed.skipped.size(), 2u);
    EXPECT_EQ(parsed.skipped[0].row, 2);
    EXPECT_EQ(parsed.skipped[0].name, "a.jpg");
    EXPECT_NE(parsed.skipped[0].reason.find("label cell is empty"), std::string::npos);
    EXPECT_EQ(parsed.skipped[1].row, 4);
    EXPECT_TRUE(parsed.errors.empty());
}

TEST(CsvImport, RowWithoutImageIsAnError) {
    const ParsedImport parsed = Parse("url,label\n,Car\n");
    ASSERT_EQ(parsed.errors.size(), 1u);
    EXPECT_EQ(parsed.errors[0].row, 2);
}

TEST(CsvImport, HeaderWithoutImageOrLabelColumnIsRefused) {
    auto no_image =
        ParseCsv({{"a.csv", "filename,label\na.jpg,Car\n"}}, TaskType::kMulticlass, Pets());
    ASSERT_FALSE(no_image.ok());
    EXPECT_NE(no_image.error().message.find("no image column"), std::string::npos);
    EXPECT_NE(no_image.error().message.find("filename, label"), std::string::npos);
    auto no_label = ParseCsv({{"a.csv", "url,class\na.jpg,Car\n"}}, TaskType::kMulticlass, Pets());
    ASSERT_FALSE(no_label.ok());
    EXPECT_NE(no_label.error().message.find("no label column"), std::string::npos);
}

TEST(CsvImport, ShapeProjectsAreRefusedNamingTheFormatsToUse) {
    for (TaskType type : {TaskType::kBbox, TaskType::kPolygon, TaskType::kSemantic}) {
        auto parsed = ParseCsv({{"a.csv", "url,label\na.jpg,Car\n"}}, type, Pets());
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(parsed.error().message.find("classification"), std::string::npos);
        EXPECT_NE(parsed.error().message.find("coco"), std::string::npos);
    }
}

TEST(CsvImport, RowsAreNumberedAcrossFiles) {
    auto parsed = ParseCsv({{"a.csv", "url,label\na.jpg,Car\n"},
                            {"notes.txt", "x"},
                            {"b.csv", "url,label\nb.jpg,Car\n"}},
                           TaskType::kMulticlass, Pets());
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->records.size(), 2u);
    EXPECT_EQ(parsed->records[0].row, 2);
    EXPECT_EQ(parsed->records[1].row, 4);  // a.csv's last row is its line 2
}

}  // namespace
}  // namespace tessera
