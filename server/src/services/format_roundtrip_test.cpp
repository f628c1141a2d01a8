// Golden round trips of the annotation formats (issue 3 conformance): real files are imported
// with ImportService, exported with ExportService through each of our writers, and the export is
// imported again into a fresh project with the same items; the shapes per image must come back.
// Data comes from ../shared/datasets (BCCD and Datumaro's format samples); the tests fail with a
// message when it is absent (support/datasets.hpp).
//
// Tolerances:
// - COCO (pixel), VOC and masks keep pixel coordinates: 1e-6 px (JSON doubles are written with
//   the shortest exact form; VOC writes integers, exact for integer boxes such as BCCD's).
// - COCO-Azure, YOLO and AutoML JSONL are normalised 0-1: x / width is written and multiplied by
//   the item's width again on import, so floating-point rounding of the division and product
//   can move a coordinate by a few ulps. We allow 0.5 px, well below one pixel so that any
//   off-by-one (e.g. VOC's 1-based indices, a swapped width/height) still fails; the observed
//   error is below 1e-9 px (checked on BCCD and the samples).
// - VOC holds integer pixel indices only: a box with fractional corners (a YOLO sample scaled to
//   the item size) is rounded to the nearest pixel, so then VOC gets 0.5 px as well.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/text.hpp"
#include "formats/coco_import.hpp"
#include "formats/coco_panoptic_import.hpp"
#include "formats/cvat_import.hpp"
#include "formats/import_test_support.hpp"
#include "formats/labelme_import.hpp"
#include "formats/masks_import.hpp"
#include "formats/voc_import.hpp"
#include "formats/yolo_import.hpp"
#include "formats/zip_writer.hpp"
#include "services/export_service.hpp"
#include "services/import_service.hpp"
#include "services/service_test_support.hpp"
#include "support/datasets.hpp"
#include "support/string_sink.hpp"
#include "support/temp_dir.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::kBccd;
using testing::kSamples;

constexpr double kPixelTolerance = 1e-6;
constexpr double kNormalizedTolerance = 0.5;

#define REQUIRE_DATA(path) TESSERA_REQUIRE_DATASET(path)

using ShapesByPath = std::map<std::string, std::vector<Shape>>;

std::string Zip(const std::vector<ImportFile>& files) {
    testing::StringSink sink;
    ZipWriter zip(sink, 0);
    for (const ImportFile& f : files) {
        EXPECT_TRUE(zip.BeginEntry(f.path).ok());
        EXPECT_TRUE(zip.entry().Write(f.bytes).ok());
    }
    EXPECT_TRUE(zip.Finish().ok());
    return sink.data;
}

bool IsImageFile(const fs::path& path) {
    const std::string ext = Lower(path.extension().string());
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".mp4";
}

// Annotation files under `dir` (images left out unless `with_png`: PNG masks are annotations),
// named relative to it, sorted.
std::vector<ImportFile> FilesUnder(const fs::path& dir, bool with_png = false) {
    std::vector<ImportFile> out;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        const bool png = entry.path().extension() == ".png";
        if (entry.is_regular_file() && (!IsImageFile(entry.path()) || (with_png && png))) {
            out.push_back(
                {fs::relative(entry.path(), dir).generic_string(), testing::ReadAll(entry.path())});
        }
    }
    std::sort(out.begin(), out.end(),
              [](const ImportFile& a, const ImportFile& b) { return a.path < b.path; });
    return out;
}

const char* ExportName(ExportFormat format) {
    switch (format) {
        case ExportFormat::kCsv: return "csv";
        case ExportFormat::kJsonl: return "jsonl";
        case ExportFormat::kMltable: return "mltable";
        case ExportFormat::kCoco: return "coco";
        case ExportFormat::kCocoAzure: return "coco-azure";
        case ExportFormat::kVoc: return "voc";
        case ExportFormat::kYolo: return "yolo";
        case ExportFormat::kMasks: return "masks";
    }
    return "?";
}

