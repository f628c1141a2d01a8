// format=datumaro: Datumaro's JSON as CVAT 2.x "Datumaro 1.0" and `datum export -f datumaro`
// write it (datumaro/plugins/data_formats/datumaro exporter.py), files built here from that
// description: no Datumaro-format sample is in ../shared/datasets.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "formats/datumaro_import.hpp"
#include "formats/import_test_support.hpp"

namespace tessera {
namespace {

using Kinds = std::map<std::string, int>;

// categories as Datumaro writes them: labels indexed by label_id.
constexpr const char* kCategories = R"("categories": {"label": {"labels": [
      {"name": "car", "parent": "", "attributes": []},
      {"name": "cell", "parent": "", "attributes": []},
      {"name": "day", "parent": "", "attributes": []}],
      "label_groups": [], "attributes": ["occluded"]},
      "points": {"items": []}})";

std::string Doc(const std::string& items) {
    return std::string(R"({"dm_format_version": "1.0", "infos": {}, )") + kCategories +
           R"(, "items": [)" + items + "]}";
}

TEST(DatumaroImport, ShapesOfATaskExportAndTheKindsTesseraCannotDrawCounted) {
    const std::string doc = Doc(R"(
      {"id": "frame_000000", "attr": {"frame": 0},
       "image": {"path": "frame_000000.jpg", "size": [80, 100]},
       "annotations": [
        {"id": 0, "type": "bbox", "attributes": {"occluded": false, "score": 0.75}, "group": 0,
         "label_id": 0, "z_order": 0, "bbox": [10.5, 20, 30, 40]},
        {"id": 1, "type": "polygon", "attributes": {}, "group": 0, "label_id": 1, "z_order": 0,
         "points": [1, 2, 11, 2, 11, 12]},
        {"id": 2, "type": "bbox", "attributes": {"rotation": 90}, "group": 0, "label_id": 0,
         "z_order": 0, "bbox": [10, 10, 20, 10]},
        {"id": 3, "type": "ellipse", "attributes": {}, "group": 0, "label_id": 1, "z_order": 0,
         "points": [30, 30, 70, 50]},
        {"id": 4, "type": "label", "attributes": {}, "group": 0, "label_id": 2},
        {"id": 5, "type": "points", "attributes": {}, "group": 0, "label_id": 1, "z_order": 0,
         "points": [5, 5], "visibility": [2]},
        {"id": 6, "type": "polyline", "attributes": {}, "group": 0, "label_id": 1, "z_order": 0,
         "points": [0, 0, 10, 10]},
        {"id": 7, "type": "caption", "attributes": {}, "group": 0, "caption": "a car"},
        {"id": 8, "type": "polyline", "attributes": {}, "group": 0, "label_id": 1, "z_order": 0,
         "points": [0, 5, 10, 15]}]},
      {"id": "sub/b", "media": {"path": "/data/sub/b.png"}, "annotations": [
        {"id": 0, "type": "cuboid_3d", "label_id": 0, "position": [0, 0, 0],
         "rotation": [0, 0, 0], "scale": [1, 1, 1]},
        {"id": 1, "type": "skeleton", "label_id": 0, "elements": []}]},
      {"id": "c", "annotations": []})");
    auto parsed = ParseDatumaro({{"annotations/default.json", doc}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 3u);

    const ImportRecord& a = parsed->records[0];
    EXPECT_EQ(a.row, 1);
    EXPECT_EQ(a.name, "frame_000000.jpg");  // the "default" subset adds no folder
    EXPECT_FALSE(a.match_stem);
    EXPECT_EQ(a.file, "annotations/default.json");
    ASSERT_TRUE(a.size.has_value());
    EXPECT_EQ(a.size->width, 100);  // "size" is [height, width]
    EXPECT_EQ(a.size->height, 80);
    ASSERT_EQ(a.shapes.size(), 4u);
    EXPECT_EQ(a.shapes[0].label, "car");
    EXPECT_EQ(std::get<Box>(a.shapes[0].geometry), (Box{10.5, 20, 30, 40}));
    EXPECT_EQ(a.shapes[0].confidence, 0.75);
    EXPECT_EQ(a.shapes[1].label, "cell");
    EXPECT_EQ(testing::PolygonOf(a.shapes[1]).rings.at(0), (Ring{{1, 2}, {11, 2}, {11, 12}}));
    // CVAT's rotation attribute: a quarter turn about the centre (20, 15) of a 20 x 10 box.
    const Ring& turned = testing::PolygonOf(a.shapes[2]).rings.at(0);
    ASSERT_EQ(turned.size(), 4u);
    EXPECT_NEAR(turned[0].x, 25, 1e-9);
    EXPECT_NEAR(turned[0].y, 5, 1e-9);
    EXPECT_NEAR(turned[2].x, 15, 1e-9);
    EXPECT_NEAR(turned[2].y, 25, 1e-9);
    // The ellipse's points are its box's corners: centre (50, 40), radii 20 and 10.
    for (const ImagePoint& p : testing::PolygonOf(a.shapes[3]).rings.at(0)) {
        EXPECT_NEAR(std::pow((p.x - 50) / 20, 2) + std::pow((p.y - 40) / 10, 2), 1, 1e-9);
    }
    EXPECT_EQ(a.tags, (std::vector<std::string>{"day"}));
    EXPECT_EQ(a.dropped, (Kinds{{"caption", 1}, {"points", 1}, {"polyline", 2}}));

    const ImportRecord& b = parsed->records[1];
    EXPECT_EQ(b.name, "sub/b.png");  // the id keeps the folder, the path gives the extension
    EXPECT_FALSE(b.size.has_value());
    EXPECT_TRUE(b.shapes.empty());
    EXPECT_EQ(b.dropped, (Kinds{{"cuboid_3d", 1}, {"skeleton", 1}}));

    const ImportRecord& c = parsed->records[2];
    EXPECT_EQ(c.name, "c");  // no path: matched by stem with any image extension
    EXPECT_TRUE(c.match_stem);
    EXPECT_TRUE(c.shapes.empty());
}

TEST(DatumaroImport, MasksAreCocoRleCompressedOrNot) {
    // 3 x 3 image, column-major runs 3 unset, 2 set, 1 unset, 3 set. pycocotools' compressed
    // string of [3, 2, 1, 3] is "3211": from the fourth count on, each is written as the
    // difference from the count two before it.
    const std::string doc = Doc(R"(
      {"id": "a", "image": {"path": "a.png", "size": [3, 3]}, "annotations": [
        {"id": 0, "type": "mask", "label_id": 1, "z_order": 0, "group": 0, "attributes": {},
         "rle": {"counts": "3211", "size": [3, 3]}}]},
      {"id": "b", "image": {"path": "b.png"}, "annotations": [
        {"id": 0, "type": "mask", "label_id": 1, "rle": {"counts": [3, 2, 1, 3], "size": [3, 3]}},
        {"id": 1, "type": "mask", "label_id": 0, "rle": {"counts": [9], "size": [3, 3]}}]})");
    auto parsed = ParseDatumaro({{"default.json", doc}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 2u);
    // Row-major starts and lengths: (1, 0)-(2, 0), (1, 1)-(2, 1) and (2, 2).
    const MaskRle expected{{1, 2, 4, 2, 8, 1}};
    ASSERT_EQ(parsed->records[0].shapes.size(), 1u);
    EXPECT_EQ(std::get<MaskRle>(parsed->records[0].shapes[0].geometry), expected);
    // The same mask from a counts list; the empty one is skipped; the RLE gives the size.
    ASSERT_EQ(parsed->records[1].shapes.size(), 1u);
    EXPECT_EQ(std::get<MaskRle>(parsed->records[1].shapes[0].geometry), expected);
    ASSERT_TRUE(parsed->records[1].size.has_value());
    EXPECT_EQ(parsed->records[1].size->width, 3);
}

TEST(DatumaroImport, SubsetsNameTheirItemsAndARepeatedNameMatchesByPathOnly) {
    const std::string train = Doc(R"(
      {"id": "a", "image": {"path": "a.jpg"}, "annotations": []},
      {"id": "b", "image": {"path": "b.jpg"}, "annotations": []})");
    const std::string val = Doc(R"({"id": "a", "image": {"path": "a.jpg"}, "annotations": []})");
    auto parsed = ParseDatumaro({{"annotations/train.json", train},
                                 {"annotations/val.json", val},
                                 {"images/train/a.jpg", "not json"}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 3u);
    EXPECT_EQ(parsed->records[0].name, "train/a.jpg");
    EXPECT_EQ(parsed->records[1].name, "train/b.jpg");
    EXPECT_EQ(parsed->records[2].name, "val/a.jpg");
    EXPECT_EQ(parsed->records[2].row, 3);  // rows continue across files
    EXPECT_NE(parsed->records[0].path_only_reason.find("several subsets"), std::string::npos);
    EXPECT_TRUE(parsed->records[1].path_only_reason.empty());
    EXPECT_FALSE(parsed->records[2].path_only_reason.empty());
}

TEST(DatumaroImport, BadAnnotationsAreRowErrorsNamingTheItem) {
    const std::string doc = Doc(R"(
      {"id": "a", "image": {"path": "a.jpg"}, "annotations": [
        {"id": 0, "type": "bbox", "label_id": 7, "bbox": [0, 0, 1, 1]}]},
      {"id": "b", "image": {"path": "b.jpg"}, "annotations": [
        {"id": 0, "type": "polygon", "label_id": 0, "points": [0, 0, 1]}]},
      {"id": "c", "image": {"path": "c.jpg", "size": [4, 4]}, "annotations": [
        {"id": 0, "type": "mask", "label_id": 0, "rle": {"counts": [9], "size": [3, 3]}}]},
      {"id": "d", "image": {"path": "d.jpg"}, "annotations": [
        {"id": 0, "type": "bbox", "bbox": [0, 0, 1, 1]}]},
      {"id": "e", "image": {"path": "e.jpg"}, "annotations": [{"id": 0, "label_id": 0}]},
      {"id": "f", "image": {"path": "f.jpg"}, "annotations": [
        {"id": 0, "type": "mask", "label_id": 0, "rle": {"counts": [3, 2], "size": [3, 3]}}]},
      {"image": {}, "annotations": []},
      {"id": "g", "image": {"path": "g.jpg"}, "annotations": [
        {"id": 0, "type": "bbox", "label_id": 0, "bbox": [0, 0, 1, 1]}]})");
    auto parsed = ParseDatumaro({{"default.json", doc}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 1u);  // only g
    EXPECT_EQ(parsed->records[0].name, "g.jpg");
    EXPECT_EQ(parsed->records[0].row, 8);
    ASSERT_EQ(parsed->errors.size(), 7u);
    EXPECT_EQ(parsed->errors[0].row, 1);
    EXPECT_EQ(parsed->errors[0].message,
              "a.jpg: annotation 0: bbox: label_id 7 is not one of the file's 3 labels "
              "(categories.label.labels)");
    EXPECT_NE(parsed->errors[1].message.find("b.jpg: annotation 0: polygon \"car\""),
              std::string::npos);
    EXPECT_NE(parsed->errors[2].message.find("[3, 3] is not the image's [height, width] [4, 4]"),
              std::string::npos);
    EXPECT_NE(parsed->errors[3].message.find("needs an integer \"label_id\""), std::string::npos);
    EXPECT_NE(parsed->errors[4].message.find("needs a \"type\""), std::string::npos);
    EXPECT_NE(parsed->errors[5].message.find("do not cover the image"), std::string::npos);
    EXPECT_EQ(parsed->errors[6].message, "default.json: an item needs an \"id\" or an image path");
}

// Datumaro writes categories before items; a file in another order is read the same, its items
// waiting for the labels. An upload on disk, zipped, reads as the files in memory.
TEST(DatumaroImport, ItemsBeforeCategoriesAndAZipOnDiskReadTheSame) {
    const std::string item =
        R"({"id": "a", "image": {"path": "a.jpg"}, "annotations": [
             {"id": 0, "type": "bbox", "label_id": 1, "bbox": [1, 2, 3, 4]}]})";
    const std::string reordered = R"({"items": [)" + item + "], " + std::string(kCategories) + "}";
    auto late = ParseDatumaro({{"default.json", reordered}});
    ASSERT_TRUE(late.ok()) << late.error().message;
    ASSERT_EQ(late->records.size(), 1u);
    ASSERT_EQ(late->records[0].shapes.size(), 1u);
    EXPECT_EQ(late->records[0].shapes[0].label, "cell");

    testing::TempDir dir;
    const std::vector<ImportFile> files = {{"annotations/train.json", Doc(item)},
                                           {"images/train/a.jpg", "not an image"}};
    testing::WriteZip(dir.path() / "upload.zip", files);
    auto zipped = ParseDatumaroUpload(ImportUpload::FromFile(dir.path() / "upload.zip", "x.zip"));
    ASSERT_TRUE(zipped.ok()) << zipped.error().message;
    auto in_memory = ParseDatumaro(files);
    ASSERT_TRUE(in_memory.ok()) << in_memory.error().message;
    testing::ExpectSameImport(*zipped, *in_memory);
    ASSERT_EQ(zipped->records.size(), 1u);
    EXPECT_EQ(zipped->records[0].name, "train/a.jpg");
}

TEST(DatumaroImport, BrokenDeepOrMissingFilesAreRefused) {
    auto broken = ParseDatumaro({{"annotations/default.json", R"({"items": [)"}});
    ASSERT_FALSE(broken.ok());
    EXPECT_NE(broken.error().message.find("annotations/default.json: invalid JSON at byte 12"),
              std::string::npos)
        << broken.error().message;

    auto deep = ParseDatumaro(
        {{"default.json", R"({"items": )" + std::string(100, '[') + std::string(100, ']') + "}"}});
    ASSERT_FALSE(deep.ok());
    EXPECT_NE(deep.error().message.find("nests deeper than 64 levels"), std::string::npos)
        << deep.error().message;

    auto list = ParseDatumaro({{"default.json", "[]"}});
    ASSERT_FALSE(list.ok());
    EXPECT_EQ(list.error().message, "default.json: not a JSON object");

    auto none = ParseDatumaro({{"dataset_meta.json", R"({"label_map": {}})"}, {"a.txt", "x"}});
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.error().message.find("no Datumaro annotations file"), std::string::npos);

    // Items waiting for categories that come last (or never) are bounded, not the whole file.
    std::string items;
    for (int i = 0; i <= 10000; ++i) {
        items += std::string(i == 0 ? "" : ",") + R"({"id": "i)" + std::to_string(i) +
                 R"(", "annotations": []})";
    }
    auto late = ParseDatumaro({{"default.json", R"({"items": [)" + items + "]}"}});
    ASSERT_FALSE(late.ok());
    EXPECT_NE(late.error().message.find("more than 10000 items come before \"categories\""),
              std::string::npos)
        << late.error().message;

    // A limit hit keeps its code (413), not a generic 400.
    auto huge = ParseDatumaro({{"default.json", R"({"items": [{"id": ")" +
                                                    std::string((64 << 20) + 1, 'a') + R"("}]})"}});
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error().code, ErrorCode::kPayloadTooLarge) << huge.error().message;
}

}  // namespace
}  // namespace tessera
