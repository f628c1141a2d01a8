// Label Studio's exports (issue 8), read from the real files in ../shared/datasets/label-studio
// (its README says what each holds): the JSON export with several annotators, rotated
// rectangles, polygons, keypoints and relations (skipped and reported), predictions with their
// scores, choices, brush RLE masks, the image URL kinds, a single task object and JSON-MIN; and
// the converter's COCO, YOLO, YOLO_OBB and VOC files of the same tasks, which must read back as
// the same boxes. Ellipses, which no file holds, are built in the test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "base/text.hpp"
#include "formats/coco_import.hpp"
#include "formats/import_test_support.hpp"
#include "formats/label_studio_import.hpp"
#include "formats/png_import.hpp"
#include "formats/voc_import.hpp"
#include "formats/yolo_import.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::FilesUnder;
using testing::ReadAll;

const std::filesystem::path kLs = std::filesystem::path(TESSERA_SHARED_DATASETS) / "label-studio";

ImportFile File(const std::string& name) {
    return {name, ReadAll(kLs / name)};
}

LabelStudioOptions Options(TaskType task, bool predictions,
                           const std::vector<std::string>& labels = {}) {
    LabelStudioOptions options;
    options.task_type = task;
    options.predictions = predictions;
    options.is_label = [labels](std::string_view l) {
        return std::find(labels.begin(), labels.end(), l) != labels.end();
    };
    return options;
}

ParsedImport Read(const std::vector<ImportFile>& files, const LabelStudioOptions& options) {
    auto parsed = ParseLabelStudio(files, options);
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return parsed.ok() ? std::move(parsed).value() : ParsedImport{};
}

ParsedImport Read(const std::string& name, const LabelStudioOptions& options) {
    return Read(std::vector<ImportFile>{File(name)}, options);
}

// A shape as "label x y w h" (its bounding box) in pixels of `size`, for comparisons.
struct PixelBox {
    std::string label;
    double x, y, w, h;
};

PixelBox ToPixels(const Shape& shape, double sx, double sy) {
    Box b{};
    if (const auto* box = std::get_if<Box>(&shape.geometry)) {
        b = *box;
    } else {
        const Ring& ring = std::get<Polygon>(shape.geometry).rings.at(0);
        double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
        for (const ImagePoint& p : ring) {
            x0 = std::min(x0, p.x), y0 = std::min(y0, p.y);
            x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
        }
        b = Box{x0, y0, x1 - x0, y1 - y0};
    }
    return {shape.label, b.x * sx, b.y * sy, b.w * sx, b.h * sy};
}

std::vector<PixelBox> PixelBoxesOf(const ImportRecord& record, double sx = 1, double sy = 1) {
    std::vector<PixelBox> out;
    for (const Shape& s : record.shapes) {
        out.push_back(ToPixels(s, sx, sy));
    }
    std::sort(out.begin(), out.end(), [](const PixelBox& a, const PixelBox& b) {
        return std::tie(a.label, a.x, a.y) < std::tie(b.label, b.x, b.y);
    });
    return out;
}

void ExpectSameBoxes(const std::vector<PixelBox>& a, const std::vector<PixelBox>& b,
                     double tolerance, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].label, b[i].label) << what << " #" << i;
        EXPECT_NEAR(a[i].x, b[i].x, tolerance) << what << " #" << i;
        EXPECT_NEAR(a[i].y, b[i].y, tolerance) << what << " #" << i;
        EXPECT_NEAR(a[i].w, b[i].w, tolerance) << what << " #" << i;
        EXPECT_NEAR(a[i].h, b[i].h, tolerance) << what << " #" << i;
    }
}

bool SameBoxes(const std::vector<PixelBox>& a, const std::vector<PixelBox>& b, double tolerance) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].label != b[i].label || std::abs(a[i].x - b[i].x) > tolerance ||
            std::abs(a[i].y - b[i].y) > tolerance || std::abs(a[i].w - b[i].w) > tolerance ||
            std::abs(a[i].h - b[i].h) > tolerance) {
            return false;
        }
    }
    return true;
}

// One annotation of a task as a task of its own, to read each annotator's boxes.
ImportRecord OneAnnotation(const json& task, std::size_t index, TaskType type) {
    json copy = task;
    copy["annotations"] = json::array({task["annotations"][index]});
    const ParsedImport parsed = Read({{"one.json", copy.dump()}}, Options(type, false));
    EXPECT_EQ(parsed.records.size(), 1u);
    return parsed.records.empty() ? ImportRecord{} : parsed.records[0];
}

