// Issue 8, "files from other tools, the way those tools write them": VOC box corners, Azure ML's
// COCO classification export, shapes we cannot draw counted instead of dropped silently, labelme's
// group_id / __ignore__ / _background_, and labelme2voc's class_names.txt masks with VOC's void
// value. Files no sample covers are built here from the tool's own writer (cited per test).
#include <gtest/gtest.h>

#include <cmath>

#include "domain/raster.hpp"
#include "formats/coco_import.hpp"
#include "formats/cvat_import.hpp"
#include "formats/import_test_support.hpp"
#include "formats/labelme_import.hpp"
#include "formats/mask_outline.hpp"
#include "formats/masks_import.hpp"
#include "formats/voc_import.hpp"

namespace tessera {
namespace {

using testing::FilesUnder;
using testing::kSamples;
using testing::TestPng;

using Kinds = std::map<std::string, int>;

// A palette PNG (colour type 3) of 8-bit indices: labelme's lblsave writes its label PNGs so.
std::string PalettePng(int width, int height, const std::vector<std::uint8_t>& indices) {
    std::string png = TestPng(width, height, 3, 8, std::string(indices.begin(), indices.end()));
    std::string palette;
    for (int i = 0; i < 256; ++i) {
        palette += {static_cast<char>(i), static_cast<char>(i), static_cast<char>(i)};
    }
    std::string chunk;
    for (int shift = 24; shift >= 0; shift -= 8) {
        chunk.push_back(static_cast<char>((palette.size() >> shift) & 0xff));
    }
    const std::string body = "PLTE" + palette;
    chunk += body;
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size()));
    for (int shift = 24; shift >= 0; shift -= 8) {
        chunk.push_back(static_cast<char>((crc >> shift) & 0xff));
    }
    const std::size_t after_ihdr = 8 + 12 + 13;
    png.insert(after_ihdr, chunk);
    return png;
}

// --- Pascal VOC: corners by default, the devkit's 1-based indices on request

TEST(VocCorners, CornersByDefaultAndTheDevkitConventionOnRequest) {
    // As CVAT (through Datumaro's converter: xmin = x, xmax = x + w) writes a box at x 10,
    // y 20, 30 x 40.
    const std::string xml =
        "<annotation><filename>a.jpg</filename><size><width>64</width><height>64</height>"
        "</size><object><name>cat</name><bndbox><xmin>10</xmin><ymin>20</ymin><xmax>40</xmax>"
        "<ymax>60</ymax></bndbox></object></annotation>";
    auto corners = ParseVoc({{"Annotations/a.xml", xml}});
    ASSERT_TRUE(corners.ok());
    EXPECT_EQ(std::get<Box>(corners->records.at(0).shapes.at(0).geometry), (Box{10, 20, 30, 40}));
    auto devkit = ParseVoc({{"Annotations/a.xml", xml}}, VocConvention::kDevkit);
    ASSERT_TRUE(devkit.ok());
    EXPECT_EQ(std::get<Box>(devkit->records.at(0).shapes.at(0).geometry), (Box{9, 19, 31, 41}));
}

TEST(VocCorners, ObjectsWithoutABoxAreCounted) {
    auto parsed = ParseVoc({{"a.xml",
                             "<annotation><filename>a.jpg</filename><object><name>cat</name>"
                             "</object></annotation>"}});
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed->records.at(0).shapes.empty());
    EXPECT_EQ(parsed->records.at(0).dropped, (Kinds{{"object without bndbox", 1}}));
    EXPECT_EQ(parsed->records.at(0).file, "a.xml");
}

// --- Azure ML's COCO export of a classification project

// docs reference-azure-labeling.md: COCO export with width/height 0; a classification project's
// annotations carry no geometry, one per label of the image.
TEST(AzureCocoClassification, AnnotationsWithoutGeometryAreImageLabels) {
    const std::string coco = R"({
      "images": [{"id": 1, "file_name": "a.jpg", "width": 0.0, "height": 0.0},
                 {"id": 2, "file_name": "b.jpg", "width": 0.0, "height": 0.0}],
      "annotations": [{"id": 1, "image_id": 1, "category_id": 1},
                      {"id": 2, "image_id": 1, "category_id": 2},
                      {"id": 3, "image_id": 2, "category_id": 2},
                      {"id": 4, "image_id": 2, "category_id": 2}],
      "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]})";
    for (CocoFlavor flavor : {CocoFlavor::kDetect, CocoFlavor::kAzure}) {
        auto parsed = ParseCoco({{"labels.json", coco}}, flavor);
        ASSERT_TRUE(parsed.ok()) << parsed.error().message;
        EXPECT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
        ASSERT_EQ(parsed->records.size(), 2u);
        EXPECT_EQ(parsed->records[0].labels, (std::vector<std::string>{"cat", "dog"}));
        EXPECT_EQ(parsed->records[1].labels, (std::vector<std::string>{"dog"}));  // once
        EXPECT_TRUE(parsed->records[0].shapes.empty());
    }
}

