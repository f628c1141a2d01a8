// Manifests as other tools write them (docs/formats/manifests.md): Azure's classification CSV
// (Url, Label with AmlDatastore:// URLs), its labeled-dataset JSONL (image_url, label,
// label_confidence) wrapped in the MLTable YAML its docs show, and plain CSVs with ';' or tab.
// The files are written here, mirroring ../shared/docs/reference-azure-labeling.md.
#include "formats/manifest_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace tessera {
namespace {

using LabelList = std::vector<std::string>;

struct ManifestRead {
    std::vector<ManifestRow> rows;
    ManifestReadStats stats;
};

ManifestRead ReadManifestText(const std::string& text, ManifestFormat format,
                              const ManifestMapping& mapping) {
    std::istringstream in(text);
    ManifestRead out;
    auto stats = ReadManifest(in, format, mapping, [&](ManifestRow&& row) {
        out.rows.push_back(std::move(row));
        return true;
    });
    EXPECT_TRUE(stats.ok()) << stats.error().message;
    if (stats.ok()) {
        out.stats = std::move(stats).value();
    }
    return out;
}

TEST(ManifestReader, AzureClassificationCsvWithBomCrlfAndMultiLabelCells) {
    const std::string csv =
        "\xEF\xBB\xBFUrl,Label\r\n"
        "AmlDatastore://workspaceblobstore/pets/a.jpg,Cat\r\n"
        "AmlDatastore://workspaceblobstore/pets/b.jpg,\"Cat,Dog\"\r\n"
        "AmlDatastore://workspaceblobstore/pets/c.jpg,\r\n";
    ManifestRead read = ReadManifestText(csv, ManifestFormat::kCsv, {"Url", "Label", ""});
    ASSERT_EQ(read.rows.size(), 3u);
    EXPECT_EQ(read.rows[0].image, "AmlDatastore://workspaceblobstore/pets/a.jpg");
    EXPECT_EQ(read.rows[0].categories, LabelList{"Cat"});
    EXPECT_EQ(read.rows[1].category_cell, "Cat,Dog");
    EXPECT_EQ(read.rows[1].categories, (LabelList{"Cat", "Dog"}));
    EXPECT_EQ(read.rows[1].line, 3);
    EXPECT_TRUE(read.rows[2].categories.empty());
    EXPECT_EQ(read.stats.error_count, 0);
}

TEST(ManifestReader, DetectsSemicolonAndTabDelimiters) {
    ManifestRead semi = ReadManifestText("file;class;score\nx/1.png;Car;0.5\n",
                                         ManifestFormat::kCsv, {"file", "class", "score"});
    ASSERT_EQ(semi.rows.size(), 1u);
    EXPECT_EQ(semi.rows[0].image, "x/1.png");
    EXPECT_EQ(semi.rows[0].categories, LabelList{"Car"});
    ASSERT_TRUE(semi.rows[0].confidence);
    EXPECT_DOUBLE_EQ(*semi.rows[0].confidence, 0.5);

    ManifestRead tab = ReadManifestText("path\tlabel\n\"a b.jpg\"\tDog\n", ManifestFormat::kCsv,
                                        {"path", "label", ""});
    ASSERT_EQ(tab.rows.size(), 1u);
    EXPECT_EQ(tab.rows[0].image, "a b.jpg");
}

TEST(ManifestReader, QuotedCellSpanningLinesKeepsLineNumbers) {
    ManifestRead read = ReadManifestText("image,label\n\"two\nlines.jpg\",Cat\nnext.jpg,Dog\n",
                                         ManifestFormat::kCsv, {"image", "label", ""});
    // A line break in a path is refused (a control character), and counted for the next row.
    ASSERT_EQ(read.rows.size(), 1u);
    ASSERT_EQ(read.stats.errors.size(), 1u);
    EXPECT_EQ(read.stats.errors[0].line, 2);
    EXPECT_EQ(read.rows[0].line, 4);
}

TEST(ManifestReader, MissingImageColumnNamesTheColumnsThereAre) {
    std::istringstream in("file,label\na.jpg,Cat\n");
    auto stats = ReadManifest(in, ManifestFormat::kCsv, {"image_url", "label", ""},
                              [](ManifestRow&&) { return true; });
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(stats.error().field, "mapping.image");
    EXPECT_NE(stats.error().message.find("\"image_url\""), std::string::npos);
    EXPECT_NE(stats.error().message.find("\"file\", \"label\""), std::string::npos);

    std::istringstream missing_category("file\na.jpg\n");
    auto category = ReadManifest(missing_category, ManifestFormat::kCsv, {"file", "label", ""},
                                 [](ManifestRow&&) { return true; });
    ASSERT_FALSE(category.ok());
    EXPECT_EQ(category.error().field, "mapping.category");
}

TEST(ManifestReader, ColumnNamesMatchInAnyCase) {
    ManifestRead read =
        ReadManifestText("URL,LABEL\na.jpg,Cat\n", ManifestFormat::kCsv, {"Url", "Label", ""});
    ASSERT_EQ(read.rows.size(), 1u);
}

TEST(ManifestReader, BadRowsAreReportedWithLinesAndTheRestKept) {
    ManifestRead read = ReadManifestText(
        "image,label,confidence\n"
        "a.jpg,Cat,0.9\n"
        ",Dog,0.1\n"
        "c.jpg,Dog,1.5\n"
        "d.jpg,Dog,high\n"
        "e.jpg,Dog,\n",
        ManifestFormat::kCsv, {"image", "label", "confidence"});
    ASSERT_EQ(read.rows.size(), 2u);
    EXPECT_EQ(read.rows[0].image, "a.jpg");
    EXPECT_EQ(read.rows[1].image, "e.jpg");
    EXPECT_FALSE(read.rows[1].confidence);
    ASSERT_EQ(read.stats.errors.size(), 3u);
    EXPECT_EQ(read.stats.errors[0].line, 3);
    EXPECT_NE(read.stats.errors[0].message.find("empty"), std::string::npos);
    EXPECT_EQ(read.stats.errors[1].line, 4);
    EXPECT_NE(read.stats.errors[1].message.find("0 to 1"), std::string::npos);
    EXPECT_EQ(read.stats.errors[2].line, 5);
}

TEST(ManifestReader, AzureLabeledDatasetJsonl) {
    const std::string jsonl =
        R"({"image_url":"azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/)"
        R"(workspaceblobstore/paths/pets/a.jpg","image_details":{"format":"jpg","width":"640px",)"
        R"("height":"480px"},"label":"Cat","label_confidence":[0.9]})"
        "\n"
        R"({"image_url":"AmlDatastore://workspaceblobstore/pets/b.jpg","label":["Cat","Dog"],)"
        R"("label_confidence":[0.5,1.0]})"
        "\n\n"
        "not json\n"
        R"({"image_url":"c.jpg","label":[{"label":"Cat","topX":0.1,"topY":0.1,"bottomX":0.2,)"
        R"("bottomY":0.2}]})"
        "\n"
        R"({"image_url":"d.jpg"})"
        "\n";
    ManifestRead read =
        ReadManifestText(jsonl, ManifestFormat::kJsonl, {"image_url", "label", "label_confidence"});
    ASSERT_EQ(read.rows.size(), 3u);
    EXPECT_EQ(read.rows[0].categories, LabelList{"Cat"});
    ASSERT_TRUE(read.rows[0].confidence);
    EXPECT_DOUBLE_EQ(*read.rows[0].confidence, 0.9);
    EXPECT_EQ(read.rows[1].categories, (LabelList{"Cat", "Dog"}));
    EXPECT_DOUBLE_EQ(*read.rows[1].confidence, 0.75);
    EXPECT_EQ(read.rows[2].image, "d.jpg");
    EXPECT_TRUE(read.rows[2].categories.empty());
    ASSERT_EQ(read.stats.errors.size(), 2u);
    EXPECT_EQ(read.stats.errors[0].line, 4);
    EXPECT_EQ(read.stats.errors[1].line, 5);
    EXPECT_NE(read.stats.errors[1].message.find("boxes or polygons"), std::string::npos);
}

