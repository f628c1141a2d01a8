// Parsers of other tools' formats, on Datumaro's format samples (skipped when ../shared is
// absent) and on small files written here.
#include <gtest/gtest.h>
#include <zip.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "formats/coco_import.hpp"
#include "formats/cvat_import.hpp"
#include "formats/import_test_support.hpp"
#include "formats/jsonl_import.hpp"
#include "formats/labelme_import.hpp"
#include "formats/masks_import.hpp"
#include "formats/png_import.hpp"
#include "formats/voc_import.hpp"
#include "formats/yolo_import.hpp"
#include "formats/zip_import.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

using testing::FilesUnder;
using testing::GrayPng;
using testing::kBccd;
using testing::kSamples;
using testing::ReadAll;

std::string MakeZip(const std::vector<ImportFile>& files) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error);
    zip_t* archive = zip_open_from_source(src, ZIP_TRUNCATE, &error);
    zip_source_keep(src);
    for (const ImportFile& f : files) {
        zip_source_t* data = zip_source_buffer(archive, f.bytes.data(), f.bytes.size(), 0);
        zip_file_add(archive, f.path.c_str(), data, ZIP_FL_ENC_UTF_8);
    }
    zip_close(archive);
    zip_source_open(src);
    zip_source_seek(src, 0, SEEK_END);
    const zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    std::string out(static_cast<std::size_t>(size), '\0');
    zip_source_read(src, out.data(), out.size());
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&error);
    return out;
}

const Box& BoxOf(const Shape& shape) {
    return std::get<Box>(shape.geometry);
}

// pycocotools' rleToString, to check the decoder against the encoder it inverts.
std::string EncodeCocoRle(const std::vector<std::int64_t>& counts) {
    std::string out;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        std::int64_t x = counts[i];
        if (i > 2) {
            x -= counts[i - 2];
        }
        bool more = true;
        while (more) {
            char c = static_cast<char>(x & 0x1f);
            x >>= 5;
            more = (c & 0x10) ? x != -1 : x != 0;
            if (more) {
                c |= 0x20;
            }
            out.push_back(static_cast<char>(c + 48));
        }
    }
    return out;
}

TEST(ZipImport, RoundTripsEntriesAndRejectsGarbage) {
    std::string zip = MakeZip({{"a/b.json", "{}"}, {"c.txt", std::string(1000, 'x')}});
    ASSERT_TRUE(LooksLikeZip(zip));
    auto files = ReadImportZip(zip);
    ASSERT_TRUE(files.ok()) << files.error().message;
    ASSERT_EQ(files->size(), 2u);
    EXPECT_EQ((*files)[0].path, "a/b.json");
    EXPECT_EQ((*files)[1].bytes, std::string(1000, 'x'));
    EXPECT_FALSE(ReadImportZip("PK\x03\x04garbage").ok());
    auto single = ReadImportBody("{\"images\": []}", "upload.json");
    ASSERT_TRUE(single.ok());
    EXPECT_EQ((*single)[0].path, "upload.json");
}

TEST(CocoImport, ReadsDatumaroInstancesSample) {
    REQUIRE_SAMPLES(kSamples / "coco_dataset");
    auto parsed = ParseCoco(
        {{"instances_train.json",
          ReadAll(kSamples / "coco_dataset/coco_instances/annotations/instances_train.json")}},
        CocoFlavor::kDetect);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 1u);
    const ImportRecord& a = parsed->records[0];
    EXPECT_EQ(a.name, "a.jpg");
    EXPECT_EQ(a.space, CoordSpace::kPixel);
    ASSERT_TRUE(a.size.has_value());
    EXPECT_EQ(a.size->width, 10);
    EXPECT_EQ(a.size->height, 5);
    ASSERT_EQ(a.shapes.size(), 1u);
    EXPECT_EQ(a.shapes[0].label, "b");
    EXPECT_EQ(BoxOf(a.shapes[0]), (Box{2, 2, 3, 1}));
}

