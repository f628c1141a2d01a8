// Readers added for issue 3 ("Conformance"): CVAT <mask> and project subsets, the semantic mask
// layouts (CamVid, Cityscapes, Datumaro's common semantic segmentation, Kaggle image_mask), COCO
// panoptic, and the mask outlines used in box and polygon projects. Datumaro's format samples
// are read at test time (skipped when ../shared is absent); exact pixels are checked.
#include <gtest/gtest.h>

#include <random>

#include "domain/raster.hpp"
#include "formats/coco_import.hpp"
#include "formats/coco_panoptic_import.hpp"
#include "formats/createml_import.hpp"
#include "formats/cvat_import.hpp"
#include "formats/import_test_support.hpp"
#include "formats/mask_label_map_import.hpp"
#include "formats/mask_outline.hpp"
#include "formats/masks_import.hpp"
#include "formats/png_import.hpp"
#include "formats/segment_anything_import.hpp"
#include "formats/voc_import.hpp"
#include "formats/yolo_import.hpp"

namespace tessera {
namespace {

using testing::FilesUnder;
using testing::kSamples;
using testing::TestPng;

using Runs = std::vector<std::int64_t>;

// Label -> runs of one record, for compact expectations.
std::map<std::string, Runs> MasksOf(const ImportRecord& record) {
    std::map<std::string, Runs> out;
    for (const Shape& shape : record.shapes) {
        EXPECT_TRUE(out.emplace(shape.label, std::get<MaskRle>(shape.geometry).runs).second)
            << "two masks of " << shape.label;
    }
    return out;
}

// Label and runs of every mask of one record, in order (instances may share a label).
using LabeledRuns = std::vector<std::pair<std::string, Runs>>;
LabeledRuns ShapesOf(const ImportRecord& record) {
    LabeledRuns out;
    for (const Shape& shape : record.shapes) {
        out.emplace_back(shape.label, std::get<MaskRle>(shape.geometry).runs);
    }
    return out;
}

const ImportRecord* Named(const ParsedImport& parsed, const std::string& name) {
    for (const ImportRecord& r : parsed.records) {
        if (r.name == name) {
            return &r;
        }
    }
    ADD_FAILURE() << "no record named " << name;
    return nullptr;
}

// --- mask outlines

TEST(MaskOutline, OnePixelIsAUnitSquareClockwiseOnScreen) {
    const Polygon p = MaskOutline(MaskRle{{7, 1}}, 5);  // pixel (2, 1)
    ASSERT_EQ(p.rings.size(), 1u);
    EXPECT_EQ(p.rings[0], (Ring{{2, 1}, {3, 1}, {3, 2}, {2, 2}}));
    EXPECT_EQ(MaskBounds(MaskRle{{7, 1}}, 5), (Box{2, 1, 1, 1}));
    EXPECT_TRUE(MaskOutline(MaskRle{}, 5).rings.empty());
}

TEST(MaskOutline, DiagonalPixelsAndHolesGiveSeparateRings) {
    // 3 x 3: (0,0) and (1,1) touch at a corner only.
    EXPECT_EQ(MaskOutline(MaskRle{{0, 1, 4, 1}}, 3).rings.size(), 2u);
    // A ring of 8 pixels around the centre of a 3 x 3 image: outer boundary and a hole.
    const MaskRle ring{{0, 4, 5, 4}};
    const Polygon p = MaskOutline(ring, 3);
    ASSERT_EQ(p.rings.size(), 2u);
    EXPECT_EQ(RasterizePolygon(p, {3, 3}), ring.runs);
    // A run wrapping from one row into the next: pixels 3..6 of a 5-wide image.
    EXPECT_EQ(MaskBounds(MaskRle{{3, 4}}, 5), (Box{0, 0, 5, 2}));
}

// Filling the outline at pixel centres (even-odd) gives back the mask, for random masks with
// many holes, islands and diagonal contacts.
TEST(MaskOutline, RasterisingTheOutlineGivesBackEveryPixel) {
    std::mt19937 random(20261129);
    for (int trial = 0; trial < 50; ++trial) {
        const int width = 1 + static_cast<int>(random() % 23);
        const int height = 1 + static_cast<int>(random() % 17);
        const int percent = static_cast<int>(random() % 100);
        MaskRle mask;
        for (std::int64_t i = 0; i < std::int64_t{width} * height; ++i) {
            if (static_cast<int>(random() % 100) < percent) {
                const std::size_t n = mask.runs.size();
                if (n >= 2 && mask.runs[n - 2] + mask.runs[n - 1] == i) {
                    ++mask.runs[n - 1];
                } else {
                    mask.runs.insert(mask.runs.end(), {i, 1});
                }
            }
        }
        const Polygon outline = MaskOutline(mask, width);
        for (const Ring& r : outline.rings) {
            ASSERT_GE(r.size(), 4u);
        }
        EXPECT_EQ(RasterizePolygon(outline, {width, height}), mask.runs)
            << width << "x" << height << " at " << percent << "%";
    }
}

// --- CVAT <mask>

TEST(CvatMask, RunsInsideTheBoxBecomeImageRunsClippedToTheImage) {
    // Box at (1, 1), 3 x 2: rows "011" and "110" -> image pixels (2,1), (3,1), (1,2), (2,2).
    auto mask = CvatMaskToImage("1, 4, 1", 1, 1, 3, 2, {5, 4});
    ASSERT_TRUE(mask.ok()) << mask.error().message;
    EXPECT_EQ(mask->runs, (Runs{7, 2, 11, 2}));
    // The same box pushed off the right edge of a 3-wide image loses its last column.
    auto clipped = CvatMaskToImage("1, 4, 1", 1, 1, 3, 2, {3, 4});
    ASSERT_TRUE(clipped.ok());
    EXPECT_EQ(clipped->runs, (Runs{5, 1, 7, 2}));
    EXPECT_FALSE(CvatMaskToImage("1, 9", 0, 0, 3, 2, {5, 4}).ok());  // more than the box
    EXPECT_FALSE(CvatMaskToImage("1, x", 0, 0, 3, 2, {5, 4}).ok());
    // Counts no mask has: refused, never cast out of range (undefined behaviour).
    EXPECT_FALSE(CvatMaskToImage("1e300, 1", 0, 0, 3, 2, {5, 4}).ok());
    EXPECT_FALSE(CvatMaskToImage("1, inf", 0, 0, 3, 2, {5, 4}).ok());
    EXPECT_FALSE(CvatMaskToImage(" , 1", 0, 0, 3, 2, {5, 4}).ok());
}

TEST(CvatMask, ParsedFromAnnotationsXml) {
    const std::string xml = R"(<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version>
  <image id="0" name="a.png" width="5" height="4">
    <mask label="road" source="manual" occluded="0" rle="1, 4, 1" left="1" top="1" width="3"
          height="2" z_order="0"></mask>
    <mask label="car" rle="0, 1" left="0" top="0" width="1" height="1"/>
  </image>
  <image id="1" name="b.png">
    <mask label="road" rle="0, 1" left="0" top="0" width="1" height="1"/>
  </image>
</annotations>)";
    auto parsed = ParseCvat({{"annotations.xml", xml}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 1u);
    EXPECT_EQ(MasksOf(parsed->records[0]),
              (std::map<std::string, Runs>{{"road", {7, 2, 11, 2}}, {"car", {0, 1}}}));
    ASSERT_EQ(parsed->errors.size(), 1u);  // b.png states no size
    EXPECT_EQ(parsed->errors[0].row, 2);
    EXPECT_NE(parsed->errors[0].message.find("width and height"), std::string::npos);
}

TEST(CvatTags, AreImageLevelLabelsKeptApartFromShapes) {
    const std::string xml = R"(<annotations><version>1.1</version>
  <image id="0" name="a.png" width="5" height="4">
    <tag label="Cat" source="manual"><attribute name="pose">sitting</attribute></tag>
    <tag label="Indoor" source="manual"></tag>
    <box label="Cat" xtl="1" ytl="1" xbr="3" ybr="3"/>
  </image>
  <image id="1" name="b.png"><tag label="Dog"/></image>
  <image id="2" name="c.png"><tag source="manual"/></image>
</annotations>)";
    auto parsed = ParseCvat({{"annotations.xml", xml}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 2u);
    EXPECT_EQ(parsed->records[0].tags, (std::vector<std::string>{"Cat", "Indoor"}));
    EXPECT_EQ(parsed->records[0].shapes.size(), 1u);
    EXPECT_TRUE(parsed->records[0].dropped.empty());
    EXPECT_EQ(parsed->records[1].tags, (std::vector<std::string>{"Dog"}));
    ASSERT_EQ(parsed->errors.size(), 1u);  // a tag without a label
    EXPECT_NE(parsed->errors[0].message.find("needs a label"), std::string::npos);
}

// --- CVAT project export: subsets repeat image names

TEST(CvatProject, RecordsAreNamedBySubsetAndMatchByPathOnly) {
    REQUIRE_SAMPLES(kSamples / "cvat_dataset");
    auto project = ParseCvat(FilesUnder(kSamples / "cvat_dataset/for_images/export_project"));
    ASSERT_TRUE(project.ok()) << project.error().message;
    std::vector<std::string> names;
    for (const ImportRecord& r : project->records) {
        names.push_back(r.name);
        EXPECT_FALSE(r.path_only_reason.empty()) << r.name;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"Test/img0.jpg", "Test/img1.jpg", "Train/img0.jpg",
                                               "Train/img1.jpg", "Validation/img0.jpg",
                                               "Validation/img1.jpg"}));
    // A task export has no subsets: plain names, matched by file name as before.
    auto task = ParseCvat(FilesUnder(kSamples / "cvat_dataset/for_images/export_task"));
    ASSERT_TRUE(task.ok());
    EXPECT_EQ(task->records[0].name, "img0.jpg");
    EXPECT_TRUE(task->records[0].path_only_reason.empty());
}