TEST(ManifestReader, JsonlNestedKeysAndMissingImageKey) {
    ManifestRead read = ReadManifestText(R"({"item":{"src":"a.jpg"},"meta":{"cls":"Cat"}})"
                                         "\n",
                                         ManifestFormat::kJsonl, {"item.src", "meta.cls", ""});
    ASSERT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.rows[0].image, "a.jpg");
    EXPECT_EQ(read.rows[0].categories, LabelList{"Cat"});

    std::istringstream in(R"({"file":"a.jpg","label":"Cat"})"
                          "\n");
    auto stats = ReadManifest(in, ManifestFormat::kJsonl, {"image_url", "", ""},
                              [](ManifestRow&&) { return true; });
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.error().field, "mapping.image");
    EXPECT_NE(stats.error().message.find("\"file\", \"label\""), std::string::npos);
}

TEST(ManifestReader, DeeplyNestedJsonlLineIsARowError) {
    std::string line =
        R"({"image_url":"a.jpg","x":)" + std::string(100, '[') + std::string(100, ']') + "}\n";
    ManifestRead read = ReadManifestText(R"({"image_url":"ok.jpg"})"
                                         "\n" +
                                             line,
                                         ManifestFormat::kJsonl, {"image_url", "", ""});
    EXPECT_EQ(read.rows.size(), 1u);
    ASSERT_EQ(read.stats.errors.size(), 1u);
    EXPECT_EQ(read.stats.errors[0].line, 2);
}