TEST(CocoImport, EverySampleInstancesFileParses) {
    REQUIRE_SAMPLES(kSamples / "coco_dataset");
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(kSamples / "coco_dataset")) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with("instances") || entry.path().extension() != ".json") {
            continue;
        }
        ++files;
        auto parsed = ParseCoco({{name, ReadAll(entry.path())}}, CocoFlavor::kDetect);
        ASSERT_TRUE(parsed.ok()) << entry.path() << ": " << parsed.error().message;
        EXPECT_TRUE(parsed->errors.empty()) << entry.path() << ": " << parsed->errors[0].message;
        EXPECT_FALSE(parsed->records.empty()) << entry.path();
    }
    EXPECT_GT(files, 3);
}

TEST(CocoImport, DetectsAzureFlavourAndHonoursOverride) {
    const std::string azure = R"({"images": [{"id": 1, "file_name": "x/a.jpg", "width": 0,
        "height": 0}], "categories": [{"id": 3, "name": "cat"}], "annotations": [{"id": 1,
        "image_id": 1, "category_id": 3, "bbox": [0.1, 0.2, 0.3, 0.4], "segmentation": []}]})";
    auto detected = ParseCoco({{"a.json", azure}}, CocoFlavor::kDetect);
    ASSERT_TRUE(detected.ok());
    EXPECT_EQ(detected->records[0].space, CoordSpace::kNormalized);
    EXPECT_FALSE(detected->records[0].size.has_value());
    auto forced = ParseCoco({{"a.json", azure}}, CocoFlavor::kPixel);
    ASSERT_TRUE(forced.ok());
    EXPECT_EQ(forced->records[0].space, CoordSpace::kPixel);
    // Real sizes mean pixels even when every coordinate is small.
    std::string pixel = azure;
    pixel.replace(pixel.find("\"width\": 0"), 10, "\"width\": 9");
    auto small = ParseCoco({{"a.json", pixel}}, CocoFlavor::kDetect);
    ASSERT_TRUE(small.ok());
    EXPECT_EQ(small->records[0].space, CoordSpace::kPixel);
}

TEST(CocoImport, PolygonsAndBadReferencesAreReported) {
    const std::string doc = R"({"images": [{"id": 1, "file_name": "a.jpg", "width": 10,
        "height": 10}], "categories": [{"id": 1, "name": "cat"}], "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[1, 1, 5, 1, 5, 5],
         [6, 6, 8, 6, 8, 8]], "bbox": [1, 1, 7, 7]},
        {"id": 2, "image_id": 1, "category_id": 9, "bbox": [1, 1, 2, 2]},
        {"id": 3, "image_id": 7, "category_id": 1, "bbox": [1, 1, 2, 2]}]})";
    auto parsed = ParseCoco({{"a.json", doc}}, CocoFlavor::kDetect);
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->records[0].shapes.size(), 1u);
    const auto& polygon = std::get<Polygon>(parsed->records[0].shapes[0].geometry);
    ASSERT_EQ(polygon.rings.size(), 2u);
    EXPECT_EQ(polygon.rings[1][2], (ImagePoint{8, 8}));
    ASSERT_EQ(parsed->errors.size(), 2u);
    EXPECT_NE(parsed->errors[0].message.find("category_id"), std::string::npos);
    EXPECT_NE(parsed->errors[1].message.find("image_id"), std::string::npos);
    EXPECT_FALSE(ParseCoco({{"a.json", "[1, 2"}}, CocoFlavor::kDetect).ok());
}

TEST(CocoImport, RleCountsThatWouldOverflowAreRefusedNotSummed) {
    // Every reader of COCO RLE (COCO, Segment Anything, Datumaro) goes through this one check.
    const std::int64_t huge = std::numeric_limits<std::int64_t>::max();
    auto listed = CocoRleCountsToMask(nlohmann::json::array({huge, huge, 2}), 2, 2);
    ASSERT_FALSE(listed.ok());
    EXPECT_NE(listed.error().message.find("do not cover"), std::string::npos);
    // Compressed counts from the third on are deltas to the count two back: twelve characters
    // make a delta near 2^60, and twenty in a row would pass 2^63.
    std::string growing = "00";
    for (int i = 0; i < 40; ++i) {
        growing += std::string(11, static_cast<char>(48 + 0x3f)) + static_cast<char>(48 + 0x0f);
    }
    auto decoded = DecodeCocoRleString(growing);
    ASSERT_FALSE(decoded.ok());
    EXPECT_NE(decoded.error().message.find("malformed"), std::string::npos);
    EXPECT_FALSE(CocoRleCountsToMask(nlohmann::json(7), 2, 2).ok());
    auto whole = CocoRleCountsToMask(nlohmann::json::array({1, 3}), 2, 2);
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    EXPECT_EQ(whole->runs, (std::vector<std::int64_t>{1, 3}));
}