std::string Reasons(const ParsedImport& parsed) {
    std::string out;
    for (const ImportSkipped& s : parsed.skipped) {
        out += std::to_string(s.row) + " " + s.name + ": " + s.reason + "\n";
    }
    return out;
}

bool Mentions(const ParsedImport& parsed, int row, const std::string& text) {
    return std::any_of(parsed.skipped.begin(), parsed.skipped.end(), [&](const ImportSkipped& s) {
        return s.row == row && s.reason.find(text) != std::string::npos;
    });
}

// --- image names

TEST(LabelStudioImageName, UploadsLocalFilesAndCloudUrls) {
    EXPECT_EQ(LabelStudioImageName("/data/upload/18/1a2b3c4d-cat dog.jpg"), "cat dog.jpg");
    EXPECT_EQ(LabelStudioImageName("/data/upload/18/image1.jpg"), "image1.jpg");
    EXPECT_EQ(LabelStudioImageName("/data/upload/Highway20030201_1002591.jpg"),
              "Highway20030201_1002591.jpg");
    EXPECT_EQ(LabelStudioImageName("/data/local-files/?d=images/a%20b/img_1.jpg"),
              "images/a b/img_1.jpg");
    EXPECT_EQ(LabelStudioImageName("s3://bucket/yolo/images/img_6.jpeg"), "yolo/images/img_6.jpeg");
    EXPECT_EQ(LabelStudioImageName("https://host.io/a/b.png?X-Amz-Signature=1#x"), "a/b.png");
    EXPECT_EQ(LabelStudioImageName("gs://b/x.jpg"), "x.jpg");
    EXPECT_EQ(LabelStudioImageName("/image1"), "/image1");
}

// --- brush RLE

TEST(LabelStudioBrush, DecodesTheMlBackendsMasks) {
    TESSERA_REQUIRE_DATASET(kLs);
    const json predictions = json::parse(ReadAll(kLs / "brush_predictions.json"));
    const std::vector<std::int64_t> expected = {12104, 5716, 11709};  // the README's counts
    const json& results = predictions.at(0).at("result");
    ASSERT_EQ(results.size(), expected.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        const json& r = results[i];
        auto mask = DecodeLabelStudioBrush(r["value"]["rle"].get<std::vector<std::uint8_t>>(),
                                           r["original_width"], r["original_height"]);
        ASSERT_TRUE(mask.ok()) << mask.error().message;
        std::int64_t pixels = 0;
        for (std::size_t k = 1; k < mask->runs.size(); k += 2) {
            pixels += mask->runs[k];
        }
        EXPECT_EQ(pixels, expected[i]) << "mask " << i;
    }
    // A bare list of predictions names no image: reported, not guessed.
    const ParsedImport parsed = Read("brush_predictions.json", Options(TaskType::kSemantic, true));
    EXPECT_TRUE(parsed.records.empty());
    EXPECT_TRUE(Mentions(parsed, 1, "without its task")) << Reasons(parsed);
}

TEST(LabelStudioBrush, TheConvertersMaskComesBackPixelForPixel) {
    TESSERA_REQUIRE_DATASET(kLs);
    auto png = DecodeMaskPng(ReadAll(kLs / "brush_prediction_from-mask.source-mask.png"));
    ASSERT_TRUE(png.ok()) << png.error().message;
    std::vector<std::int64_t> runs;
    for (std::size_t i = 0; i < static_cast<std::size_t>(png->width) * png->height; ++i) {
        const std::uint32_t c = png->Value(i);
        // PIL's convert("L"): ITU-R 601-2 luma, rounded.
        const std::uint32_t grey = png->indexed
                                       ? c
                                       : (((c >> 16) & 255) * 19595 + ((c >> 8) & 255) * 38470 +
                                          (c & 255) * 7471 + 0x8000) >>
                                             16;
        if (grey > 128) {
            if (!runs.empty() &&
                runs[runs.size() - 2] + runs.back() == static_cast<std::int64_t>(i)) {
                ++runs.back();
            } else {
                runs.push_back(static_cast<std::int64_t>(i));
                runs.push_back(1);
            }
        }
    }
    const ParsedImport parsed =
        Read("brush_prediction_from-mask.json", Options(TaskType::kSemantic, true));
    ASSERT_EQ(parsed.records.size(), 1u) << Reasons(parsed);
    const ImportRecord& record = parsed.records[0];
    EXPECT_EQ(record.name, "images/test.jpg");
    EXPECT_EQ(record.space, CoordSpace::kPixel);
    ASSERT_TRUE(record.size);
    EXPECT_EQ(record.size->width, 640);
    EXPECT_EQ(record.size->height, 427);
    ASSERT_EQ(record.shapes.size(), 1u);
    EXPECT_EQ(record.shapes[0].label, "Airplane");
    EXPECT_EQ(record.shapes[0].confidence, 0.5);
    std::int64_t pixels = 0;
    for (std::size_t k = 1; k < runs.size(); k += 2) {
        pixels += runs[k];
    }
    EXPECT_EQ(pixels, 86802);
    EXPECT_EQ(std::get<MaskRle>(record.shapes[0].geometry).runs, runs);
}