// --- semantic mask layouts

TEST(MaskLayouts, CamVidWithTheStandardColours) {
    REQUIRE_SAMPLES(kSamples / "camvid_dataset");
    auto parsed = ParseMasks(FilesUnder(kSamples / "camvid_dataset"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 4u);  // the images in train/, test/, val/ are not masks
    const ImportRecord* train = Named(*parsed, "train/0001TP_006690");
    ASSERT_NE(train, nullptr);
    EXPECT_EQ(train->size->width, 5);
    EXPECT_EQ(MasksOf(*train),
              (std::map<std::string, Runs>{{"Bicyclist", {0, 2, 3, 2}}, {"Road", {2, 1}}}));
    const ImportRecord* test = Named(*parsed, "test/0001TP_008550");
    ASSERT_NE(test, nullptr);
    EXPECT_EQ(MasksOf(*test),
              (std::map<std::string, Runs>{{"Animal", {0, 2}}, {"Road", {2, 1}}, {"Sky", {3, 2}}}));
}

TEST(MaskLayouts, CamVidLabelColorsFileOverridesTheStandardMap) {
    const std::string png = TestPng(2, 1, 2, 8, std::string("\x01\x02\x03\x00\x00\x00", 6));
    auto parsed = ParseMasks(
        {{"label_colors.txt", "0 0 0\tVoid\n1 2 3\tLane marking\n"}, {"trainannot/x.png", png}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 1u);
    EXPECT_EQ(parsed->records[0].name, "train/x");
    EXPECT_EQ(MasksOf(parsed->records[0]), (std::map<std::string, Runs>{{"Lane marking", {0, 1}}}));
    EXPECT_FALSE(ParseMasks({{"label_colors.txt", "1 2 road\n"}, {"a.png", png}}).ok());
}

TEST(MaskLayouts, CityscapesInstanceIdsWithTheStandardIds) {
    REQUIRE_SAMPLES(kSamples / "cityscapes_dataset");
    // 8-bit ids: 3 (out of roi) and 1 (ego vehicle) are void; 27 truck, 31 train, 12 wall,
    // 24 person.
    auto parsed = ParseMasks(FilesUnder(kSamples / "cityscapes_dataset/dataset"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 4u);
    const ImportRecord* a =
        Named(*parsed, "leftImg8bit/test/defaultcity/defaultcity_000001_000031_leftImg8bit");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(MasksOf(*a), (std::map<std::string, Runs>{{"truck", {2, 3}}}));
    const ImportRecord* b =
        Named(*parsed, "leftImg8bit/test/defaultcity/defaultcity_000001_000032_leftImg8bit");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(MasksOf(*b), (std::map<std::string, Runs>{{"train", {0, 2}}, {"wall", {2, 1}}}));
    const ImportRecord* val =
        Named(*parsed, "leftImg8bit/val/defaultcity/defaultcity_000001_000019_leftImg8bit");
    ASSERT_NE(val, nullptr);
    EXPECT_TRUE(val->shapes.empty());  // only void pixels
}

TEST(MaskLayouts, Cityscapes16BitInstanceIdsArePreferredToTrainIds) {
    REQUIRE_SAMPLES(kSamples / "cityscapes_dataset");
    auto parsed = ParseMasks(FilesUnder(kSamples / "cityscapes_dataset/train_dataset"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 4u);  // one per image, not one per file
    // 27001, 27002: two truck instances (id / 1000 = 27), one mask each, in id order (a
    // semantic project merges them per class; polygon and box projects keep both).
    const ImportRecord* a =
        Named(*parsed, "leftImg8bit/test/defaultcity/defaultcity_000001_000031_leftImg8bit");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(ShapesOf(*a), (LabeledRuns{{"truck", {2, 1}}, {"truck", {3, 2}}}));
    // The train ids alone: 14 is truck, 19 Datumaro's background.
    std::vector<ImportFile> train_ids;
    for (ImportFile& f : FilesUnder(kSamples / "cityscapes_dataset/train_dataset")) {
        if (f.path.find("labelTrainIds") != std::string::npos) {
            train_ids.push_back(std::move(f));
        }
    }
    auto by_train = ParseMasks(train_ids);
    ASSERT_TRUE(by_train.ok()) << by_train.error().message;
    const ImportRecord* t =
        Named(*by_train, "leftImg8bit/test/defaultcity/defaultcity_000001_000031_leftImg8bit");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(MasksOf(*t), (std::map<std::string, Runs>{{"truck", {2, 3}}}));
}

TEST(MaskLayouts, CommonSemanticSegmentationWithDatasetMeta) {
    REQUIRE_SAMPLES(kSamples / "common_semantic_segmentation_dataset");
    auto parsed = ParseMasks(FilesUnder(kSamples / "common_semantic_segmentation_dataset/dataset"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 2u);  // images/*.png are left alone
    const ImportRecord* one = Named(*parsed, "images/0001");
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(MasksOf(*one),
              (std::map<std::string, Runs>{{"Bicyclist", {0, 2, 3, 2}}, {"Road", {2, 1}}}));
    const ImportRecord* two = Named(*parsed, "images/0002");
    ASSERT_NE(two, nullptr);
    EXPECT_EQ(MasksOf(*two), (std::map<std::string, Runs>{{"Animal", {0, 3}}, {"Child", {3, 2}}}));
    auto meta = ParseDatasetMeta(
        R"({"label_map": {"0": "bg", "10": "b", "2": "a"}, "background_label": "0",
            "segmentation_colors": [[0, 0, 0], [1, 1, 1], [2, 2, 2]]})");
    ASSERT_TRUE(meta.ok()) << meta.error().message;
    EXPECT_TRUE(meta->classes[0].background);
    EXPECT_EQ(meta->classes[meta->by_value.at(10)].name, "b");
    EXPECT_EQ(meta->classes[meta->by_color.at(0x010101)].name, "b");  // colours in file order
    EXPECT_FALSE(ParseDatasetMeta(R"({"label_map": {"x": "a"}})").ok());
}

TEST(MaskLayouts, KaggleImageMaskWithAndWithoutLabelMap) {
    REQUIRE_SAMPLES(kSamples / "kaggle_dataset");
    auto mapped = ParseMasks(FilesUnder(kSamples / "kaggle_dataset/image_mask_with_labelmap"));
    ASSERT_TRUE(mapped.ok()) << mapped.error().message;
    EXPECT_TRUE(mapped->errors.empty()) << mapped->errors[0].message;
    ASSERT_EQ(mapped->records.size(), 3u);
    const ImportRecord* one = Named(*mapped, "images/001");
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(one->size->width, 5);
    EXPECT_EQ(MasksOf(*one),
              (std::map<std::string, Runs>{{"cat", {0, 1, 4, 1}}, {"dog", {1, 1, 3, 1}}}));
    // 16-bit binary masks without a map: 1 is "object".
    auto binary = ParseMasks(FilesUnder(kSamples / "kaggle_dataset/image_mask"));
    ASSERT_TRUE(binary.ok()) << binary.error().message;
    ASSERT_EQ(binary->records.size(), 2u);
    EXPECT_EQ(MasksOf(binary->records[0]), (std::map<std::string, Runs>{{"object", {0, 2, 4, 1}}}));
}

TEST(MaskLayouts, SixteenBitGrayIsDecodedBigEndian) {
    const std::string png = TestPng(2, 1, 0, 16, std::string("\x01\x02\x00\x07", 4));
    auto decoded = DecodeMaskPng(png);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_TRUE(decoded->indexed);
    EXPECT_EQ(decoded->Value(0), 258u);
    EXPECT_EQ(decoded->Value(1), 7u);
    // No map and no layout that has a standard one: say which files would do.
    auto unmapped = ParseMasks({{"a.png", png}});
    ASSERT_FALSE(unmapped.ok());
    EXPECT_NE(unmapped.error().message.find("labelmap.txt"), std::string::npos);
}

// --- YOLO without class names

TEST(YoloNames, AreRequiredAndTheErrorSaysWhy) {
    REQUIRE_SAMPLES(kSamples / "kaggle_dataset/relaxed_yolo");
    // Kaggle's relaxed layout: 1.txt beside 1.jpg, no names list.
    std::vector<ImportFile> files = FilesUnder(kSamples / "kaggle_dataset/relaxed_yolo");
    auto refused = ParseYolo(files);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("obj.names"), std::string::npos);
    EXPECT_NE(refused.error().message.find("not guessed"), std::string::npos);
    std::string names;
    for (int i = 0; i < 5; ++i) {
        names.append("c").append(std::to_string(i)).append("\n");
    }
    files.push_back({"obj.names", names});
    auto parsed = ParseYolo(files);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 2u);
    EXPECT_EQ(parsed->records[0].name, "1");
    ASSERT_EQ(parsed->records[0].shapes.size(), 2u);
    EXPECT_EQ(parsed->records[0].shapes[0].label, "c2");
    const Box& box = std::get<Box>(parsed->records[0].shapes[0].geometry);
    EXPECT_NEAR(box.x, 0.133333 - 0.266667 / 2, 1e-9);
    EXPECT_NEAR(box.h, 0.2, 1e-9);
}

// --- Kaggle's relaxed layouts and Roboflow's exports of formats we read

TEST(RelaxedLayouts, KaggleAndRoboflowVocCocoYoloAreReadByTheirReaders) {
    REQUIRE_SAMPLES(kSamples / "roboflow_dataset");
    const Box want{2, 1, 3, 1};  // train_001.jpg's box in Roboflow's COCO file
    auto coco = ParseCoco(FilesUnder(kSamples / "roboflow_dataset/coco"), CocoFlavor::kDetect);
    ASSERT_TRUE(coco.ok()) << coco.error().message;
    const ImportRecord* c = Named(*coco, "train_001.jpg");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(std::get<Box>(c->shapes.at(0).geometry), want);
    auto relaxed =
        ParseCoco(FilesUnder(kSamples / "kaggle_dataset/relaxed_coco"), CocoFlavor::kDetect);
    ASSERT_TRUE(relaxed.ok()) << relaxed.error().message;
    EXPECT_EQ(relaxed->records.size(), 2u);
    // Roboflow's YOLO: data.yaml at the root, <split>/labels beside <split>/images.
    auto yolo = ParseYolo(FilesUnder(kSamples / "roboflow_dataset/yolo"));
    ASSERT_TRUE(yolo.ok()) << yolo.error().message;
    const ImportRecord* y = Named(*yolo, "train/images/train_001");
    ASSERT_NE(y, nullptr);
    EXPECT_EQ(y->shapes.at(0).label, "label_0");
    const Box& yb = std::get<Box>(y->shapes.at(0).geometry);
    EXPECT_NEAR(yb.x * 10, want.x, 1e-9);
    EXPECT_NEAR(yb.w * 10, want.w, 1e-9);
    // Roboflow's VOC writes the COCO box's corners (xmin 2, xmax 5): read by default, the same
    // box as its COCO file; the devkit's 1-based reading makes it one pixel wider, to the left.
    auto voc = ParseVoc(FilesUnder(kSamples / "roboflow_dataset/voc"));
    ASSERT_TRUE(voc.ok()) << voc.error().message;
    const ImportRecord* v = Named(*voc, "train_001.jpg");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(std::get<Box>(v->shapes.at(0).geometry), want);
    auto devkit = ParseVoc(FilesUnder(kSamples / "roboflow_dataset/voc"), VocConvention::kDevkit);
    ASSERT_TRUE(devkit.ok());
    EXPECT_EQ(std::get<Box>(Named(*devkit, "train_001.jpg")->shapes.at(0).geometry),
              (Box{1, 0, 4, 2}));
    for (const char* dir : {"kaggle_dataset/relaxed_voc1", "kaggle_dataset/relaxed_voc2"}) {
        auto relaxed_voc = ParseVoc(FilesUnder(kSamples / dir));
        ASSERT_TRUE(relaxed_voc.ok()) << dir << ": " << relaxed_voc.error().message;
        const ImportRecord* r = Named(*relaxed_voc, "2007_000001.jpg");
        ASSERT_NE(r, nullptr) << dir;
        ASSERT_EQ(r->shapes.size(), 2u) << dir;
        EXPECT_EQ(std::get<Box>(r->shapes[0].geometry), (Box{1, 2, 2, 2})) << dir;
    }
}

// --- COCO panoptic

TEST(CocoPanoptic, SegmentsBecomeMasksOfTheirCategory) {
    REQUIRE_SAMPLES(kSamples / "coco_dataset");
    const auto dir = kSamples / "coco_dataset/coco/annotations";
    std::vector<ImportFile> files;
    for (ImportFile& f : FilesUnder(dir)) {
        if (f.path.starts_with("panoptic")) {
            files.push_back(std::move(f));
        }
    }
    EXPECT_TRUE(LooksLikeCocoPanoptic(files));
    auto parsed = ParseCocoPanoptic(files);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 2u);
    // a.png, 10 x 5: segment 7 (category "a") covers columns 2-3 and 5-6 of every row.
    const ImportRecord* a = Named(*parsed, "a.jpg");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->size->width, 10);
    EXPECT_EQ(MasksOf(*a),
              (std::map<std::string, Runs>{
                  {"a", {2, 2, 5, 2, 12, 2, 15, 2, 22, 2, 25, 2, 32, 2, 35, 2, 42, 2, 45, 2}}}));
    // b.png, 5 x 10: segment 7 ("a") columns 0-1, segment 20 ("b") columns 2-3.
    const ImportRecord* b = Named(*parsed, "b.jpg");
    ASSERT_NE(b, nullptr);
    Runs left, middle;
    for (std::int64_t y = 0; y < 10; ++y) {
        left.insert(left.end(), {y * 5, 2});
        middle.insert(middle.end(), {y * 5 + 2, 2});
    }
    EXPECT_EQ(MasksOf(*b), (std::map<std::string, Runs>{{"a", left}, {"b", middle}}));
}