TEST(CocoImport, RleIsConvertedFromColumnMajor) {
    // 3 wide, 2 high; column-major pixels (x0y0, x0y1, x1y0, x1y1, x2y0, x2y1): 0 1 1 1 0 0.
    MaskRle mask = ColumnRunsToMask({1, 3, 2}, 3, 2);
    // Row-major: y0 = [0, 1, 0] -> index 1; y1 = [1, 1, 0] -> indices 3, 4.
    EXPECT_EQ(mask.runs, (std::vector<std::int64_t>{1, 1, 3, 2}));
    std::vector<std::int64_t> counts = {5, 17, 300, 2, 40, 1000, 3};
    auto decoded = DecodeCocoRleString(EncodeCocoRle(counts));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, counts);
    EXPECT_FALSE(DecodeCocoRleString("\x01").ok());
    const std::string doc = R"({"images": [{"id": 1, "file_name": "a.jpg", "width": 3,
        "height": 2}], "categories": [{"id": 1, "name": "road"}], "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 1,
         "segmentation": {"size": [2, 3], "counts": [1, 3, 2]}},
        {"id": 2, "image_id": 1, "category_id": 1, "iscrowd": 1,
         "segmentation": {"size": [2, 3], "counts": [1, 3]}}]})";
    auto parsed = ParseCoco({{"a.json", doc}}, CocoFlavor::kDetect);
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->records[0].shapes.size(), 1u);
    EXPECT_EQ(std::get<MaskRle>(parsed->records[0].shapes[0].geometry).runs,
              (std::vector<std::int64_t>{1, 1, 3, 2}));
    ASSERT_EQ(parsed->errors.size(), 1u);  // counts not covering the image
}