TEST(LabelStudioBrush, ABrokenRleIsAnError) {
    // count 8 (2 x 1 RGBA), word size 8, widths 3 4 8 16; then nothing.
    const std::vector<std::uint8_t> header = {0, 0, 0, 8, 0x3a, 0x37, 0xf0};
    auto truncated = DecodeLabelStudioBrush(header, 2, 1);
    ASSERT_FALSE(truncated.ok());
    EXPECT_NE(truncated.error().message.find("ends before"), std::string::npos);
    auto wrong_size = DecodeLabelStudioBrush(header, 3, 1);
    ASSERT_FALSE(wrong_size.ok());
    EXPECT_NE(wrong_size.error().message.find("not the 12 of a 3x1"), std::string::npos)
        << wrong_size.error().message;
}

// --- rectangles, annotators, converter files

TEST(LabelStudioImport, MultiAnnotatorTasksKeepTheNewestAnnotationAndReportTheOther) {
    TESSERA_REQUIRE_DATASET(kLs);
    const ParsedImport parsed = Read("rect_multi-annotator.json", Options(TaskType::kBbox, false));
    ASSERT_TRUE(parsed.errors.empty());
    ASSERT_EQ(parsed.records.size(), 2u);
    EXPECT_EQ(parsed.records[0].name, "/image1");
    EXPECT_TRUE(parsed.records[0].match_stem);  // no extension: matched by stem
    EXPECT_EQ(parsed.records[0].space, CoordSpace::kNormalized);
    // Annotation 2 was updated last (21:05:03 after 21:04:40).
    const json task = json::parse(ReadAll(kLs / "rect_multi-annotator.json"))[0];
    ExpectSameBoxes(PixelBoxesOf(parsed.records[0], 2800, 2800),
                    PixelBoxesOf(OneAnnotation(task, 1, TaskType::kBbox), 2800, 2800), 1e-9,
                    "task 1");
    EXPECT_TRUE(Mentions(parsed, 1, "annotation 1 by 2 (older than annotation 2 by 1)"))
        << Reasons(parsed);
    EXPECT_FALSE(Mentions(parsed, 2, "not imported")) << Reasons(parsed);
}

