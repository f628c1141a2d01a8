// Kaggle's image_csv / image_txt layouts (format=kaggle-csv, kaggle-txt) read from Datumaro's
// samples at test time (skipped when ../shared is absent). Expected values are Datumaro's own
// for the same files (tests/unit/data_formats/test_kaggle.py): images 10 x 5, continuous corners.
#include <gtest/gtest.h>

#include <map>

#include "formats/import_test_support.hpp"
#include "formats/kaggle_table_import.hpp"

namespace tessera {
namespace {

using testing::kSamples;
using testing::ReadAll;

const auto kKaggle = kSamples / "kaggle_dataset";

using Labels = std::map<std::string, std::vector<std::string>>;
using Boxes = std::map<std::string, std::vector<std::pair<std::string, Box>>>;

ImportFile Sample(const std::string& relative) {
    return {ImportBaseName(relative), ReadAll(kKaggle / relative)};
}

Labels LabelsOf(const ParsedImport& parsed) {
    Labels out;
    for (const ImportRecord& r : parsed.records) {
        EXPECT_TRUE(r.shapes.empty()) << r.name;
        out[r.name] = r.labels;
    }
    return out;
}

Boxes BoxesOf(const ParsedImport& parsed) {
    Boxes out;
    for (const ImportRecord& r : parsed.records) {
        EXPECT_TRUE(r.labels.empty()) << r.name;
        EXPECT_EQ(r.space, CoordSpace::kPixel);
        for (const Shape& s : r.shapes) {
            out[r.name].emplace_back(s.label, std::get<Box>(s.geometry));
        }
    }
    return out;
}

const Labels kDogsAndCats = {{"1.jpg", {"dog"}},
                             {"2.jpg", {"cat"}},
                             {"3.jpg", {"dog"}},
                             {"4.jpg", {"cat"}},
                             {"5.jpg", {"cat"}}};

Boxes DetBoxes(const std::string& dog, const std::string& cat) {
    return {{"1.jpg", {{dog, Box{0, 1, 1, 1}}, {cat, Box{1, 2, 2, 1}}}},
            {"2.jpg", {{cat, Box{0, 0, 1, 1}}}},
            {"3.jpg", {{dog, Box{0, 2, 2, 2}}, {dog, Box{0, 0, 1, 1}}, {cat, Box{1, 1, 1, 1}}}}};
}

TEST(KaggleCsv, ImageAndLabelColumnsAreClassification) {
    REQUIRE_SAMPLES(kKaggle);
    auto parsed = ParseKaggleCsv({Sample("image_csv/ann.csv")}, {});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty());
    EXPECT_EQ(LabelsOf(*parsed), kDogsAndCats);
    EXPECT_FALSE(parsed->records[0].match_stem);
    EXPECT_EQ(parsed->records[1].row, 3);  // the file's line, header first
    // Names without extension match by stem.
    auto stems = ParseKaggleCsv({Sample("image_csv/ann_wo_ext.csv")}, {});
    ASSERT_TRUE(stems.ok()) << stems.error().message;
    ASSERT_EQ(stems->records.size(), 5u);
    EXPECT_EQ(stems->records[0].name, "1");
    EXPECT_TRUE(stems->records[0].match_stem);
    EXPECT_EQ(stems->records[0].labels, std::vector<std::string>{"dog"});
}

TEST(KaggleCsv, OneHotColumnsAreMultiLabel) {
    REQUIRE_SAMPLES(kKaggle);
    auto parsed = ParseKaggleCsv({Sample("image_csv_multi_label/ann.csv")}, {});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(LabelsOf(*parsed), (Labels{{"1.jpg", {"dog"}},
                                         {"2.jpg", {"cat"}},
                                         {"3.jpg", {"person"}},
                                         {"4.jpg", {"dog", "cat"}},
                                         {"5.jpg", {"dog", "person"}},
                                         {"6.jpg", {"cat", "person"}}}));
    // Roboflow's multiclass export is the same layout ("filename, label_0, label_1").
    const auto roboflow = kSamples / "roboflow_dataset/multiclass";
    auto classes = ParseKaggleCsv({{"train/_classes.csv", ReadAll(roboflow / "train/_classes.csv")},
                                   {"val/_classes.csv", ReadAll(roboflow / "val/_classes.csv")}},
                                  {});
    ASSERT_TRUE(classes.ok()) << classes.error().message;
    EXPECT_EQ(LabelsOf(*classes), (Labels{{"train_001.jpg", {"label_0"}},
                                          {"train_002.jpg", {"label_1"}},
                                          {"val_001.jpg", {"label_0", "label_1"}}}));
    // A cell that is not 0/1 means the columns are not one-hot: the upload is refused.
    auto refused = ParseKaggleCsv({{"a.csv", "image,notes\na.jpg,blurry\n"}}, {});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("label_column="), std::string::npos);
}

TEST(KaggleCsv, BoxColumnsByName) {
    REQUIRE_SAMPLES(kKaggle);
    for (const char* file : {"image_csv_det/ann.csv", "image_csv_det/ann2.csv"}) {
        auto parsed = ParseKaggleCsv({Sample(file)}, {});
        ASSERT_TRUE(parsed.ok()) << file << ": " << parsed.error().message;
        EXPECT_TRUE(parsed->errors.empty()) << file;
        EXPECT_EQ(BoxesOf(*parsed), DetBoxes("dog", "cat")) << file;
    }
}

