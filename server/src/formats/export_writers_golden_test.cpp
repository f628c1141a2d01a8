// Golden tests for the export writers: a small hand-made project against the expected files in
// testdata/, plus the properties the golden files cannot show (RLE order, streaming, errors).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "formats/automl_writer.hpp"
#include "formats/coco_rle_writer.hpp"
#include "formats/coco_writer.hpp"
#include "formats/export_test_support.hpp"
#include "formats/voc_writer.hpp"
#include "formats/yolo_writer.hpp"

namespace tessera {
namespace {

using testing::CountingSink;
using testing::DetectionSample;
using testing::ExpectGolden;
using testing::MakeBox;
using testing::MakeMask;
using testing::MemorySink;
using testing::SampleCategories;
using testing::SampleImage;

// The error code of a failed Status/Result; a success reads as an impossible code so that the
// EXPECT_EQ fails with a clear value.
template <typename R>
int CodeOf(const R& r) {
    return r.ok() ? -1 : static_cast<int>(r.error().code);
}

std::string WriteCoco(CocoExportFlavor flavor, const std::vector<ExportImage>& images) {
    MemorySink sink;
    CocoWriter coco(sink, flavor, SampleCategories());
    EXPECT_TRUE(coco.Begin().ok());
    for (const ExportImage& image : images) {
        EXPECT_TRUE(coco.WriteImage(image).ok());
    }
    EXPECT_TRUE(coco.BeginAnnotations().ok());
    for (const ExportImage& image : images) {
        Status s = coco.WriteAnnotations(image);
        EXPECT_TRUE(s.ok()) << s.error().message;
    }
    EXPECT_TRUE(coco.Finish().ok());
    return sink.data;
}

TEST(CocoWriterTest, PixelMatchesGolden) {
    std::string out = WriteCoco(CocoExportFlavor::kPixel, DetectionSample());
    ExpectGolden("coco_pixel.json", out);
    auto doc = nlohmann::json::parse(out);
    EXPECT_EQ(doc["images"][0]["width"], 640);
    EXPECT_EQ(doc["annotations"][0]["bbox"], nlohmann::json({10, 10, 30, 60}));
    EXPECT_EQ(doc["annotations"][1]["area"], 4000 + 10000);  // triangle + square
    EXPECT_EQ(doc["annotations"][1]["segmentation"].size(), 2u);
    EXPECT_EQ(doc["annotations"][2]["score"], 0.75);
}

TEST(CocoWriterTest, AzureMatchesGoldenAndTheDocsExample) {
    std::string out = WriteCoco(CocoExportFlavor::kAzure, DetectionSample());
    ExpectGolden("coco_azure.json", out);
    auto doc = nlohmann::json::parse(out);
    EXPECT_EQ(doc["images"][0]["width"], 0);
    EXPECT_EQ(doc["images"][0]["height"], 0);
    // Azure's documented example: 640x480, box at (10,10) 30x60 px.
    auto bbox = doc["annotations"][0]["bbox"];
    EXPECT_DOUBLE_EQ(bbox[0].get<double>(), 0.015625);
    EXPECT_NEAR(bbox[1].get<double>(), 0.02083, 1e-5);
    EXPECT_DOUBLE_EQ(bbox[2].get<double>(), 0.046875);
    EXPECT_DOUBLE_EQ(bbox[3].get<double>(), 0.125);
    EXPECT_DOUBLE_EQ(doc["annotations"][1]["segmentation"][0][0].get<double>(), 300.0 / 640);
}

TEST(CocoWriterTest, EmptyProjectIsValidJson) {
    auto doc = nlohmann::json::parse(WriteCoco(CocoExportFlavor::kPixel, {}));
    EXPECT_TRUE(doc["images"].empty());
    EXPECT_TRUE(doc["annotations"].empty());
    EXPECT_EQ(doc["categories"].size(), 3u);
    EXPECT_EQ(doc["categories"][1]["name"], "Animal/Cat");
    EXPECT_EQ(doc["categories"][1]["id"], 2);
}

TEST(CocoWriterTest, OutOfOrderCallsAreErrors) {
    MemorySink sink;
    CocoWriter coco(sink, CocoExportFlavor::kPixel, SampleCategories());
    EXPECT_EQ(CodeOf(coco.WriteImage(DetectionSample()[0])),
              static_cast<int>(ErrorCode::kInternal));
    ASSERT_TRUE(coco.Begin().ok());
    EXPECT_EQ(CodeOf(coco.WriteAnnotations(DetectionSample()[0])),
              static_cast<int>(ErrorCode::kInternal));
    EXPECT_EQ(CodeOf(coco.Finish()), static_cast<int>(ErrorCode::kInternal));
}

TEST(CocoWriterTest, UnknownLabelStopsTheExport) {
    MemorySink sink;
    CocoWriter coco(sink, CocoExportFlavor::kPixel, SampleCategories());
    ASSERT_TRUE(coco.Begin().ok());
    ASSERT_TRUE(coco.BeginAnnotations().ok());
    ExportImage image = SampleImage(1, "x.jpg", 10, 10, {MakeBox("Horse", 1, 1, 2, 2)});
    Status s = coco.WriteAnnotations(image);
    EXPECT_EQ(CodeOf(s), static_cast<int>(ErrorCode::kInternal));
    EXPECT_NE(s.error().message.find("Horse"), std::string::npos);
}

TEST(CocoWriterTest, SinkErrorStopsTheExport) {
    testing::FailAfterSink sink(1);
    CocoWriter coco(sink, CocoExportFlavor::kPixel, SampleCategories());
    ASSERT_TRUE(coco.Begin().ok());
    EXPECT_EQ(CodeOf(coco.WriteImage(DetectionSample()[0])),
              static_cast<int>(ErrorCode::kUnavailable));
}

// A million boxes go out in small writes: the writer keeps nothing per annotation, so memory
// does not grow with the project.
TEST(CocoWriterTest, MillionBoxesStreamInSmallWrites) {
    CountingSink sink;
    CocoWriter coco(sink, CocoExportFlavor::kPixel, SampleCategories());
    ASSERT_TRUE(coco.Begin().ok());
    ExportImage image = SampleImage(1, "big.jpg", 4000, 3000, {});
    for (int i = 0; i < 1000; ++i) {
        image.shapes.push_back(MakeBox("Dog", i, i, 10, 10));
    }
    ASSERT_TRUE(coco.WriteImage(image).ok());
    ASSERT_TRUE(coco.BeginAnnotations().ok());
    for (int i = 0; i < 1000; ++i) {
        image.id = i;
        ASSERT_TRUE(coco.WriteAnnotations(image).ok());
    }
    ASSERT_TRUE(coco.Finish().ok());
    EXPECT_GT(sink.total, 1000u * 1000u * 50u);
    EXPECT_LT(sink.largest_write, 512u);
}

// Reference: decide every pixel's state in column-major order and run-length it.
std::vector<std::int64_t> BruteForceCounts(const MaskRle& mask, int w, int h) {
    std::vector<bool> on(static_cast<std::size_t>(w) * h, false);
    for (std::size_t i = 0; i < mask.runs.size(); i += 2) {
        for (std::int64_t p = mask.runs[i]; p < mask.runs[i] + mask.runs[i + 1]; ++p) {
            on[p] = true;
        }
    }
    std::vector<std::int64_t> counts;
    bool value = false;
    std::int64_t run = 0;
    for (int x = 0; x < w; ++x) {
        for (int y = 0; y < h; ++y) {
            bool v = on[static_cast<std::size_t>(y) * w + x];
            if (v != value) {
                counts.push_back(run);
                value = v;
                run = 0;
            }
            ++run;
        }
    }
    counts.push_back(run);
    return counts;
}

std::vector<std::int64_t> WriterCounts(const MaskRle& mask, int w, int h) {
    auto spans = MaskRowSpans(mask, w, h);
    EXPECT_TRUE(spans.ok());
    std::vector<std::int64_t> counts;
    Status s = ForEachColumnMajorCount(*spans, w, h, [&](std::int64_t c) {
        counts.push_back(c);
        return Status::Ok();
    });
    EXPECT_TRUE(s.ok());
    return counts;
}

TEST(CocoRleTest, ColumnMajorByHand) {
    // 3 wide, 2 high; pixels (1,0), (2,0), (2,1) set: row-major runs [1,2) and [5,6) joined as
    // start 1 length 2 and start 5 length 1. Column-major: x0: 0 0 | x1: 1 0 | x2: 1 1.
    MaskRle mask{{1, 2, 5, 1}};
    EXPECT_EQ(WriterCounts(mask, 3, 2), (std::vector<std::int64_t>{2, 1, 1, 2}));
    // Starting with a set pixel gives a leading zero count.
    EXPECT_EQ(WriterCounts(MaskRle{{0, 1}}, 2, 2), (std::vector<std::int64_t>{0, 1, 3}));
    EXPECT_EQ(WriterCounts(MaskRle{}, 2, 2), (std::vector<std::int64_t>{4}));
}

TEST(CocoRleTest, MatchesBruteForceOnRandomMasks) {
    std::mt19937 rng(20240611);
    for (int trial = 0; trial < 200; ++trial) {
        int w = 1 + static_cast<int>(rng() % 23);
        int h = 1 + static_cast<int>(rng() % 17);
        MaskRle mask;
        std::int64_t p = static_cast<std::int64_t>(rng() % 5);
        while (p < static_cast<std::int64_t>(w) * h) {
            // May wrap rows and run past the end.
            std::int64_t len = 1 + static_cast<std::int64_t>(rng() % 30);
            mask.runs.push_back(p);
            mask.runs.push_back(len);
            p += len + 1 + static_cast<std::int64_t>(rng() % 20);
        }
        MaskRle clipped = mask;
        std::int64_t total = static_cast<std::int64_t>(w) * h;
        for (std::size_t i = 0; i < clipped.runs.size(); i += 2) {
            clipped.runs[i + 1] = std::min(clipped.runs[i + 1], total - clipped.runs[i]);
        }
        EXPECT_EQ(WriterCounts(mask, w, h), BruteForceCounts(clipped, w, h))
            << "trial " << trial << " " << w << "x" << h;
    }
}

TEST(CocoRleTest, RejectsUnsortedOrOverlappingRuns) {
    EXPECT_EQ(CodeOf(MaskRowSpans(MaskRle{{5, 2, 1, 1}}, 4, 4)),
              static_cast<int>(ErrorCode::kInternal));
    EXPECT_EQ(CodeOf(MaskRowSpans(MaskRle{{1, 3, 2, 1}}, 4, 4)),
              static_cast<int>(ErrorCode::kInternal));
    EXPECT_EQ(CodeOf(MaskRowSpans(MaskRle{{1}}, 4, 4)), static_cast<int>(ErrorCode::kInternal));
}

TEST(CocoWriterTest, MaskGolden) {
    // 4x3: label Dog on the top-left 2x2 square, Animal on the last column.
    std::vector<ExportImage> images = {
        SampleImage(3, "street.png", 4, 3,
                    {MakeMask("Dog", {0, 2, 4, 2}), MakeMask("Animal", {3, 1, 7, 1, 11, 1})})};
    std::string out = WriteCoco(CocoExportFlavor::kPixel, images);
    ExpectGolden("coco_masks.json", out);
    auto doc = nlohmann::json::parse(out);
    auto dog = doc["annotations"][0];
    EXPECT_EQ(dog["segmentation"]["size"], nlohmann::json({3, 4}));
    EXPECT_EQ(dog["segmentation"]["counts"], nlohmann::json({0, 2, 1, 2, 7}));
    EXPECT_EQ(dog["bbox"], nlohmann::json({0, 0, 2, 2}));
    EXPECT_EQ(dog["area"], 4);
    EXPECT_EQ(dog["iscrowd"], 1);
    EXPECT_EQ(doc["annotations"][1]["segmentation"]["counts"], nlohmann::json({9, 3}));
}

TEST(AutoMlWriterTest, MatchesGolden) {
    MemorySink sink;
    AutoMlWriter writer(sink);
    for (const ExportImage& image : DetectionSample()) {
        ASSERT_TRUE(writer.WriteImage(image).ok());
    }
    ExpectGolden("automl_shapes.jsonl", sink.data);
    auto first = nlohmann::json::parse(sink.data.substr(0, sink.data.find('\n')));
    EXPECT_DOUBLE_EQ(first["label"][0]["topX"].get<double>(), 10.0 / 640);
    EXPECT_DOUBLE_EQ(first["label"][0]["bottomY"].get<double>(), 70.0 / 480);
    EXPECT_EQ(first["label"][1]["polygon"].size(), 2u);
    EXPECT_EQ(first["label_confidence"], nlohmann::json({1.0, 1.0, 0.75}));
}

TEST(AutoMlWriterTest, MasksAreRefused) {
    auto line = AutoMlShapesLine(SampleImage(1, "m.png", 2, 2, {MakeMask("Dog", {0, 1})}));
    EXPECT_EQ(CodeOf(line), static_cast<int>(ErrorCode::kInternal));
}

TEST(VocWriterTest, MatchesGolden) {
    std::vector<ExportImage> images = DetectionSample();
    images[0].shapes.erase(images[0].shapes.begin() + 1);  // VOC holds boxes only
    EXPECT_EQ(VocEntryName(images[0]), "Annotations/indoor/cat & dog.xml");
    auto xml = VocXml(images[0]);
    ASSERT_TRUE(xml.ok());
    ExpectGolden("voc_cat_and_dog.xml", *xml);
}

// The corners, as CVAT and Datumaro write them (Datumaro voc_format/converter.py
// _write_xml_bbox: xmin = x, xmax = x + w), so their VOC import reads our boxes unchanged.
TEST(VocWriterTest, WholePixelCornersLikeCvatAndDatumaro) {
    VocBox v = ToVocBox(Box{10, 20, 30, 40}, 640, 480);
    EXPECT_EQ(v.xmin, 10);
    EXPECT_EQ(v.ymin, 20);
    EXPECT_EQ(v.xmax, 40);
    EXPECT_EQ(v.ymax, 60);
    // Sub-pixel boxes keep at least one pixel; boxes at the border stay inside.
    VocBox tiny = ToVocBox(Box{5.2, 5.2, 0.1, 0.1}, 10, 10);
    EXPECT_EQ(tiny.xmin, 5);
    EXPECT_EQ(tiny.xmax, 6);
    VocBox whole = ToVocBox(Box{0, 0, 10, 10}, 10, 10);
    EXPECT_EQ(whole.xmin, 0);
    EXPECT_EQ(whole.xmax, 10);
    VocBox edge = ToVocBox(Box{9.8, 0, 0.1, 1}, 10, 10);
    EXPECT_EQ(edge.xmin, 9);
    EXPECT_EQ(edge.xmax, 10);
}

TEST(VocWriterTest, PolygonsAreRefused) {
    EXPECT_EQ(CodeOf(VocXml(DetectionSample()[0])), static_cast<int>(ErrorCode::kInternal));
}

TEST(YoloWriterTest, MatchesGolden) {
    std::vector<ExportImage> images = DetectionSample();
    EXPECT_EQ(YoloEntryName(images[0]), "labels/indoor/cat & dog.txt");
    auto labels = YoloLabels(images[0], SampleCategories());
    ASSERT_TRUE(labels.ok());
    ExpectGolden("yolo_cat_and_dog.txt", *labels);
    ExpectGolden("yolo_data.yaml", YoloDataYaml(SampleCategories()));
    auto whole = YoloLabels(images[1], SampleCategories());
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(*whole, "2 0.5 0.5 1 1\n");
}

TEST(ExportImageTest, PathStemKeepsFolderDots) {
    EXPECT_EQ(PathStem("a.b/c"), "a.b/c");
    EXPECT_EQ(PathStem("a.b/c.tar.gz"), "a.b/c.tar");
    EXPECT_EQ(PathStem(".hidden"), ".hidden");
    EXPECT_EQ(BaseName("x/y/z.png"), "z.png");
    EXPECT_EQ(FormatNumber(0.1), "0.1");
    EXPECT_EQ(FormatNumber(-0.0), "0");
    EXPECT_EQ(FormatNumber(12), "12");
}

}  // namespace
}  // namespace tessera