TEST(LabelStudioImport, TheConvertersCocoYoloAndVocHoldTheSameBoxes) {
    TESSERA_REQUIRE_DATASET(kLs);
    const json tasks = json::parse(ReadAll(kLs / "rect_multi-annotator.json"));
    // Every annotation, in the order the converter's COCO lists its images.
    std::vector<std::vector<PixelBox>> annotations;
    for (const json& task : tasks) {
        for (std::size_t i = 0; i < task["annotations"].size(); ++i) {
            annotations.push_back(
                PixelBoxesOf(OneAnnotation(task, i, TaskType::kBbox), 2800, 2800));
        }
    }
    ASSERT_EQ(annotations.size(), 3u);
    const std::filesystem::path expected = kLs / "expected" / "rect_multi-annotator";
    auto coco = ParseCoco({{"coco.json", ReadAll(expected / "coco.json")}}, CocoFlavor::kPixel);
    ASSERT_TRUE(coco.ok()) << coco.error().message;
    ASSERT_EQ(coco->records.size(), 3u);
    // COCO keeps every annotation, one image entry each (in its own order).
    std::set<std::size_t> found;
    for (const ImportRecord& image : coco->records) {
        for (std::size_t i = 0; i < annotations.size(); ++i) {
            if (SameBoxes(PixelBoxesOf(image), annotations[i], 1e-6)) {
                found.insert(i);
            }
        }
    }
    EXPECT_EQ(found, (std::set<std::size_t>{0, 1, 2}));
    // YOLO and VOC keep the first annotation of a task (ids 1 and 3).
    auto yolo = ParseYolo(FilesUnder(expected / "yolo"));
    ASSERT_TRUE(yolo.ok()) << yolo.error().message;
    ASSERT_EQ(yolo->records.size(), 2u);
    std::sort(yolo->records.begin(), yolo->records.end(),
              [](const ImportRecord& a, const ImportRecord& b) { return a.name < b.name; });
    ExpectSameBoxes(PixelBoxesOf(yolo->records[0], 2800, 2800), annotations[0], 1e-6,
                    "YOLO image1");
    ExpectSameBoxes(PixelBoxesOf(yolo->records[1], 2800, 2800), annotations[2], 1e-6,
                    "YOLO image2");
    auto voc = ParseVoc(FilesUnder(expected / "voc"));
    ASSERT_TRUE(voc.ok()) << voc.error().message;
    ASSERT_EQ(voc->records.size(), 2u);
    std::sort(voc->records.begin(), voc->records.end(),
              [](const ImportRecord& a, const ImportRecord& b) { return a.name < b.name; });
    // VOC holds whole pixels (the converter truncates): within 2 px whatever the 1-based rule.
    ExpectSameBoxes(PixelBoxesOf(voc->records[0]), annotations[0], 2.0, "VOC image1");
    ExpectSameBoxes(PixelBoxesOf(voc->records[1]), annotations[2], 2.0, "VOC image2");
}

TEST(LabelStudioImport, RotatedRectanglesArePolygonsOrTheirBoundingBoxes) {
    TESSERA_REQUIRE_DATASET(kLs);
    const ParsedImport polygons = Read("rect_rotated.json", Options(TaskType::kPolygon, false));
    ASSERT_TRUE(polygons.errors.empty());
    ASSERT_EQ(polygons.records.size(), 3u);
    // The converter's YOLO_OBB corners (normalised), read as YOLO polygons, are ours exactly.
    auto obb = ParseYolo(FilesUnder(kLs / "expected" / "rect_rotated" / "yolo_obb"));
    ASSERT_TRUE(obb.ok()) << obb.error().message;
    std::map<std::string, const ImportRecord*> by_stem;
    for (const ImportRecord& r : obb->records) {
        by_stem[r.name.substr(r.name.rfind("__") + 2)] = &r;
    }
    std::size_t corners = 0;
    for (const ImportRecord& ours : polygons.records) {
        const std::string stem = ours.name.substr(1);  // "/image1"
        ASSERT_TRUE(by_stem.contains(stem)) << stem;
        const ImportRecord& theirs = *by_stem[stem];
        ASSERT_EQ(ours.shapes.size(), theirs.shapes.size()) << stem;
        for (std::size_t i = 0; i < ours.shapes.size(); ++i) {
            const Ring& a = std::get<Polygon>(ours.shapes[i].geometry).rings.at(0);
            const Ring& b = std::get<Polygon>(theirs.shapes[i].geometry).rings.at(0);
            ASSERT_EQ(a.size(), 4u);
            ASSERT_EQ(b.size(), 4u);
            for (std::size_t k = 0; k < 4; ++k, ++corners) {
                EXPECT_NEAR(a[k].x, b[k].x, 1e-9) << stem << " shape " << i;
                EXPECT_NEAR(a[k].y, b[k].y, 1e-9) << stem << " shape " << i;
            }
            EXPECT_EQ(Lower(ours.shapes[i].label), Lower(theirs.shapes[i].label));
        }
    }
    EXPECT_EQ(corners, 25u * 4);
    // In a bbox project: the axis-aligned box around those corners. (The converter's COCO
    // rotates the percent values before scaling them, which for a non-square image is another
    // shape than the editor draws; YOLO_OBB scales first, as the editor does.)
    const ParsedImport boxes = Read("rect_rotated.json", Options(TaskType::kBbox, false));
    ASSERT_EQ(boxes.records.size(), polygons.records.size());
    for (std::size_t i = 0; i < boxes.records.size(); ++i) {
        ExpectSameBoxes(PixelBoxesOf(boxes.records[i]), PixelBoxesOf(polygons.records[i]), 1e-12,
                        boxes.records[i].name);
        for (const Shape& s : boxes.records[i].shapes) {
            EXPECT_TRUE(std::holds_alternative<Box>(s.geometry));
        }
    }
    EXPECT_TRUE(Mentions(boxes, 1, "rotated rectangles stored as the axis-aligned bounding box"))
        << Reasons(boxes);
    EXPECT_FALSE(Mentions(polygons, 1, "rotated")) << Reasons(polygons);
}