TEST(CocoPanoptic, APngOfTheWrongSizeOrAnUnknownSegmentIsARowError) {
    REQUIRE_SAMPLES(kSamples / "coco_dataset");
    // Datumaro's coco_panoptic train sample: a.png is 5 x 5 but the image is 10 x 5.
    auto parsed = ParseCocoPanoptic(FilesUnder(kSamples / "coco_dataset/coco_panoptic"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_NE(parsed->errors[0].message.find("is 5x5 but image a.jpg is 10x5"), std::string::npos)
        << parsed->errors[0].message;
    EXPECT_EQ(parsed->records.size(), 1u);  // b.jpg is fine
    const std::string doc = R"({"images": [{"id": 1, "file_name": "x.jpg", "width": 1,
        "height": 1}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"image_id": 1,
        "file_name": "x.png", "segments_info": [{"id": 5, "category_id": 1}]}]})";
    auto unknown = ParseCocoPanoptic(
        {{"panoptic_x.json", doc},
         {"panoptic_x/x.png", TestPng(1, 1, 2, 8, std::string("\x06\x00\x00", 3))}});
    ASSERT_TRUE(unknown.ok());
    ASSERT_EQ(unknown->errors.size(), 1u);
    EXPECT_NE(unknown->errors[0].message.find("segment id 6"), std::string::npos);
    auto missing = ParseCocoPanoptic({{"panoptic_x.json", doc}});
    ASSERT_TRUE(missing.ok());
    ASSERT_EQ(missing->errors.size(), 1u);
    EXPECT_NE(missing->errors[0].message.find("not in the upload"), std::string::npos);
}