TEST(CocoDropped, KeypointsAloneAreCountedNotErrors) {
    const std::string coco = R"({
      "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
      "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "keypoints": [1, 1, 2],
                       "num_keypoints": 1}],
      "categories": [{"id": 1, "name": "person"}]})";
    auto parsed = ParseCoco({{"k.json", coco}}, CocoFlavor::kPixel);
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed->errors.empty());
    EXPECT_EQ(parsed->records.at(0).dropped, (Kinds{{"keypoints", 1}}));
    EXPECT_EQ(parsed->records.at(0).file, "k.json");
}

// --- CVAT for images 1.1: every kind of <image> child

TEST(CvatShapes, EllipsesAndRotatedBoxesArePolygonsOtherKindsAreCounted) {
    const std::string xml = R"(<annotations><version>1.1</version>
  <image id="0" name="a.jpg" width="100" height="100">
    <ellipse label="cell" cx="50" cy="40" rx="20" ry="10" rotation="90" z_order="0"/>
    <box label="car" xtl="10" ytl="10" xbr="30" ybr="20" rotation="90"/>
    <polyline label="lane" points="0,0;10,10"/>
    <points label="eye" points="5,5"/>
    <tag label="day"/>
  </image>
  <image id="1" name="b.jpg" width="100" height="100">
    <polyline label="lane" points="0,0;10,10"/>
    <polyline label="lane" points="0,5;10,15"/>
  </image>
</annotations>)";
    auto parsed = ParseCvat({{"annotations.xml", xml}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 2u);
    const ImportRecord& a = parsed->records[0];
    ASSERT_EQ(a.shapes.size(), 2u);
    // The ellipse turned a quarter: 40 wide becomes 40 high; every vertex is on the curve.
    const Ring& ellipse = testing::PolygonOf(a.shapes[0]).rings.at(0);
    EXPECT_GE(ellipse.size(), 12u);
    double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
    for (const ImagePoint& p : ellipse) {
        EXPECT_NEAR(std::pow((p.x - 50) / 10, 2) + std::pow((p.y - 40) / 20, 2), 1, 1e-9);
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, p.y);
        y1 = std::max(y1, p.y);
    }
    // The extreme points are vertices: the polygon's box is the ellipse's.
    EXPECT_EQ(ellipse.size() % 4, 0u);
    EXPECT_NEAR(y1 - y0, 40, 1e-9);
    EXPECT_NEAR(x1 - x0, 20, 1e-9);
    // The 20 x 10 box turned about its centre (20, 15) is 10 x 20.
    const Ring& box = testing::PolygonOf(a.shapes[1]).rings.at(0);
    ASSERT_EQ(box.size(), 4u);
    EXPECT_NEAR(box[0].x, 25, 1e-9);
    EXPECT_NEAR(box[0].y, 5, 1e-9);
    EXPECT_NEAR(box[2].x, 15, 1e-9);
    EXPECT_NEAR(box[2].y, 25, 1e-9);
    // The tag is an image-level label (ImportService counts it as dropped in shape projects).
    EXPECT_EQ(a.tags, (std::vector<std::string>{"day"}));
    EXPECT_EQ(a.dropped, (Kinds{{"points", 1}, {"polyline", 1}}));
    EXPECT_TRUE(parsed->records[1].shapes.empty());
    EXPECT_EQ(parsed->records[1].dropped, (Kinds{{"polyline", 2}}));
    EXPECT_EQ(parsed->records[1].file, "annotations.xml");
}