TEST(LabelStudioImport, PolygonsReadAndKeypointsAndRelationsReported) {
    TESSERA_REQUIRE_DATASET(kLs);
    const ParsedImport parsed =
        Read("rect-polygon-keypoints.json", Options(TaskType::kPolygon, false));
    ASSERT_EQ(parsed.records.size(), 1u);
    const ImportRecord& record = parsed.records[0];
    EXPECT_EQ(record.name, "test_image1.jpg");
    ASSERT_EQ(record.shapes.size(), 2u);
    EXPECT_TRUE(Mentions(parsed, 1, "2 keypointlabels results")) << Reasons(parsed);
    auto coco = ParseCoco(
        {{"coco.json", ReadAll(kLs / "expected" / "rect-polygon-keypoints" / "coco.json")}},
        CocoFlavor::kPixel);
    ASSERT_TRUE(coco.ok());
    ASSERT_EQ(coco->records.size(), 1u);
    // The converter's COCO also lists the keypoints, as an annotation of their own category.
    std::vector<PixelBox> regions;
    for (const PixelBox& b : PixelBoxesOf(coco->records[0])) {
        if (b.label != "default") {
            regions.push_back(b);
        }
    }
    ExpectSameBoxes(PixelBoxesOf(record, 500, 320), regions, 1e-6, "COCO");
    const Ring& polygon = std::get<Polygon>(record.shapes[1].geometry).rings.at(0);
    ASSERT_EQ(polygon.size(), 3u);
    EXPECT_NEAR(polygon[0].x * 500, 208.7114337568058, 1e-9);
    EXPECT_NEAR(polygon[0].y * 320, 11.347517730496454, 1e-9);

    const ParsedImport relations =
        Read("keypoints-rect-relations.json", Options(TaskType::kBbox, false));
    ASSERT_EQ(relations.records.size(), 1u);
    EXPECT_EQ(relations.records[0].name, "image1.jpg");
    EXPECT_EQ(relations.records[0].shapes.size(), 1u);
    EXPECT_TRUE(Mentions(relations, 1, "3 keypointlabels results")) << Reasons(relations);
    EXPECT_TRUE(Mentions(relations, 1, "5 relation results")) << Reasons(relations);

    const ParsedImport zebra = Read("polygon_task-object.json", Options(TaskType::kPolygon, false));
    ASSERT_EQ(zebra.records.size(), 1u);
    EXPECT_EQ(zebra.records[0].name, "Dean/COCO_1K/raw/main/data/images/train/000000000034.jpg");
    ASSERT_EQ(zebra.records[0].shapes.size(), 1u);
    EXPECT_EQ(zebra.records[0].shapes[0].label, "zebra");
    EXPECT_EQ(std::get<Polygon>(zebra.records[0].shapes[0].geometry).rings.at(0).size(), 58u);
}