// How an export of `format` is read back, and under which upload name.
ImportFormat ReadBackFormat(ExportFormat format) {
    switch (format) {
        case ExportFormat::kCocoAzure: return ImportFormat::kCocoAzure;
        case ExportFormat::kJsonl:
        case ExportFormat::kMltable: return ImportFormat::kJsonl;
        case ExportFormat::kVoc: return ImportFormat::kVoc;
        case ExportFormat::kYolo: return ImportFormat::kYolo;
        case ExportFormat::kMasks: return ImportFormat::kMasks;
        default: return ImportFormat::kCoco;
    }
}

std::string UploadName(ExportFormat format) {
    switch (format) {
        case ExportFormat::kJsonl: return "export.jsonl";
        case ExportFormat::kCoco:
        case ExportFormat::kCocoAzure: return "export.json";
        default: return "export.zip";
    }
}

bool IsNormalized(ExportFormat format) {
    return format == ExportFormat::kCocoAzure || format == ExportFormat::kJsonl ||
           format == ExportFormat::kMltable || format == ExportFormat::kYolo;
}

bool AllIntegral(const ShapesByPath& shapes) {
    auto integral = [](double v) { return std::floor(v) == v; };
    for (const auto& [path, list] : shapes) {
        for (const Shape& s : list) {
            if (const Box* b = std::get_if<Box>(&s.geometry)) {
                if (!integral(b->x) || !integral(b->y) || !integral(b->w) || !integral(b->h)) {
                    return false;
                }
            }
        }
    }
    return true;
}

// YOLO writes one line per polygon ring: a polygon of several parts comes back as several
// polygons. Comparisons through YOLO split the expected side the same way.
ShapesByPath SplitRings(const ShapesByPath& in) {
    ShapesByPath out;
    for (const auto& [path, list] : in) {
        std::vector<Shape>& dst = out[path];
        for (const Shape& s : list) {
            const Polygon* p = std::get_if<Polygon>(&s.geometry);
            if (p == nullptr || p->rings.size() < 2) {
                dst.push_back(s);
                continue;
            }
            for (const Ring& ring : p->rings) {
                Shape part = s;
                part.geometry = Polygon{{ring}};
                dst.push_back(part);
            }
        }
    }
    return out;
}

bool NearShape(const Shape& a, const Shape& b, double tol) {
    if (a.label != b.label || a.geometry.index() != b.geometry.index()) {
        return false;
    }
    auto near = [tol](double x, double y) { return std::abs(x - y) <= tol; };
    if (const Box* x = std::get_if<Box>(&a.geometry)) {
        const Box& y = std::get<Box>(b.geometry);
        return near(x->x, y.x) && near(x->y, y.y) && near(x->w, y.w) && near(x->h, y.h);
    }
    if (const Polygon* x = std::get_if<Polygon>(&a.geometry)) {
        const Polygon& y = std::get<Polygon>(b.geometry);
        if (x->rings.size() != y.rings.size()) {
            return false;
        }
        for (std::size_t r = 0; r < x->rings.size(); ++r) {
            if (x->rings[r].size() != y.rings[r].size()) {
                return false;
            }
            for (std::size_t i = 0; i < x->rings[r].size(); ++i) {
                if (!near(x->rings[r][i].x, y.rings[r][i].x) ||
                    !near(x->rings[r][i].y, y.rings[r][i].y)) {
                    return false;
                }
            }
        }
        return true;
    }
    return std::get<MaskRle>(a.geometry) == std::get<MaskRle>(b.geometry);
}

std::string Describe(const std::vector<Shape>& shapes) {
    return ShapesToJson(shapes).dump();
}