TEST(CvatShapes, TheSampleTaskExportsPolylineAndPointsAreCounted) {
    REQUIRE_SAMPLES(kSamples / "cvat_dataset");
    auto parsed = ParseCvat(FilesUnder(kSamples / "cvat_dataset/for_images/export_task"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 2u);
    EXPECT_EQ(parsed->records[0].shapes.size(), 1u);
    EXPECT_EQ(parsed->records[0].dropped, (Kinds{{"polyline", 1}}));
    EXPECT_EQ(parsed->records[1].dropped, (Kinds{{"points", 1}}));
    EXPECT_EQ(parsed->records[1].file, "train.xml");
}

// --- labelme JSON (wkentaro/labelme 5.x) as labelme2coco.py reads it

TEST(LabelmeShapes, GroupsMergeCirclesArePolygonsAndIgnoreAndBackgroundAreSkipped) {
    const std::string doc = R"({"version": "5.4.1", "imagePath": "a.jpg", "imageWidth": 100,
      "imageHeight": 80, "shapes": [
        {"label": "car", "points": [[0, 0], [10, 0], [10, 10]], "group_id": 1,
         "shape_type": "polygon", "flags": {}},
        {"label": "person", "points": [[50, 50], [60, 60]], "group_id": 1,
         "shape_type": "rectangle", "flags": {}},
        {"label": "car", "points": [[20, 20], [30, 30]], "group_id": 1,
         "shape_type": "rectangle", "flags": {}},
        {"label": "car", "points": [[40, 40], [45, 40], [45, 45]], "group_id": null,
         "shape_type": "polygon", "flags": {}},
        {"label": "ball", "points": [[70, 40], [70, 50]], "shape_type": "circle"},
        {"label": "__ignore__", "points": [[0, 0], [5, 0], [5, 5]], "shape_type": "polygon"},
        {"label": "_background_", "points": [[0, 0], [5, 0], [5, 5]], "shape_type": "polygon"},
        {"label": "road", "points": [[0, 0], [5, 5]], "shape_type": "line"},
        {"label": "road", "points": [[0, 0], [5, 5], [9, 9]], "shape_type": "linestrip"},
        {"label": "eye", "points": [[1, 1]], "shape_type": "point"}]})";
    auto parsed = ParseLabelMe({{"a.json", doc}});
    ASSERT_TRUE(parsed.ok());
    ASSERT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    const ImportRecord& r = parsed->records.at(0);
    ASSERT_EQ(r.shapes.size(), 4u);
    // car group 1: the polygon and the rectangle (as a 4-point ring) are one instance.
    EXPECT_EQ(r.shapes[0].label, "car");
    const Polygon& car = testing::PolygonOf(r.shapes[0]);
    ASSERT_EQ(car.rings.size(), 2u);
    EXPECT_EQ(car.rings[1], (Ring{{20, 20}, {30, 20}, {30, 30}, {20, 30}}));
    // The same group_id with another label is another instance (labelme2coco keys on both).
    EXPECT_EQ(r.shapes[1].label, "person");
    EXPECT_EQ(std::get<Box>(r.shapes[1].geometry), (Box{50, 50, 10, 10}));
    EXPECT_EQ(testing::PolygonOf(r.shapes[2]).rings.size(), 1u);  // group_id null: its own instance
    // The circle: centre (70, 40), radius 10.
    EXPECT_EQ(r.shapes[3].label, "ball");
    for (const ImagePoint& p : testing::PolygonOf(r.shapes[3]).rings.at(0)) {
        EXPECT_NEAR(std::hypot(p.x - 70, p.y - 40), 10, 1e-9);
    }
    EXPECT_EQ(
        r.dropped,
        (Kinds{
            {"__ignore__", 1}, {"_background_", 1}, {"line", 1}, {"linestrip", 1}, {"point", 1}}));
}

TEST(LabelmeShapes, OverlappingPartsOfAGroupAreTheirUnionNotAHole) {
    // Two 10 x 10 squares of one group overlapping in a 5 x 10 strip: labelme2coco ORs their
    // masks (150 pixels); even-odd rings would make the strip a hole (100 pixels).
    const std::string doc = R"({"imagePath": "a.jpg", "imageWidth": 40, "imageHeight": 30,
      "shapes": [
        {"label": "car", "points": [[0, 0], [10, 10]], "group_id": 3, "shape_type": "rectangle"},
        {"label": "car", "points": [[5, 0], [15, 0], [15, 10], [5, 10]], "group_id": 3,
         "shape_type": "polygon"},
        {"label": "car", "points": [[20, 20], [25, 25]], "group_id": 4, "shape_type": "rectangle"},
        {"label": "car", "points": [[30, 20], [35, 25]], "group_id": 4,
         "shape_type": "rectangle"}]})";
    auto parsed = ParseLabelMe({{"a.json", doc}});
    ASSERT_TRUE(parsed.ok());
    const ImportRecord& r = parsed->records.at(0);
    ASSERT_EQ(r.shapes.size(), 2u);
    const auto* mask = std::get_if<MaskRle>(&r.shapes[0].geometry);
    ASSERT_NE(mask, nullptr) << "overlapping parts should be one mask";
    EXPECT_EQ(RunsArea(mask->runs), 150);
    EXPECT_EQ(RasterizePolygon(MaskOutline(*mask, 40), {40, 30}), mask->runs);
    // Parts apart keep their exact rings.
    EXPECT_EQ(testing::PolygonOf(r.shapes[1]).rings.size(), 2u);
}

TEST(LabelmeShapes, FieldsOfTheWrongTypeAreNotAThrow) {
    // Found by the fuzzer: nlohmann's value() threw on a numeric imagePath / shape_type.
    const std::string doc = R"({"imagePath": 64, "imageWidth": 40, "imageHeight": 30,
      "shapes": [{"label": "car", "points": [[0, 0], [10, 10]], "shape_type": 7}]})";
    auto parsed = ParseLabelMe({{"a.json", doc}});
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->records.size(), 1u);
    EXPECT_EQ(parsed->records[0].name, "a");  // named after its file, as without imagePath
    EXPECT_TRUE(parsed->records[0].match_stem);
}