TEST(LabelStudioImport, PredictionsArePrelabelsWithTheirScores) {
    TESSERA_REQUIRE_DATASET(kLs);
    const ParsedImport prelabels =
        Read("rect_annotations-and-predictions.json", Options(TaskType::kBbox, true));
    ASSERT_EQ(prelabels.records.size(), 5u);
    std::size_t shapes = 0;
    for (const ImportRecord& r : prelabels.records) {
        EXPECT_TRUE(r.name.starts_with("Highway20030201_")) << r.name;
        for (const Shape& s : r.shapes) {
            EXPECT_EQ(s.confidence, 0.95);
            ++shapes;
        }
    }
    EXPECT_EQ(shapes, 30u);
    EXPECT_TRUE(Mentions(prelabels, 1, "3 annotations (mode=prelabel takes the predictions)"))
        << Reasons(prelabels);
    // Final: one annotation of three per task; the others and the prediction reported.
    const ParsedImport finals =
        Read("rect_annotations-and-predictions.json", Options(TaskType::kBbox, false));
    ASSERT_EQ(finals.records.size(), 5u);
    for (const ImportRecord& r : finals.records) {
        for (const Shape& s : r.shapes) {
            EXPECT_FALSE(s.confidence);
        }
    }
    EXPECT_TRUE(Mentions(finals, 1, "1 prediction (mode=final")) << Reasons(finals);
    EXPECT_TRUE(Mentions(finals, 1, "older than annotation")) << Reasons(finals);

    // Result-level scores win over the prediction's.
    const ParsedImport multimodal =
        Read("rect_predictions_multimodal.json", Options(TaskType::kBbox, true));
    ASSERT_EQ(multimodal.records.size(), 2u);
    EXPECT_EQ(multimodal.records[0].name, "open-images/train_0/mini/0030019819f25b28.jpg");
    ASSERT_FALSE(multimodal.records[0].shapes.empty());
    EXPECT_NEAR(*multimodal.records[0].shapes[0].confidence, 0.23053804129850775, 1e-12);

    // Only predictions and mode=final: nothing, said so.
    const ParsedImport s3 = Read("rect_s3_predictions.json", Options(TaskType::kBbox, false));
    EXPECT_TRUE(s3.records.empty());
    EXPECT_TRUE(Mentions(s3, 1, "mode=prelabel imports them")) << Reasons(s3);
}

TEST(LabelStudioImport, LocalFilesAndS3UrlsNameTheSameImages) {
    TESSERA_REQUIRE_DATASET(kLs);
    const ParsedImport local = Read("rect_local-files.json", Options(TaskType::kBbox, false));
    const ParsedImport s3 = Read("rect_s3_predictions.json", Options(TaskType::kBbox, true));
    ASSERT_EQ(local.records.size(), 7u);
    ASSERT_EQ(s3.records.size(), 7u);
    std::size_t shapes = 0;
    for (std::size_t i = 0; i < 7; ++i) {
        EXPECT_TRUE(local.records[i].name.starts_with("images/img_")) << local.records[i].name;
        EXPECT_EQ("yolo/" + local.records[i].name, s3.records[i].name);
        ExpectSameBoxes(PixelBoxesOf(local.records[i]), PixelBoxesOf(s3.records[i]), 1e-12,
                        local.records[i].name);
        for (const Shape& s : s3.records[i].shapes) {
            EXPECT_FALSE(s.confidence);  // the YOLO labels had no score
        }
        shapes += local.records[i].shapes.size();
    }
    EXPECT_EQ(shapes, 25u);
}

TEST(LabelStudioImport, ChoicesAreClassificationLabels) {
    TESSERA_REQUIRE_DATASET(kLs);
    const ParsedImport single =
        Read("choices_single_task-object.json", Options(TaskType::kMulticlass, false));
    ASSERT_EQ(single.records.size(), 1u);
    EXPECT_EQ(single.records[0].name, "mypets.jpg");
    EXPECT_EQ(single.records[0].labels, std::vector<std::string>{"Cat"});

    const ParsedImport multi = Read("choices_single-and-multi_predictions.assembled.json",
                                    Options(TaskType::kMultilabel, true));
    ASSERT_EQ(multi.records.size(), 2u) << Reasons(multi);
    EXPECT_EQ(multi.records[0].labels, std::vector<std::string>{"Car"});
    EXPECT_NEAR(*multi.records[0].confidence, 0.5582300424575806, 1e-12);
    EXPECT_EQ(multi.records[1].labels, (std::vector<std::string>{"Cab", "Grille"}));
    EXPECT_TRUE(Mentions(multi, 3, "the prediction has no results")) << Reasons(multi);

    // Choices in a box project are reported, not imported.
    const ParsedImport boxes =
        Read("choices_single_task-object.json", Options(TaskType::kBbox, false));
    EXPECT_TRUE(boxes.records.empty());
    EXPECT_TRUE(Mentions(boxes, 1, "1 choices result")) << Reasons(boxes);
}

// --- JSON-MIN