// Every expected shape must pair with one actual shape (same label, same kind, within `tol`),
// and nothing may be left over. Images whose list is empty count as absent.
void ExpectSameShapes(const ShapesByPath& expected, const ShapesByPath& actual, double tol,
                      const std::string& what) {
    std::size_t images = 0;
    for (const auto& [path, want] : expected) {
        if (want.empty()) {
            continue;
        }
        ++images;
        auto found = actual.find(path);
        if (found == actual.end()) {
            ADD_FAILURE() << what << ": " << path << " lost its " << want.size() << " shapes";
            continue;
        }
        const std::vector<Shape>& got = found->second;
        std::vector<bool> used(got.size(), false);
        bool ok = got.size() == want.size();
        for (const Shape& w : want) {
            bool paired = false;
            for (std::size_t i = 0; i < got.size() && !paired; ++i) {
                if (!used[i] && NearShape(w, got[i], tol)) {
                    used[i] = true;
                    paired = true;
                }
            }
            ok = ok && paired;
        }
        EXPECT_TRUE(ok) << what << ": " << path << "\n expected " << Describe(want)
                        << "\n got      " << Describe(got);
    }
    for (const auto& [path, got] : actual) {
        auto want = expected.find(path);
        if (!got.empty()) {
            EXPECT_TRUE(want != expected.end() && !want->second.empty())
                << what << ": " << path << " gained " << Describe(got);
        }
    }
    EXPECT_GT(images, 0u) << what << ": nothing to compare";
}

class FormatRoundTripTest : public ::testing::Test {
protected:
    void SetUp() override { owner_ = *env.repo->CreateUser(User{0, "olga", Role::kOwner, "x", 0}); }

    Project MakeProject(const std::string& type, const std::vector<std::string>& labels,
                        const std::vector<NewItem>& items) {
        json tree = json::array();
        for (const std::string& label : labels) {
            tree.push_back({{"name", label}});
        }
        Project p;
        p.name = "P-" + type + std::to_string(++projects_);
        p.task_type = *ParseTaskType(type);
        p.status = ProjectStatus::kRunning;
        p.labels_json = tree.dump();
        p.datasource.path = "/data";
        auto created = env.repo->CreateProject(p);
        EXPECT_TRUE(created.ok()) << created.error().message;
        auto inserted = env.repo->InsertItems(created->id, items, env.clock.NowMs());
        EXPECT_TRUE(inserted.ok()) << inserted.error().message;
        return *created;
    }

    // Imports as final labels and requires a clean report.
    void ImportFinal(Id project_id, ImportFormat format, std::string body, const std::string& name,
                     const std::string& what) {
        ImportOptions options;
        options.format = format;
        options.mode = ImportMode::kFinal;
        options.upload_name = name;
        auto report = imports.Import(owner_, project_id, options, std::move(body));
        ASSERT_TRUE(report.ok()) << what << ": " << report.error().message;
        ASSERT_TRUE(report->errors.empty())
            << what << ": row " << report->errors[0].row << ": " << report->errors[0].message;
        EXPECT_TRUE(report->unmatched.empty())
            << what << ": unmatched " << report->unmatched[0].name << ": "
            << report->unmatched[0].reason;
        EXPECT_TRUE(report->applied) << what;
        EXPECT_GT(report->matched, 0) << what;
    }

    std::string Export(Id project_id, ExportFormat format) {
        testing::StringSink sink;
        Status written = exports.Write(owner_, project_id, format, sink);
        EXPECT_TRUE(written.ok()) << ExportName(format) << ": " << written.error().message;
        return sink.data;
    }

    // The shapes of every exported (labeled) item, keyed by item path.
    ShapesByPath Collect(Id project_id) {
        ShapesByPath out;
        Status walked = env.repo->ForEachExportRow(project_id, [&](const ExportRow& row) {
            if (row.annotation.payload_json.empty()) {
                return true;
            }
            json payload = json::parse(row.annotation.payload_json);
            auto shapes = ShapesFromJson(payload.value("shapes", json::array()));
            EXPECT_TRUE(shapes.ok()) << row.item.path << ": " << shapes.error().message;
            if (shapes.ok()) {
                out[row.item.path] = std::move(shapes).value();
            }
            return true;
        });
        EXPECT_TRUE(walked.ok()) << walked.error().message;
        return out;
    }