TEST(VocImport, ReadsDatumaroSampleAsCorners) {
    REQUIRE_SAMPLES(kSamples / "voc_dataset");
    auto parsed = ParseVoc(FilesUnder(kSamples / "voc_dataset/voc_dataset2/Annotations"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty());
    const ImportRecord* a = nullptr;
    for (const ImportRecord& r : parsed->records) {
        if (r.name == "a.jpg") {
            a = &r;
        }
    }
    ASSERT_NE(a, nullptr);
    ASSERT_FALSE(a->shapes.empty());
    EXPECT_EQ(a->shapes[0].label, "background");
    // Datumaro reads and writes corners (voc_format/extractor.py _parse_bbox:
    // [xmin, ymin, xmax - xmin, ymax - ymin]): xmin 1, xmax 4 is x 1, width 3.
    EXPECT_EQ(BoxOf(a->shapes[0]), (Box{1, 2, 3, 4}));
}

TEST(VocImport, ReadsAllOfBccd) {
    REQUIRE_SAMPLES(kBccd / "Annotations");
    auto parsed = ParseVoc(FilesUnder(kBccd / "Annotations"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    EXPECT_EQ(parsed->records.size(), 364u);
    std::size_t boxes = 0;
    for (const ImportRecord& r : parsed->records) {
        ASSERT_TRUE(r.size.has_value()) << r.name;
        boxes += r.shapes.size();
        for (const Shape& s : r.shapes) {
            EXPECT_TRUE(s.label == "RBC" || s.label == "WBC" || s.label == "Platelets") << s.label;
        }
    }
    EXPECT_GT(boxes, 364u);
}

TEST(VocImport, BrokenXmlIsARowError) {
    auto parsed = ParseVoc({{"a.xml", "<annotation><filename>a.jpg"},
                            {"b.xml",
                             "<annotation><object><name>x</name><bndbox><xmin>1</xmin>"
                             "<ymin>1</ymin><xmax>3</xmax><ymax>4</ymax></bndbox>"
                             "</object></annotation>"}});
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_EQ(parsed->errors[0].row, 1);
    ASSERT_EQ(parsed->records.size(), 1u);
    EXPECT_EQ(parsed->records[0].row, 2);
    EXPECT_EQ(parsed->records[0].name, "b");  // no <filename>: named after the file
    EXPECT_TRUE(parsed->records[0].match_stem);
    EXPECT_EQ(BoxOf(parsed->records[0].shapes[0]), (Box{1, 1, 2, 3}));
}

TEST(YoloImport, ReadsDatumaroSamples) {
    REQUIRE_SAMPLES(kSamples / "yolo_dataset");
    for (const char* dir : {"labels", "strict", "annotations"}) {
        auto parsed = ParseYolo(FilesUnder(kSamples / "yolo_dataset" / dir));
        ASSERT_TRUE(parsed.ok()) << dir << ": " << parsed.error().message;
        EXPECT_TRUE(parsed->errors.empty()) << dir;
        ASSERT_FALSE(parsed->records.empty()) << dir;
        const ImportRecord& r = parsed->records[0];
        EXPECT_EQ(r.space, CoordSpace::kNormalized);
        ASSERT_EQ(r.shapes.size(), 2u) << dir;
        EXPECT_EQ(r.shapes[0].label, "label_2");
        EXPECT_NEAR(BoxOf(r.shapes[0]).x, 0.0, 1e-6);
        EXPECT_NEAR(BoxOf(r.shapes[0]).y, 0.2, 1e-6);
        EXPECT_NEAR(BoxOf(r.shapes[0]).w, 0.266667, 1e-6);
    }
    auto labels = ParseYolo(FilesUnder(kSamples / "yolo_dataset/labels"));
    ASSERT_TRUE(labels.ok());
    EXPECT_EQ(labels->records[0].name, "images/train/1");
}

TEST(YoloImport, YamlNamesPolygonsAndBadClasses) {
    EXPECT_EQ(ParseYoloYamlNames("path: x\nnames: ['a', \"b c\"]\n"),
              (std::vector<std::string>{"a", "b c"}));
    EXPECT_EQ(ParseYoloYamlNames("names:\n  0: cat\n  1: dog\nnc: 2\n"),
              (std::vector<std::string>{"cat", "dog"}));
    EXPECT_EQ(ParseYoloYamlNames("names:\n  - cat\n  - dog\n"),
              (std::vector<std::string>{"cat", "dog"}));
    auto parsed = ParseYolo({{"data.yaml", "names: [cat, dog]\n"},
                             {"labels/a.txt", "1 0.1 0.1 0.5 0.1 0.5 0.5\n"},
                             {"labels/b.txt", "7 0.5 0.5 0.1 0.1\n"},
                             {"labels/c.txt", ""}});
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->records.size(), 2u);
    EXPECT_EQ(parsed->records[0].name, "images/a");
    EXPECT_EQ(std::get<Polygon>(parsed->records[0].shapes[0].geometry).rings[0].size(), 3u);
    EXPECT_TRUE(parsed->records[1].shapes.empty());
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_EQ(parsed->errors[0].row, 2);
    EXPECT_FALSE(ParseYolo({{"a.txt", "0 0.5 0.5 0.1 0.1"}}).ok());  // no class names
}

TEST(CvatImport, ReadsDatumaroSamples) {
    REQUIRE_SAMPLES(kSamples / "cvat_dataset");
    auto task = ParseCvat(FilesUnder(kSamples / "cvat_dataset/for_images/export_task"));
    ASSERT_TRUE(task.ok()) << task.error().message;
    ASSERT_EQ(task->records.size(), 2u);
    EXPECT_EQ(task->records[0].name, "img0.jpg");
    ASSERT_EQ(task->records[0].shapes.size(), 1u);  // the polyline is not a shape we draw
    EXPECT_EQ(BoxOf(task->records[0].shapes[0]), (Box{0, 2, 4, 2}));
    ASSERT_EQ(task->records[1].shapes.size(), 1u);
    EXPECT_EQ(std::get<Polygon>(task->records[1].shapes[0].geometry).rings[0][2],
              (ImagePoint{6, 5}));
    auto project = ParseCvat(FilesUnder(kSamples / "cvat_dataset/for_images/export_project"));
    ASSERT_TRUE(project.ok()) << project.error().message;
    EXPECT_TRUE(project->errors.empty());
    EXPECT_FALSE(project->records.empty());
    EXPECT_FALSE(ParseCvatPoints("1,2;3").ok());
}

TEST(LabelMeImport, ReadsMitXmlSample) {
    REQUIRE_SAMPLES(kSamples / "labelme_dataset");
    auto parsed = ParseLabelMe(FilesUnder(kSamples / "labelme_dataset/Annotations"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 1u);
    const ImportRecord& r = parsed->records[0];
    EXPECT_EQ(r.name, "subset1/img1.png");
    ASSERT_TRUE(r.size.has_value());
    EXPECT_EQ(r.size->width, 102);
    EXPECT_EQ(r.size->height, 77);
    ASSERT_FALSE(r.shapes.empty());
    EXPECT_EQ(r.shapes[0].label, "window");
    EXPECT_EQ(std::get<Polygon>(r.shapes[0].geometry).rings[0][1], (ImagePoint{45, 34}));
    bool has_box = false;
    for (const Shape& s : r.shapes) {
        has_box = has_box || std::holds_alternative<Box>(s.geometry);
    }
    EXPECT_TRUE(has_box);
}

TEST(LabelMeImport, ReadsJson) {
    auto parsed = ParseLabelMe({{"a.json", R"({"imagePath": "../img/a.jpg", "imageWidth": 20,
        "imageHeight": 10, "shapes": [
        {"label": "cat", "shape_type": "rectangle", "points": [[5, 6], [1, 2]]},
        {"label": "dog", "shape_type": "polygon", "points": [[1, 1], [4, 1], [4, 4]]},
        {"label": "x", "shape_type": "point", "points": [[1, 1]]}]})"},
                                {"b.json", R"({"shapes": [{"label": "cat"}]})"}});
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->records.size(), 1u);
    EXPECT_EQ(parsed->records[0].shapes.size(), 2u);
    EXPECT_EQ(BoxOf(parsed->records[0].shapes[0]), (Box{1, 2, 4, 4}));
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_EQ(parsed->errors[0].row, 2);
}

TEST(JsonlImport, ReadsBoxesPolygonsAndClassification) {
    const std::string jsonl =
        R"({"image_url": "azureml://subscriptions/s/datastores/d/paths/imgs/a.jpg", )"
        R"("image_details": {"format": "jpg", "width": "640px", "height": "480px"}, "label": )"
        R"([{"label": "cat", "topX": 0.1, "topY": 0.2, "bottomX": 0.5, "bottomY": 0.6, )"
        R"("isCrowd": 0}, {"label": "dog", "isCrowd": 0, "polygon": [[0.1, 0.1, 0.2, 0.1, )"
        R"(0.2, 0.2]]}]})"
        "\n\n"
        R"({"image_url": "azureml://x/paths/b.jpg", "label": ["cat", "dog"]})"
        "\n"
        R"({"image_url": 5})"
        "\n";
    auto parsed = ParseJsonl({{"train.jsonl", jsonl}, {"MLTable", "paths: ..."}});
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->records.size(), 2u);
    const ImportRecord& a = parsed->records[0];
    EXPECT_EQ(a.name, "imgs/a.jpg");
    EXPECT_EQ(a.size->width, 640);
    EXPECT_EQ(a.space, CoordSpace::kNormalized);
    ASSERT_EQ(a.shapes.size(), 2u);
    EXPECT_NEAR(BoxOf(a.shapes[0]).w, 0.4, 1e-12);
    EXPECT_EQ(parsed->records[1].labels, (std::vector<std::string>{"cat", "dog"}));
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_EQ(parsed->errors[0].row, 3);
}