TEST(LabelStudioImport, JsonMinReadsAsTheFullExport) {
    TESSERA_REQUIRE_DATASET(kLs);
    const ParsedImport full =
        Read("rect_annotations-and-predictions.json", Options(TaskType::kBbox, false));
    const ParsedImport min = Read("json-min_rect.json", Options(TaskType::kBbox, false));
    ASSERT_EQ(min.records.size(), full.records.size());
    for (std::size_t i = 0; i < min.records.size(); ++i) {
        EXPECT_EQ(min.records[i].name, full.records[i].name);
        ExpectSameBoxes(PixelBoxesOf(min.records[i]), PixelBoxesOf(full.records[i]), 1e-12,
                        min.records[i].name);
    }
    EXPECT_TRUE(Mentions(min, 1, "older than annotation")) << Reasons(min);

    const ParsedImport kp =
        Read("json-min_rect-polygon-keypoints.json", Options(TaskType::kPolygon, false));
    const ParsedImport kp_full =
        Read("rect-polygon-keypoints.json", Options(TaskType::kPolygon, false));
    ASSERT_EQ(kp.records.size(), 1u);
    // JSON-MIN keeps a key per control tag, so the order of the regions may differ.
    auto by_label = [](std::vector<Shape> shapes) {
        std::sort(shapes.begin(), shapes.end(),
                  [](const Shape& a, const Shape& b) { return a.label < b.label; });
        return shapes;
    };
    EXPECT_EQ(by_label(kp.records[0].shapes), by_label(kp_full.records[0].shapes));
    EXPECT_TRUE(Mentions(kp, 1, "2 keypointlabels results")) << Reasons(kp);

    // A single choice is a plain string: recognised as one of the project's labels.
    const ParsedImport choice =
        Read("json-min_choices.json", Options(TaskType::kMulticlass, false, {"Cat", "Dog"}));
    ASSERT_EQ(choice.records.size(), 1u);
    EXPECT_EQ(choice.records[0].name, "mypets.jpg");
    EXPECT_EQ(choice.records[0].labels, std::vector<std::string>{"Cat"});
}

// --- uploads and errors

TEST(LabelStudioImport, AZippedUploadOnDiskReadsAsTheFile) {
    TESSERA_REQUIRE_DATASET(kLs);
    const ParsedImport direct = Read("rect_rotated.json", Options(TaskType::kPolygon, false));
    testing::TempDir dir;
    const std::filesystem::path zip = dir.path() / "upload.zip";
    testing::WriteZip(zip, {{"export/project-1.json", ReadAll(kLs / "rect_rotated.json")}});
    auto parsed = ParseLabelStudioUpload(ImportUpload::FromFile(zip, "upload.zip"),
                                         Options(TaskType::kPolygon, false));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), direct.records.size());
    for (std::size_t i = 0; i < direct.records.size(); ++i) {
        EXPECT_EQ(parsed->records[i].shapes, direct.records[i].shapes);
    }
}

// Ellipses (no sample file holds one; built from the README's description of `ellipselabels`):
// polygons within 1 px of the curve in pixels of the size the editor saw, turned clockwise about
// their centre; a <Labels> tag's result labels an `ellipse` region; without the size: a row error.
TEST(LabelStudioImport, EllipsesArePolygonsDrawnInPixels) {
    const std::string tasks = R"([{"data": {"image": "/data/upload/1/0a1b2c3d-e.jpg"},
      "annotations": [{"id": 1, "result": [
        {"id": "a", "type": "ellipselabels", "original_width": 200, "original_height": 100,
         "value": {"x": 50, "y": 40, "radiusX": 10, "radiusY": 20, "rotation": 0,
                   "ellipselabels": ["Cell"]}},
        {"id": "b", "type": "ellipse", "original_width": 200, "original_height": 100,
         "value": {"x": 50, "y": 50, "radiusX": 20, "radiusY": 10, "rotation": 90}},
        {"id": "b", "type": "labels", "value": {"labels": ["Nucleus"]}}]}]},
      {"data": {"image": "f.jpg"}, "annotations": [{"id": 2, "result": [
        {"type": "ellipselabels", "value": {"x": 50, "y": 40, "radiusX": 10, "radiusY": 20,
         "ellipselabels": ["Cell"]}}]}]}])";
    const ParsedImport parsed = Read({{"e.json", tasks}}, Options(TaskType::kPolygon, false));
    ASSERT_EQ(parsed.records.size(), 1u) << Reasons(parsed);
    const ImportRecord& record = parsed.records[0];
    EXPECT_EQ(record.space, CoordSpace::kNormalized);
    ASSERT_EQ(record.shapes.size(), 2u);
    // 10 % of 200 and 20 % of 100: a circle of radius 20 px about (100, 40), as many vertices
    // as a 20 px CVAT ellipse gets (every one on the curve).
    EXPECT_EQ(record.shapes[0].label, "Cell");
    const Ring& circle = std::get<Polygon>(record.shapes[0].geometry).rings.at(0);
    EXPECT_EQ(circle.size(), EllipseRing(0, 0, 20, 20).size());
    for (const ImagePoint& p : circle) {
        EXPECT_NEAR(std::hypot(p.x * 200 - 100, p.y * 100 - 40), 20, 1e-9);
    }
    // Radii 40 and 10 px (80 x 20) turned a quarter about the centre (100, 50): 20 wide, 80 high.
    EXPECT_EQ(record.shapes[1].label, "Nucleus");
    const PixelBox turned = ToPixels(record.shapes[1], 200, 100);
    EXPECT_NEAR(turned.x, 90, 1e-9);
    EXPECT_NEAR(turned.y, 10, 1e-9);
    EXPECT_NEAR(turned.w, 20, 1e-9);
    EXPECT_NEAR(turned.h, 80, 1e-9);
    EXPECT_FALSE(Mentions(parsed, 1, "ellipse")) << Reasons(parsed);

    ASSERT_EQ(parsed.errors.size(), 1u);
    EXPECT_EQ(parsed.errors[0].row, 2);
    EXPECT_NE(parsed.errors[0].message.find("an ellipse needs original_width"), std::string::npos)
        << parsed.errors[0].message;
}