    // Exports `source` as `format`, imports the file into a fresh project with the same task
    // type, labels and items, and compares its shapes with `expected`.
    void RoundTrip(const Project& source, const std::vector<std::string>& labels,
                   const std::vector<NewItem>& items, const ShapesByPath& expected,
                   ExportFormat format, const std::string& what) {
        SCOPED_TRACE(what + " via " + ExportName(format));
        const std::string file = Export(source.id, format);
        ASSERT_FALSE(file.empty());
        Project copy = MakeProject(std::string(TaskTypeName(source.task_type)), labels, items);
        ImportFinal(copy.id, ReadBackFormat(format), file, UploadName(format),
                    what + " via " + ExportName(format));
        double tol = IsNormalized(format) ? kNormalizedTolerance : kPixelTolerance;
        if (format == ExportFormat::kVoc && !AllIntegral(expected)) {
            tol = kNormalizedTolerance;  // VOC rounds to whole pixels
        }
        const ShapesByPath got = Collect(copy.id);
        ExpectSameShapes(format == ExportFormat::kYolo ? SplitRings(expected) : expected, got, tol,
                         what + " via " + ExportName(format));
    }

    testing::ServiceEnv env;
    ImportService imports{*env.repo, env.clock};
    ExportService exports{*env.repo, env.clock};
    User owner_;
    int projects_ = 0;
};

const std::vector<ExportFormat> kBoxExports = {ExportFormat::kCoco,  ExportFormat::kCocoAzure,
                                               ExportFormat::kVoc,   ExportFormat::kYolo,
                                               ExportFormat::kJsonl, ExportFormat::kMltable};
const std::vector<ExportFormat> kPolygonExports = {ExportFormat::kCoco, ExportFormat::kCocoAzure,
                                                   ExportFormat::kYolo, ExportFormat::kJsonl};
const std::vector<ExportFormat> kSemanticExports = {ExportFormat::kCoco, ExportFormat::kMasks};

TEST_F(FormatRoundTripTest, BccdBoxesSurviveEveryBoxFormat) {
    REQUIRE_DATA(kBccd / "Annotations");
    // Items as the ingest job makes them: paths relative to the dataset root; every BCCD image
    // is 640 x 480 (dataset README).
    std::vector<NewItem> items;
    for (const auto& entry : fs::directory_iterator(kBccd / "JPEGImages")) {
        items.push_back(NewItem{"JPEGImages/" + entry.path().filename().string(),
                                static_cast<std::int64_t>(entry.file_size()), 640, 480, "jpeg",
                                ItemState::kUnlabeled, ""});
    }
    ASSERT_EQ(items.size(), 364u);
    const std::vector<std::string> labels = {"RBC", "WBC", "Platelets"};
    Project p = MakeProject("bbox", labels, items);
    // The annotation folder zipped, as an owner would upload it.
    std::vector<ImportFile> files;
    for (const auto& entry : fs::directory_iterator(kBccd / "Annotations")) {
        files.push_back(
            {"Annotations/" + entry.path().filename().string(), testing::ReadAll(entry.path())});
    }
    auto parsed = ParseVoc(files);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    std::size_t boxes = 0;
    for (const ImportRecord& r : parsed->records) {
        boxes += r.shapes.size();
    }
    ImportFinal(p.id, ImportFormat::kVoc, Zip(files), "bccd.zip", "bccd");
    const ShapesByPath original = Collect(p.id);
    ASSERT_EQ(original.size(), 364u);
    std::size_t stored = 0;
    for (const auto& [path, shapes] : original) {
        stored += shapes.size();
    }
    EXPECT_EQ(stored, boxes);
    ASSERT_TRUE(AllIntegral(original));
    for (ExportFormat format : kBoxExports) {
        RoundTrip(p, labels, items, original, format, "bccd");
    }
}