TEST(LabelmeShapes, MitLabelMeSegmObjectsAreCounted) {
    REQUIRE_SAMPLES(kSamples / "labelme_dataset");
    auto parsed = ParseLabelMe(FilesUnder(kSamples / "labelme_dataset"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 1u);
    EXPECT_EQ(parsed->records[0].shapes.size(), 5u);
    EXPECT_EQ(parsed->records[0].dropped, (Kinds{{"mask (segm)", 2}}));
}

// --- labelme2voc's semantic layout: class_names.txt, SegmentationClassPNG, 255 = __ignore__

TEST(Labelme2Voc, ClassNamesAndVoidPixels) {
    // labelme2voc.py writes class_names.txt without "__ignore__" and lblsave stores -1 as 255.
    const std::string names = "_background_\naeroplane\nbicycle";
    const std::string png = PalettePng(3, 2, {0, 1, 1, 255, 2, 255});
    auto parsed = ParseMasks({{"data_dataset_voc/class_names.txt", names},
                              {"data_dataset_voc/SegmentationClassPNG/2011_000003.png", png},
                              {"data_dataset_voc/SegmentationObjectPNG/2011_000003.png", png},
                              {"data_dataset_voc/JPEGImages/2011_000003.jpg", "jpeg"}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 1u);  // SegmentationObjectPNG holds instances, not classes
    const ImportRecord& r = parsed->records[0];
    EXPECT_EQ(r.name, "data_dataset_voc/JPEGImages/2011_000003");
    EXPECT_EQ(r.void_pixels, 2);
    ASSERT_EQ(r.shapes.size(), 2u);
    EXPECT_EQ(r.shapes[0].label, "aeroplane");
    EXPECT_EQ(std::get<MaskRle>(r.shapes[0].geometry).runs, (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(r.shapes[1].label, "bicycle");
    EXPECT_EQ(std::get<MaskRle>(r.shapes[1].geometry).runs, (std::vector<std::int64_t>{4, 1}));
    // labelme's own labels.txt, "__ignore__" first, reads the same.
    auto labels_txt = ParseMasks({{"class_names.txt", "__ignore__\n" + names},
                                  {"SegmentationClassPNG/2011_000003.png", png}});
    ASSERT_TRUE(labels_txt.ok());
    EXPECT_EQ(labels_txt->records.at(0).shapes.at(0).label, "aeroplane");
}

TEST(VocVoid, Value255AndItsColourAreNoLabelInEveryLayout) {
    // A Datumaro/CVAT labelmap.txt without a void line: 255 is void, not an unknown value.
    const std::string labelmap = "background:0,0,0::\ncat:128,0,0::\n";
    auto gray = ParseMasks(
        {{"labelmap.txt", labelmap}, {"SegmentationClass/a.png", PalettePng(2, 1, {1, 255})}});
    ASSERT_TRUE(gray.ok()) << gray.error().message;
    ASSERT_TRUE(gray->errors.empty()) << gray->errors[0].message;
    EXPECT_EQ(gray->records.at(0).void_pixels, 1);
    EXPECT_EQ(gray->records.at(0).shapes.size(), 1u);
    // The same mask as RGB: VOC's void colour 224,224,192.
    const std::string rgb = TestPng(2, 1, 2, 8, std::string("\x80\x00\x00\xe0\xe0\xc0", 6));
    auto colour = ParseMasks({{"labelmap.txt", labelmap}, {"SegmentationClass/a.png", rgb}});
    ASSERT_TRUE(colour.ok());
    ASSERT_TRUE(colour->errors.empty()) << colour->errors[0].message;
    EXPECT_EQ(colour->records.at(0).void_pixels, 1);
    // Another unknown value is still an error naming it.
    auto unknown = ParseMasks(
        {{"labelmap.txt", labelmap}, {"SegmentationClass/a.png", PalettePng(2, 1, {1, 7})}});
    ASSERT_TRUE(unknown.ok());
    ASSERT_EQ(unknown->errors.size(), 1u);
    EXPECT_NE(unknown->errors[0].message.find("pixel value 7"), std::string::npos);
    // A map that names 255 (Kaggle's binary masks: 255 is the object) keeps its meaning.
    auto binary = ParseMasks({{"masks/a.png", PalettePng(2, 1, {0, 255})}});
    ASSERT_TRUE(binary.ok());
    EXPECT_EQ(binary->records.at(0).void_pixels, 0);
    EXPECT_EQ(binary->records.at(0).shapes.size(), 1u);
}

}  // namespace
}  // namespace tessera