TEST(ManifestReader, PreviewGuessesAzureColumns) {
    std::istringstream csv("Url,Label\nAmlDatastore://ds/a.jpg,Cat\n");
    auto preview = PreviewManifest(csv, ManifestFormat::kCsv);
    ASSERT_TRUE(preview.ok()) << preview.error().message;
    EXPECT_EQ(preview->columns, (LabelList{"Url", "Label"}));
    ASSERT_EQ(preview->rows.size(), 1u);
    EXPECT_EQ(preview->guess.image, "Url");
    EXPECT_EQ(preview->guess.category, "Label");
    EXPECT_EQ(preview->guess.confidence, "");

    std::istringstream jsonl(
        R"({"image_url":"a.jpg","image_details":{"format":"jpg"},"label":"Cat","label_confidence":[1.0]})"
        "\n");
    auto json_preview = PreviewManifest(jsonl, ManifestFormat::kJsonl);
    ASSERT_TRUE(json_preview.ok());
    EXPECT_EQ(json_preview->guess.image, "image_url");
    EXPECT_EQ(json_preview->guess.category, "label");
    EXPECT_EQ(json_preview->guess.confidence, "label_confidence");
    // Keys come sorted; nested objects are shown as JSON.
    EXPECT_EQ(json_preview->columns[0], "image_details");
    EXPECT_EQ(json_preview->rows[0][0], R"({"format":"jpg"})");
}

TEST(ManifestReader, MlTableAsAzureWritesIt) {
    const std::string yaml =
        "$schema: https://azuremlschemas.azureedge.net/latest/MLTable.schema.json\n"
        "type: mltable\n"
        "\n"
        "paths:\n"
        "  - file: ./train_annotations.jsonl\n"
        "transformations:\n"
        "  - read_json_lines:\n"
        "        encoding: utf8\n"
        "        invalid_lines: error\n"
        "        include_path_column: false\n"
        "  - convert_column_types:\n"
        "      - columns: image_url\n"
        "        column_type: stream_info\n";
    auto table = ParseMlTable(yaml);
    ASSERT_TRUE(table.ok()) << table.error().message;
    ASSERT_EQ(table->paths.size(), 1u);
    EXPECT_EQ(table->paths[0].kind, MlTablePath::Kind::kFile);
    EXPECT_EQ(table->paths[0].value, "train_annotations.jsonl");
    EXPECT_EQ(table->format, ManifestFormat::kJsonl);

    auto inline_form = ParseMlTable(
        "paths:\r\n- pattern: './parts/*.csv'  # all parts\r\ntransformations:\r\n"
        "- read_delimited: {delimiter: ';', header: all_files_same_headers}\r\n");
    ASSERT_TRUE(inline_form.ok()) << inline_form.error().message;
    EXPECT_EQ(inline_form->paths[0].kind, MlTablePath::Kind::kPattern);
    EXPECT_EQ(inline_form->paths[0].value, "parts/*.csv");
    EXPECT_EQ(inline_form->format, ManifestFormat::kCsv);

    auto by_extension = ParseMlTable("paths:\n  - file: labels.csv\n");
    ASSERT_TRUE(by_extension.ok());
    EXPECT_EQ(by_extension->format, ManifestFormat::kCsv);
}

TEST(ManifestReader, MlTableRefusesWhatItCannotRead) {
    for (const char* yaml : {
             "type: mltable\n",
             "paths:\n  - file: azureml://datastores/ds/paths/x.jsonl\n",
             "paths:\n  - file: https://example.com/x.jsonl\n",
             "paths:\n  - file: /etc/x.jsonl\n",
             "paths:\n  - file: ./x.parquet\ntransformations:\n  - read_parquet:\n",
             "paths:\n  - uri: x\n",
             "paths:\n  - file: x.bin\n",
         }) {
        auto table = ParseMlTable(yaml);
        EXPECT_FALSE(table.ok()) << yaml;
        if (!table.ok()) {
            EXPECT_EQ(table.error().code, ErrorCode::kInvalidArgument);
        }
    }
}

}  // namespace
}  // namespace tessera