// --- Roboflow CreateML

TEST(CreateMl, CentresBecomeCornersAndImagesAreNamedFromTheJsonFolder) {
    REQUIRE_SAMPLES(kSamples / "roboflow_dataset/createml");
    auto parsed = ParseCreateMl(FilesUnder(kSamples / "roboflow_dataset/createml"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty());
    ASSERT_EQ(parsed->records.size(), 3u);
    // {"x": 2, "y": 1, "width": 3, "height": 1} is centred on (2, 1). Datumaro's sample was
    // written from the COCO box (2, 1, 3, 1) as if x, y were its corner; Create ML and
    // Roboflow's own exports mean the centre, and so do we.
    const ImportRecord* train = Named(*parsed, "train/train_001.jpg");
    ASSERT_NE(train, nullptr);
    ASSERT_EQ(train->shapes.size(), 1u);
    EXPECT_EQ(train->shapes[0].label, "label_0");
    EXPECT_EQ(std::get<Box>(train->shapes[0].geometry), (Box{0.5, 0.5, 3, 1}));
    const ImportRecord* val = Named(*parsed, "val/val_001.jpg");
    ASSERT_NE(val, nullptr);
    ASSERT_EQ(val->shapes.size(), 2u);
    EXPECT_EQ(std::get<Box>(val->shapes[1].geometry), (Box{-4.5, -0.5, 9, 1}));  // clamped later
    auto bad = ParseCreateMl(
        {{"a.json",
          R"([{"image": "a.jpg", "annotations": [{"label": "x", "coordinates": {}}]}])"}});
    ASSERT_TRUE(bad.ok());
    ASSERT_EQ(bad->errors.size(), 1u);
    EXPECT_NE(bad->errors[0].message.find("x, y, width, height"), std::string::npos);
    EXPECT_FALSE(ParseCreateMl({{"a.json", R"({"images": []})"}}).ok());  // not Create ML
}

// --- Segment Anything

TEST(SegmentAnything, MasksTakeTheGivenLabelAndTheirPredictedIou) {
    REQUIRE_SAMPLES(kSamples / "segment_anything_dataset");
    const auto dir = kSamples / "segment_anything_dataset";
    auto refused = ParseSegmentAnything(FilesUnder(dir), "");
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("label="), std::string::npos);
    auto parsed = ParseSegmentAnything({{"a.json", testing::ReadAll(dir / "a.json")}}, "thing");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 1u);
    const ImportRecord& a = parsed->records[0];
    EXPECT_EQ(a.name, "a.jpg");
    EXPECT_EQ(a.size->width, 10);
    // "`04n0" over 5 x 10, column-major: pixels (3, 1) to (3, 4), the annotation's bbox.
    EXPECT_EQ(ShapesOf(a), (LabeledRuns{{"thing", {13, 1, 23, 1, 33, 1, 43, 1}}}));
    EXPECT_NEAR(*a.shapes[0].confidence, 0.2633798, 1e-6);
    // b.json's RLE says [5, 10] (height 5) for an image 5 wide and 10 high: a row error.
    auto b = ParseSegmentAnything(FilesUnder(dir), "thing");
    ASSERT_TRUE(b.ok()) << b.error().message;
    ASSERT_EQ(b->errors.size(), 1u);
    EXPECT_NE(b->errors[0].message.find("b.json: the RLE's size [5, 10] is not the image's"),
              std::string::npos)
        << b->errors[0].message;
}