// Polygon project: BCCD's boxes become 4-point polygons on import; they and a hand-made
// polygon of two parts with fractional corners must survive COCO, COCO-Azure, YOLO and JSONL.
TEST_F(FormatRoundTripTest, PolygonProjectThroughCocoYoloAndJsonl) {
    const std::vector<std::string> labels = {"cat", "dog"};
    const std::vector<NewItem> items = {
        NewItem{"imgs/a.png", 100, 40, 30, "png", ItemState::kUnlabeled, ""},
        NewItem{"imgs/b.png", 100, 64, 48, "png", ItemState::kUnlabeled, ""}};
    Project p = MakeProject("polygon", labels, items);
    const std::string coco = R"({"categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
        "images": [{"id": 1, "file_name": "imgs/a.png", "width": 40, "height": 30},
                   {"id": 2, "file_name": "imgs/b.png", "width": 64, "height": 48}],
        "annotations": [
          {"id": 1, "image_id": 1, "category_id": 1,
           "segmentation": [[1.25, 2.5, 10.75, 2.5, 10.75, 12.125, 1.25, 12.125]]},
          {"id": 2, "image_id": 1, "category_id": 2,
           "segmentation": [[20, 5, 30.5, 5, 25.25, 17.75], [31, 20, 39, 20, 39, 29, 31, 29]]},
          {"id": 3, "image_id": 2, "category_id": 2, "bbox": [3, 4, 20.5, 10]}]})";
    ImportFinal(p.id, ImportFormat::kCoco, coco, "polygons.json", "polygons");
    const ShapesByPath original = Collect(p.id);
    ASSERT_EQ(original.size(), 2u);
    ASSERT_EQ(original.at("imgs/a.png").size(), 2u);
    for (ExportFormat format : kPolygonExports) {
        RoundTrip(p, labels, items, original, format, "polygons");
    }
}

TEST_F(FormatRoundTripTest, BccdAsPolygonsThroughCocoYoloAndJsonl) {
    REQUIRE_DATA(kBccd / "Annotations");
    std::vector<NewItem> items;
    for (const auto& entry : fs::directory_iterator(kBccd / "JPEGImages")) {
        items.push_back(NewItem{"JPEGImages/" + entry.path().filename().string(), 100, 640, 480,
                                "jpeg", ItemState::kUnlabeled, ""});
    }
    const std::vector<std::string> labels = {"RBC", "WBC", "Platelets"};
    Project p = MakeProject("polygon", labels, items);
    std::vector<ImportFile> files;
    for (const auto& entry : fs::directory_iterator(kBccd / "Annotations")) {
        files.push_back(
            {"Annotations/" + entry.path().filename().string(), testing::ReadAll(entry.path())});
    }
    ImportFinal(p.id, ImportFormat::kVoc, Zip(files), "bccd.zip", "bccd-polygons");
    const ShapesByPath original = Collect(p.id);
    ASSERT_EQ(original.size(), 364u);
    for (ExportFormat format : kPolygonExports) {
        RoundTrip(p, labels, items, original, format, "bccd-polygons");
    }
}

// Semantic project: COCO RLE (column-major, pycocotools) and a polygon rasterised into the
// masks; COCO writes the masks as RLE and the masks export as indexed PNGs; both read back to
// the same row-major runs.
TEST_F(FormatRoundTripTest, SemanticProjectThroughCocoRleAndMaskPng) {
    const std::vector<std::string> labels = {"road", "car", "sky"};
    const std::vector<NewItem> items = {
        NewItem{"m/a.png", 100, 8, 6, "png", ItemState::kUnlabeled, ""},
        NewItem{"m/b.png", 100, 5, 4, "png", ItemState::kUnlabeled, ""}};
    Project p = MakeProject("semantic", labels, items);
    // a.png: road = columns 0-1 (12 px, column-major counts [0, 12, 36]); car = a polygon over
    // x 4..7, y 1..4; b.png: sky = rows 0-1 given as the column-major runs of a 5 x 4 image.
    const std::string coco = R"({"categories": [{"id": 1, "name": "road"}, {"id": 2, "name": "car"},
        {"id": 3, "name": "sky"}],
        "images": [{"id": 1, "file_name": "m/a.png", "width": 8, "height": 6},
                   {"id": 2, "file_name": "m/b.png", "width": 5, "height": 4}],
        "annotations": [
          {"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 1,
           "segmentation": {"size": [6, 8], "counts": [0, 12, 36]}},
          {"id": 2, "image_id": 1, "category_id": 2, "segmentation": [[4, 1, 7, 1, 7, 4, 4, 4]]},
          {"id": 3, "image_id": 2, "category_id": 3, "iscrowd": 1,
           "segmentation": {"size": [4, 5], "counts": [0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]}}]})";
    ImportFinal(p.id, ImportFormat::kCoco, coco, "masks.json", "semantic");
    const ShapesByPath original = Collect(p.id);
    ASSERT_EQ(original.size(), 2u);
    ASSERT_EQ(original.at("m/a.png").size(), 2u);
    for (ExportFormat format : kSemanticExports) {
        RoundTrip(p, labels, items, original, format, "semantic");
    }
}