TEST(JsonlImport, ReadsAutoMlModelOutput) {
    const std::string jsonl =
        R"({"filename": "/mnt/inputs/imgs/a.jpg", "probs": [0.25, 0.75], "labels": ["cat", )"
        R"("dog"]})"
        "\n"
        R"({"filename": "b.jpg", "boxes": [{"box": {"topX": 0.1, "topY": 0.2, "bottomX": 0.5, )"
        R"("bottomY": 0.6}, "label": "cat", "score": 0.875, "polygon": [[0.1, 0.2, 0.5, 0.2, )"
        R"(0.5, 0.6]]}]})"
        "\n"
        R"({"filename": "c.jpg", "boxes": {"label": "cat"}})"
        "\n";
    auto parsed = ParseJsonl({{"predictions.jsonl", jsonl}});
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->records.size(), 2u);
    const ImportRecord& a = parsed->records[0];
    EXPECT_EQ(a.name, "/mnt/inputs/imgs/a.jpg");
    EXPECT_TRUE(a.labels.empty());  // the import picks by the project's task type
    EXPECT_EQ(a.label_scores,
              (std::vector<std::pair<std::string, double>>{{"cat", 0.25}, {"dog", 0.75}}));
    const ImportRecord& b = parsed->records[1];
    EXPECT_EQ(b.space, CoordSpace::kNormalized);
    ASSERT_EQ(b.shapes.size(), 1u);
    EXPECT_EQ(b.shapes[0].label, "cat");
    EXPECT_DOUBLE_EQ(*b.shapes[0].confidence, 0.875);
    EXPECT_TRUE(std::holds_alternative<Polygon>(b.shapes[0].geometry));  // instance polygon
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_EQ(parsed->errors[0].row, 3);
    EXPECT_NE(parsed->errors[0].message.find("\"boxes\" must be a list"), std::string::npos);
}