// --- COCO stuff: COCO with uncompressed RLE "stuff" segments

TEST(CocoStuff, RleSegmentsAreReadByTheCocoReader) {
    REQUIRE_SAMPLES(kSamples / "coco_dataset/coco_stuff");
    auto parsed = ParseCoco(FilesUnder(kSamples / "coco_dataset/coco_stuff/annotations"),
                            CocoFlavor::kDetect);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 2u);
    const ImportRecord* a = Named(*parsed, "a.jpg");
    ASSERT_NE(a, nullptr);
    // counts [10, 10, 5, 10, 15], column-major over 10 x 5: columns 2-3 and 5-6 of every row
    // (the file's bbox [2, 0, 4, 4] understates it; the RLE is what counts).
    ASSERT_EQ(a->shapes.size(), 1u);
    EXPECT_EQ(
        ShapesOf(*a),
        (LabeledRuns{{"a", {2, 2, 5, 2, 12, 2, 15, 2, 22, 2, 25, 2, 32, 2, 35, 2, 42, 2, 45, 2}}}));
    const ImportRecord* b = Named(*parsed, "b.jpg");
    ASSERT_NE(b, nullptr);
    // [0, 20, 30] over 5 x 10: columns 0 and 1 of every row.
    Runs left;
    for (std::int64_t y = 0; y < 10; ++y) {
        left.insert(left.end(), {y * 5, 2});
    }
    EXPECT_EQ(ShapesOf(*b), (LabeledRuns{{"b", left}}));
}

}  // namespace
}  // namespace tessera