TEST(KaggleCsv, ABboxCellNeedsItsConventionSaid) {
    REQUIRE_SAMPLES(kKaggle);
    // "[0,1,1,2]", "1,2,3,3", "0 0 1 1": x1 y1 x2 y2 in Datumaro's sample, x y w h in COCO's.
    auto refused = ParseKaggleCsv({Sample("image_csv_det/ann3.csv")}, {});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("boxes=corners or boxes=size"), std::string::npos);
    TableImportOptions corners;
    corners.boxes = TableBoxes::kCorners;
    auto parsed = ParseKaggleCsv({Sample("image_csv_det/ann3.csv")}, corners);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(BoxesOf(*parsed), DetBoxes("dog", "cat"));
    TableImportOptions size;
    size.boxes = TableBoxes::kSize;
    auto as_size = ParseKaggleCsv({Sample("image_csv_det/ann3.csv")}, size);
    ASSERT_TRUE(as_size.ok());
    EXPECT_EQ(BoxesOf(*as_size).at("1.jpg")[0].second, (Box{0, 1, 1, 2}));
}

TEST(KaggleCsv, ColumnsCanBeNamedAndBadRowsAreRowErrors) {
    const std::string csv =
        "\xEF\xBB\xBFpic,kind,xmin,ymin,xmax,ymax\r\n"
        "\"a, b.jpg\",car,1,2,4,6\r\n"
        "c.jpg,car,1,x,4,6\r\n";
    TableImportOptions options;
    options.image_column = "PIC";
    options.label_column = "kind";
    auto parsed = ParseKaggleCsv({{"boxes.csv", csv}}, options);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(BoxesOf(*parsed), (Boxes{{"a, b.jpg", {{"car", Box{1, 2, 3, 4}}}}}));
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_EQ(parsed->errors[0].row, 3);
    EXPECT_NE(parsed->errors[0].message.find("boxes.csv line 3: column \"ymin\" holds \"x\""),
              std::string::npos)
        << parsed->errors[0].message;
    options.image_column = "image";
    auto missing = ParseKaggleCsv({{"boxes.csv", csv}}, options);
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("\"image\" is not in boxes.csv's header"),
              std::string::npos)
        << missing.error().message;
    // Box columns without a label column need the label.
    auto unlabeled = ParseKaggleCsv({{"b.csv", "image,x,y,w,h\na.jpg,0,0,1,1\n"}}, {});
    ASSERT_FALSE(unlabeled.ok());
    EXPECT_NE(unlabeled.error().message.find("label="), std::string::npos);
    TableImportOptions one;
    one.label = "wheat";
    auto labeled = ParseKaggleCsv({{"b.csv", "image,x,y,w,h\na.jpg,0,0,1,1\n"}}, one);
    ASSERT_TRUE(labeled.ok()) << labeled.error().message;
    EXPECT_EQ(BoxesOf(*labeled), (Boxes{{"a.jpg", {{"wheat", Box{0, 0, 1, 1}}}}}));
    EXPECT_FALSE(ParseKaggleCsv({{"a.txt", "x"}}, {}).ok());  // no .csv
}

TEST(KaggleTxt, ImageAndLabelLines) {
    REQUIRE_SAMPLES(kKaggle);
    auto parsed = ParseKaggleTxt({Sample("image_txt/ann.txt")}, {});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(LabelsOf(*parsed), kDogsAndCats);
    auto stems = ParseKaggleTxt({Sample("image_txt/ann_wo_ext.txt")}, {});
    ASSERT_TRUE(stems.ok());
    EXPECT_TRUE(stems->records.at(0).match_stem);
    EXPECT_EQ(stems->records.at(0).name, "1");
}

TEST(KaggleTxt, BoxLinesNeedTheirConventionAndLabelSaid) {
    REQUIRE_SAMPLES(kKaggle);
    auto refused = ParseKaggleTxt({Sample("image_txt_det/ann.txt")}, {});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("boxes=corners or boxes=size"), std::string::npos);
    TableImportOptions corners;
    corners.boxes = TableBoxes::kCorners;
    auto parsed = ParseKaggleTxt({Sample("image_txt_det/ann.txt")}, corners);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(BoxesOf(*parsed), DetBoxes("dog", "cat"));
    // "1.jpg,0,1,1,1": x y w h of a single class, named by label=.
    TableImportOptions single;
    single.boxes = TableBoxes::kSize;
    auto unlabeled = ParseKaggleTxt({Sample("image_txt_det/ann_single_obj.txt")}, single);
    ASSERT_FALSE(unlabeled.ok());
    EXPECT_NE(unlabeled.error().message.find("label="), std::string::npos);
    single.label = "object";
    auto objects = ParseKaggleTxt({Sample("image_txt_det/ann_single_obj.txt")}, single);
    ASSERT_TRUE(objects.ok()) << objects.error().message;
    EXPECT_EQ(BoxesOf(*objects), DetBoxes("object", "object"));
    // A line with only an image is a row error naming the line.
    auto short_row = ParseKaggleTxt({{"a.txt", "a.jpg dog\n\nb.jpg\n"}}, {});
    ASSERT_TRUE(short_row.ok());
    ASSERT_EQ(short_row->errors.size(), 1u);
    EXPECT_EQ(short_row->errors[0].row, 3);
    EXPECT_NE(short_row->errors[0].message.find("a.txt line 3"), std::string::npos);
}

}  // namespace
}  // namespace tessera