TEST(MasksImport, ReadsRgbVocSegmentationWithLabelMap) {
    REQUIRE_SAMPLES(kSamples / "voc_dataset");
    auto parsed = ParseMasks(
        {{"labelmap.txt", ReadAll(kSamples / "voc_dataset/voc_dataset2/labelmap.txt")},
         {"SegmentationClass/2007_000001.png",
          ReadAll(kSamples / "voc_dataset/voc_dataset1/SegmentationClass/2007_000001.png")}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    ASSERT_EQ(parsed->records.size(), 1u);
    EXPECT_EQ(parsed->records[0].size->width, 20);
    EXPECT_FALSE(parsed->records[0].shapes.empty());
}

TEST(MasksImport, IndexedPixelsBecomePerLabelRuns) {
    // 3 x 2: row 0 = [0, 1, 1], row 1 = [2, 2, 0].
    const std::string png = GrayPng(3, 2, {0, 1, 1, 2, 2, 0});
    auto decoded = DecodeMaskPng(png);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_TRUE(decoded->indexed);
    auto parsed = ParseMasks({{"labelmap.txt",
                               "# label:color_rgb:parts:actions\n"
                               "background:0,0,0::\nroad:128,0,0::\ncar::\n"},
                              {"masks/a.png", png},
                              {"masks/b.png", GrayPng(1, 1, {9})}});
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->records.size(), 1u);
    const ImportRecord& r = parsed->records[0];
    EXPECT_EQ(r.name, "images/a");  // masks/ stands for the images/ folder beside it
    ASSERT_EQ(r.shapes.size(), 2u);
    EXPECT_EQ(r.shapes[0].label, "road");
    EXPECT_EQ(std::get<MaskRle>(r.shapes[0].geometry).runs, (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(r.shapes[1].label, "car");
    EXPECT_EQ(std::get<MaskRle>(r.shapes[1].geometry).runs, (std::vector<std::int64_t>{3, 2}));
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_EQ(parsed->errors[0].row, 2);
    EXPECT_FALSE(DecodeMaskPng("not a png").ok());
    EXPECT_FALSE(DecodeMaskPng(png.substr(0, 40)).ok());
}

TEST(MasksImport, PngOverThePixelLimitIsRefusedNamingTheLimit) {
    // Only the header of a 40,000 x 40,000 grey PNG: the size is checked before any pixel.
    const auto be32 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                           static_cast<char>(v >> 8), static_cast<char>(v)};
    };
    std::string png = "\x89PNG\r\n\x1a\n";
    png += be32(13) + "IHDR" + be32(40000) + be32(40000) + std::string{8, 0, 0, 0, 0} + be32(0);
    png += be32(0) + "IEND" + be32(0);
    auto decoded = DecodeMaskPng(png);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code, ErrorCode::kPayloadTooLarge);
    EXPECT_EQ(decoded.error().message,
              "PNG mask of 40000 x 40000 pixels is over the limit of 33554432 pixels a mask");
}

}  // namespace
}  // namespace tessera