// CVAT <mask> (no Datumaro sample has one, so the file is written here in CVAT's form): masks in
// a semantic project, their outlines in a polygon project; both survive our exports.
TEST_F(FormatRoundTripTest, CvatMasksInSemanticAndPolygonProjects) {
    const std::vector<std::string> labels = {"road", "car"};
    const std::vector<NewItem> items = {
        NewItem{"frames/a.png", 100, 6, 4, "png", ItemState::kUnlabeled, ""}};
    // road: box (1, 1) 3 x 2 with rows "011", "110"; car: a 2 x 2 block with a corner cut,
    // at (4, 2) in a 6 x 4 image.
    const std::string xml = R"(<annotations><version>1.1</version>
  <image id="0" name="frames/a.png" width="6" height="4">
    <mask label="road" rle="1, 4, 1" left="1" top="1" width="3" height="2" z_order="0"/>
    <mask label="car" rle="0, 3, 1" left="4" top="2" width="2" height="2" z_order="1"/>
  </image></annotations>)";
    for (const char* task : {"semantic", "polygon"}) {
        SCOPED_TRACE(task);
        Project p = MakeProject(task, labels, items);
        ImportFinal(p.id, ImportFormat::kCvat, xml, "annotations.xml", "cvat masks");
        const ShapesByPath original = Collect(p.id);
        ASSERT_EQ(original.at("frames/a.png").size(), 2u);
        if (std::string(task) == "semantic") {
            EXPECT_EQ(std::get<MaskRle>(original.at("frames/a.png")[0].geometry).runs,
                      (std::vector<std::int64_t>{8, 2, 13, 2}));
        } else {
            // The road outline: an S of 4 pixels, 8 corners.
            const auto& road = std::get<Polygon>(original.at("frames/a.png")[0].geometry);
            ASSERT_EQ(road.rings.size(), 1u);
            EXPECT_EQ(road.rings[0].size(), 8u);
        }
        for (ExportFormat format :
             std::string(task) == "semantic" ? kSemanticExports : kPolygonExports) {
            RoundTrip(p, labels, items, original, format, std::string("cvat masks ") + task);
        }
    }
}