TEST(LabelStudioImport, BadFilesAreErrorsNamingWhatIsWrong) {
    auto broken = ParseLabelStudio({{"a.json", R"([{"data": {"image": "x.jpg"}}, {"data": )"}},
                                   Options(TaskType::kBbox, false));
    ASSERT_FALSE(broken.ok());
    EXPECT_NE(broken.error().message.find("a.json: invalid JSON at byte"), std::string::npos)
        << broken.error().message;
    auto scalar = ParseLabelStudio({{"a.json", "42"}}, Options(TaskType::kBbox, false));
    ASSERT_FALSE(scalar.ok());
    EXPECT_NE(scalar.error().message.find("not a JSON list or object"), std::string::npos);
    auto none = ParseLabelStudio({{"a.txt", "[]"}}, Options(TaskType::kBbox, false));
    ASSERT_FALSE(none.ok());

    // A rotated rectangle without the image size cannot be placed: a row error.
    const std::string rotated = R"([{"data": {"image": "x.jpg"}, "annotations": [{"result": [
        {"type": "rectanglelabels", "value": {"x": 10, "y": 10, "width": 5, "height": 5,
         "rotation": 30, "rectanglelabels": ["Car"]}}]}]}])";
    const ParsedImport parsed = Read({{"r.json", rotated}}, Options(TaskType::kBbox, false));
    ASSERT_EQ(parsed.errors.size(), 1u);
    EXPECT_EQ(parsed.errors[0].row, 1);
    EXPECT_NE(parsed.errors[0].message.find("original_width"), std::string::npos);

    // A cancelled annotation is not imported; a <Labels> tag's result labels its region.
    const std::string split = R"({"data": {"image": "/data/upload/2/0a1b2c3d-y.png"},
        "annotations": [
          {"id": 9, "was_cancelled": true, "result": [{"type": "choices", "value": {}}]},
          {"id": 8, "result": [
            {"id": "r1", "type": "rectangle", "value": {"x": 0, "y": 0, "width": 50, "height": 50}},
            {"id": "r1", "type": "labels", "value": {"labels": ["Car"]}}]}]})";
    const ParsedImport labeled = Read({{"s.json", split}}, Options(TaskType::kBbox, false));
    ASSERT_EQ(labeled.records.size(), 1u) << Reasons(labeled);
    EXPECT_EQ(labeled.records[0].name, "y.png");
    ASSERT_EQ(labeled.records[0].shapes.size(), 1u);
    EXPECT_EQ(labeled.records[0].shapes[0].label, "Car");
    EXPECT_EQ(std::get<Box>(labeled.records[0].shapes[0].geometry), (Box{0, 0, 0.5, 0.5}));
    EXPECT_TRUE(Mentions(labeled, 1, "1 cancelled annotation")) << Reasons(labeled);
}

}  // namespace
}  // namespace tessera