// A CVAT project export repeats img0.jpg and img1.jpg in subsets Test, Train and Validation:
// each record matches the item whose path ends with <subset>/<name>; in a project holding one
// img0.jpg the records are unmatched, saying why, rather than all landing on the same item.
TEST_F(FormatRoundTripTest, CvatProjectSubsetsMatchBySubsetPath) {
    const fs::path dir = kSamples / "cvat_dataset/for_images/export_project";
    REQUIRE_DATA(dir);
    const std::string xml = testing::ReadAll(dir / "annotations.xml");
    std::vector<NewItem> items;
    for (const char* subset : {"Test", "Train", "Validation"}) {
        items.push_back(NewItem{std::string("images/") + subset + "/img0.jpg", 100, 8, 8, "jpeg",
                                ItemState::kUnlabeled, ""});
        items.push_back(NewItem{std::string("images/") + subset + "/img1.jpg", 100, 10, 10, "jpeg",
                                ItemState::kUnlabeled, ""});
    }
    Project p = MakeProject("polygon", {"label1", "label2"}, items);
    ImportFinal(p.id, ImportFormat::kCvat, xml, "annotations.xml", "cvat project");
    const ShapesByPath stored = Collect(p.id);
    EXPECT_EQ(stored.size(), 6u);
    ASSERT_EQ(stored.at("images/Train/img1.jpg").size(), 1u);
    EXPECT_TRUE(std::holds_alternative<Polygon>(stored.at("images/Train/img1.jpg")[0].geometry));

    Project flat =
        MakeProject("polygon", {"label1", "label2"},
                    {NewItem{"img0.jpg", 100, 8, 8, "jpeg", ItemState::kUnlabeled, ""},
                     NewItem{"img1.jpg", 100, 10, 10, "jpeg", ItemState::kUnlabeled, ""}});
    ImportOptions options;
    options.format = ImportFormat::kCvat;
    options.mode = ImportMode::kFinal;
    options.upload_name = "annotations.xml";
    auto report = imports.Import(owner_, flat.id, options, xml);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_TRUE(report->errors.empty());
    EXPECT_EQ(report->matched, 0);
    ASSERT_EQ(report->unmatched.size(), 6u);
    EXPECT_EQ(report->unmatched[0].name, "Test/img0.jpg");
    EXPECT_NE(report->unmatched[0].reason.find("several subsets"), std::string::npos)
        << report->unmatched[0].reason;
}

struct SampleCase {
    const char* name;
    const char* path;  // a folder (zipped) or a file, under format-samples
    ImportFormat format;
    const char* task;
    std::vector<ExportFormat> exports;
    // CVAT allows shapes without a label (label=""); Tessera stores none. When set, the sample
    // is read with label="" replaced by this name, in memory.
    const char* empty_label_as = "";
    bool with_png = false;  // PNG masks (mask layouts, COCO panoptic) are part of the upload
};

void PrintTo(const SampleCase& c, std::ostream* os) {
    *os << c.name;
}

Result<ParsedImport> ParseSample(ImportFormat format, const std::vector<ImportFile>& files) {
    switch (format) {
        case ImportFormat::kCoco: return ParseCoco(files, CocoFlavor::kDetect);
        case ImportFormat::kVoc: return ParseVoc(files);
        case ImportFormat::kYolo: return ParseYolo(files);
        case ImportFormat::kLabelMe: return ParseLabelMe(files);
        case ImportFormat::kCvat: return ParseCvat(files);
        case ImportFormat::kMasks: return ParseMasks(files);
        case ImportFormat::kCocoPanoptic: return ParseCocoPanoptic(files);
        default: return Error::InvalidArgument("no sample reader");
    }
}

class SampleRoundTripTest : public FormatRoundTripTest,
                            public ::testing::WithParamInterface<SampleCase> {};

// import -> export -> import is lossless: the shapes stored by the first import come back from
// every export of ours that can hold them.
TEST_P(SampleRoundTripTest, ImportExportImportIsLossless) {
    const SampleCase& c = GetParam();
    const fs::path source = kSamples / c.path;
    REQUIRE_DATA(source);
    std::vector<ImportFile> files;
    std::string body;
    std::string upload;
    files = fs::is_directory(source)
                ? FilesUnder(source, c.with_png)
                : std::vector<ImportFile>{{source.filename().string(), testing::ReadAll(source)}};
    if (*c.empty_label_as != '\0') {
        const std::string empty = "label=\"\"";
        const std::string named = "label=\"" + std::string(c.empty_label_as) + "\"";
        for (ImportFile& f : files) {
            for (auto at = f.bytes.find(empty); at != std::string::npos;
                 at = f.bytes.find(empty, at + named.size())) {
                f.bytes.replace(at, empty.size(), named);
            }
        }
    }
    if (fs::is_directory(source)) {
        body = Zip(files);
        upload = std::string(c.name) + ".zip";
    } else {
        body = files[0].bytes;
        upload = files[0].path;
    }
    auto parsed = ParseSample(c.format, files);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_TRUE(parsed->errors.empty()) << parsed->errors[0].message;
    // Items named as the records name their images (stems get an extension), with the size the
    // file states; normalised files (YOLO) state none, so they get 640 x 480.
    std::vector<NewItem> items;
    std::vector<std::string> labels;
    for (const ImportRecord& r : parsed->records) {
        std::string path = r.name;
        while (path.starts_with("./") || path.starts_with("/")) {
            path.erase(0, path.starts_with("/") ? 1 : 2);
        }
        if (r.match_stem) {
            path += ".jpg";
        }
        const ImageSize size = r.size.value_or(ImageSize{640, 480});
        items.push_back(
            NewItem{path, 100, size.width, size.height, "jpeg", ItemState::kUnlabeled, ""});
        for (const Shape& s : r.shapes) {
            if (std::find(labels.begin(), labels.end(), s.label) == labels.end()) {
                labels.push_back(s.label);
            }
        }
    }
    Project p = MakeProject(c.task, labels, items);
    ImportFinal(p.id, c.format, body, upload, c.name);
    const ShapesByPath original = Collect(p.id);
    ASSERT_FALSE(original.empty());
    for (ExportFormat format : c.exports) {
        RoundTrip(p, labels, items, original, format, c.name);
    }
}

INSTANTIATE_TEST_SUITE_P(
    FormatSamples, SampleRoundTripTest,
    ::testing::Values(
        SampleCase{"coco_boxes", "coco_dataset/coco_instances/annotations/instances_train.json",
                   ImportFormat::kCoco, "bbox", kBoxExports},
        SampleCase{"coco_polygon_and_rle",
                   "coco_dataset/coco_instances/annotations/instances_val.json",
                   ImportFormat::kCoco, "semantic", kSemanticExports},
        SampleCase{"voc", "voc_dataset/voc_dataset2/Annotations", ImportFormat::kVoc, "bbox",
                   kBoxExports},
        SampleCase{"yolo", "yolo_dataset/strict", ImportFormat::kYolo, "bbox", kBoxExports},
        SampleCase{"labelme", "labelme_dataset/Annotations", ImportFormat::kLabelMe, "polygon",
                   kPolygonExports},
        SampleCase{"cvat", "cvat_dataset/for_images/export_task", ImportFormat::kCvat, "polygon",
                   kPolygonExports, "unlabeled"},
        // A project export: the same image names in three subsets, items named
        // <subset>/<name>.
        SampleCase{"cvat_project", "cvat_dataset/for_images/export_project", ImportFormat::kCvat,
                   "polygon", kPolygonExports},
        SampleCase{"camvid", "camvid_dataset", ImportFormat::kMasks, "semantic", kSemanticExports,
                   "", true},
        SampleCase{"cityscapes", "cityscapes_dataset/train_dataset", ImportFormat::kMasks,
                   "semantic", kSemanticExports, "", true},
        SampleCase{"common_semantic_segmentation", "common_semantic_segmentation_dataset/dataset",
                   ImportFormat::kMasks, "semantic", kSemanticExports, "", true},
        SampleCase{"kaggle_image_mask", "kaggle_dataset/image_mask_with_labelmap",
                   ImportFormat::kMasks, "semantic", kSemanticExports, "", true},
        // COCO panoptic segments: masks in semantic projects, their pixel-exact outlines in
        // polygon projects (a segment of two blobs is one polygon of two rings), their bounds in
        // box projects.
        SampleCase{"coco_panoptic", "coco_dataset/coco/annotations", ImportFormat::kCocoPanoptic,
                   "semantic", kSemanticExports, "", true},
        SampleCase{"coco_panoptic_polygons", "coco_dataset/coco/annotations",
                   ImportFormat::kCocoPanoptic, "polygon", kPolygonExports, "", true},
        SampleCase{"coco_panoptic_boxes", "coco_dataset/coco/annotations",
                   ImportFormat::kCocoPanoptic, "bbox", kBoxExports, "", true}),
    [](const ::testing::TestParamInfo<SampleCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tessera
