#include "services/export_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "domain/classification.hpp"
#include "services/service_test_support.hpp"
#include "support/string_sink.hpp"
#include "support/zip_reader.hpp"

namespace tessera {
namespace {

std::string Golden(const std::string& name) {
    auto path = std::filesystem::path(__FILE__).parent_path() / "testdata" / name;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing golden file " << path;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A project with five items of which four get labeled, by two labelers at known times.
class ExportServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        owner_ = *env.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
        ann_ = *env.repo->CreateUser(User{0, "ann", Role::kLabeler, "x", 0});
        bob_ = *env.repo->CreateUser(User{0, "bob, jr.", Role::kLabeler, "x", 0});
    }

    Id MakeProject(const std::string& name, TaskType type) {
        Project p;
        p.name = name;
        p.task_type = type;
        p.status = ProjectStatus::kRunning;
        p.labels_json = R"([{"name":"Animal","children":[{"name":"Cat"},{"name":"Dog"}]},)"
                        R"({"name":"Car"}])";
        p.datasource = {"local", "/data/pets", "**/*.*"};
        p.created_by = owner_.id;
        p.created_at = env.clock.NowMs();
        auto created = env.repo->CreateProject(p);
        EXPECT_TRUE(created.ok()) << created.error().message;
        std::vector<NewItem> items = {
            {"cats/1.jpg", 1000, 640, 480, "jpeg"},
            {"cats/2.png", 2000, 800, 600, "png"},
            {"odd, \"name\".jpg", 3000, 10, 20, "jpeg"},
            {"never-labeled.jpg", 4000, 30, 40, "jpeg"},
            {"scan.tif", 5000, 50, 60, "tiff"},
        };
        EXPECT_TRUE(env.repo->InsertItems(created->id, items, env.clock.NowMs()).ok());
        return created->id;
    }

    Item ItemAt(Id project_id, const std::string& path) {
        auto items = env.repo->ListItems(project_id, ItemFilter{std::nullopt, 0, 100});
        for (const Item& item : *items) {
            if (item.path == path) {
                return item;
            }
        }
        ADD_FAILURE() << "no item " << path;
        return {};
    }

    // Leases everything for `user` and labels `path` with `labels` at the current fake time.
    void Label(Id project_id, const User& user, const std::string& path,
               const std::vector<std::string>& labels) {
        Answer(project_id, user, path, ClassificationPayload(labels), labels);
    }

    void Answer(Id project_id, const User& user, const std::string& path,
                const std::string& payload_json, const std::vector<std::string>& labels) {
        std::string token = "lease-" + std::to_string(++leases_);
        TimeMs now = env.clock.NowMs();
        auto leased =
            env.repo->LeaseNext(LeaseRequest{project_id, user.id, 9, token, now, now + 60'000});
        ASSERT_TRUE(leased.ok()) << leased.error().message;
        SubmitRequest submit;
        submit.project_id = project_id;
        submit.item_id = ItemAt(project_id, path).id;
        submit.user_id = user.id;
        submit.lease_token = token;
        submit.payload_json = payload_json;
        submit.counted_labels = labels;
        submit.now = now;
        auto stored = env.repo->SubmitAnnotation(submit);
        ASSERT_TRUE(stored.ok()) << stored.error().message;
        ASSERT_TRUE(env.repo->ReleaseLease(project_id, user.id, token).ok());
    }

    Id LabeledMulticlass() {
        Id id = MakeProject("Pets & Co", TaskType::kMulticlass);
        Label(id, ann_, "cats/1.jpg", {"Animal/Cat"});
        env.clock.Advance(61'123);
        Label(id, bob_, "odd, \"name\".jpg", {"Car"});
        env.clock.Advance(1000);
        Label(id, ann_, "cats/2.png", {"Animal/Dog"});
        Label(id, bob_, "scan.tif", {"Animal"});
        return id;
    }

    Id LabeledMultilabel() {
        Id id = MakeProject("Street", TaskType::kMultilabel);
        Label(id, ann_, "cats/1.jpg", {"Animal/Cat", "Car"});
        env.clock.Advance(5);
        Label(id, bob_, "cats/2.png", {"Car"});
        return id;
    }

    std::string Export(Id project_id, ExportFormat format) {
        testing::StringSink sink;
        Status s = service_.Write(owner_, project_id, format, sink);
        EXPECT_TRUE(s.ok()) << s.error().message;
        return sink.data;
    }

    testing::ServiceEnv env;
    ExportService service_{*env.repo, env.clock};
    User owner_, ann_, bob_;
    int leases_ = 0;
};

TEST_F(ExportServiceTest, MulticlassCsvMatchesGolden) {
    EXPECT_EQ(Export(LabeledMulticlass(), ExportFormat::kCsv), Golden("export_multiclass.csv"));
}

TEST_F(ExportServiceTest, MulticlassJsonlMatchesGolden) {
    EXPECT_EQ(Export(LabeledMulticlass(), ExportFormat::kJsonl), Golden("export_multiclass.jsonl"));
}

TEST_F(ExportServiceTest, MultilabelCsvAndJsonlMatchGolden) {
    Id id = LabeledMultilabel();
    EXPECT_EQ(Export(id, ExportFormat::kCsv), Golden("export_multilabel.csv"));
    EXPECT_EQ(Export(id, ExportFormat::kJsonl), Golden("export_multilabel.jsonl"));
}

TEST_F(ExportServiceTest, MltableZipHoldsMltableAndAnnotations) {
    std::string zip = Export(LabeledMulticlass(), ExportFormat::kMltable);
    auto files = testing::ReadZip(zip);
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files["MLTable"], Golden("MLTable"));
    EXPECT_EQ(files["annotations.jsonl"], Golden("export_multiclass.jsonl"));
    testing::CheckZipWithExternalTools(zip);
}

TEST_F(ExportServiceTest, PrepareNamesTheFile) {
    Id id = MakeProject("Pets & Co/2024", TaskType::kMulticlass);
    auto csv = service_.Prepare(owner_, id, ExportFormat::kCsv);
    ASSERT_TRUE(csv.ok()) << csv.error().message;
    EXPECT_EQ(csv->filename, "Pets___Co_2024-csv.csv");
    EXPECT_EQ(csv->content_type, "text/csv; charset=utf-8");
    EXPECT_EQ(service_.Prepare(owner_, id, ExportFormat::kJsonl)->filename,
              "Pets___Co_2024-jsonl.jsonl");
    auto zip = service_.Prepare(owner_, id, ExportFormat::kMltable);
    EXPECT_EQ(zip->filename, "Pets___Co_2024-mltable.zip");
    EXPECT_EQ(zip->content_type, "application/zip");
}

TEST_F(ExportServiceTest, OnlyOwnersExport) {
    Id id = LabeledMulticlass();
    testing::StringSink sink;
    EXPECT_EQ(service_.Prepare(ann_, id, ExportFormat::kCsv).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.Write(ann_, id, ExportFormat::kCsv, sink).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(sink.data, "");
}

TEST_F(ExportServiceTest, UnknownDeletedAndShapeProjects) {
    EXPECT_EQ(service_.Prepare(owner_, 999, ExportFormat::kCsv).error().code, ErrorCode::kNotFound);
    Id id = MakeProject("Gone", TaskType::kMulticlass);
    ASSERT_TRUE(env.repo->DeleteProject(id, env.clock.NowMs()).ok());
    EXPECT_EQ(service_.Prepare(owner_, id, ExportFormat::kCsv).error().code, ErrorCode::kNotFound);
    Id boxes = MakeProject("Boxes", TaskType::kBbox);
    EXPECT_EQ(service_.Prepare(owner_, boxes, ExportFormat::kCsv).error().code,
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(service_.Prepare(owner_, boxes, ExportFormat::kMasks).error().code,
              ErrorCode::kFailedPrecondition);
    Id classes = MakeProject("Classes", TaskType::kMulticlass);
    EXPECT_EQ(service_.Prepare(owner_, classes, ExportFormat::kCoco).error().code,
              ErrorCode::kFailedPrecondition);
}

TEST_F(ExportServiceTest, SinkErrorStopsTheExport) {
    Id id = LabeledMulticlass();
    testing::FailingSink sink(10);
    EXPECT_EQ(service_.Write(owner_, id, ExportFormat::kCsv, sink).error().code,
              ErrorCode::kUnavailable);
}

TEST_F(ExportServiceTest, ParseFormat) {
    EXPECT_EQ(ParseExportFormat("csv"), ExportFormat::kCsv);
    EXPECT_EQ(ParseExportFormat("jsonl"), ExportFormat::kJsonl);
    EXPECT_EQ(ParseExportFormat("mltable"), ExportFormat::kMltable);
    EXPECT_EQ(ParseExportFormat("CSV"), std::nullopt);
    EXPECT_EQ(ParseExportFormat("coco"), ExportFormat::kCoco);
    EXPECT_EQ(ParseExportFormat("coco-azure"), ExportFormat::kCocoAzure);
    EXPECT_EQ(ParseExportFormat("voc"), ExportFormat::kVoc);
    EXPECT_EQ(ParseExportFormat("yolo"), ExportFormat::kYolo);
    EXPECT_EQ(ParseExportFormat("masks"), ExportFormat::kMasks);
    EXPECT_EQ(ParseExportFormat("coco_azure"), std::nullopt);
}

// --- drawing projects: the writers are golden-tested in formats/; these check the wiring.

class DrawingExportTest : public ExportServiceTest {
protected:
    Id LabeledBoxes() {
        Id id = MakeProject("Boxes", TaskType::kBbox);
        Answer(id, ann_, "cats/1.jpg",
               R"({"shapes":[{"label":"Animal/Cat","type":"box","x":10,"y":10,"w":30,"h":60}]})",
               {"Animal/Cat"});
        Answer(id, bob_, "cats/2.png",
               R"({"shapes":[{"label":"Car","type":"box","x":0,"y":0,"w":800,"h":600},)"
               R"({"label":"Car","type":"box","x":1,"y":2,"w":3,"h":4}]})",
               {"Car", "Car"});
        return id;
    }

    Id LabeledMasks() {
        Id id = MakeProject("Road", TaskType::kSemantic);
        // 640x480: Car on the first two pixels of row 1.
        Answer(id, ann_, "cats/1.jpg",
               R"({"shapes":[{"label":"Car","type":"mask","rle":[640,2]}]})", {"Car"});
        return id;
    }
};

TEST_F(DrawingExportTest, CocoPixelAndAzure) {
    Id id = LabeledBoxes();
    auto pixel = nlohmann::json::parse(Export(id, ExportFormat::kCoco));
    ASSERT_EQ(pixel["images"].size(), 2u);
    ASSERT_EQ(pixel["annotations"].size(), 3u);
    EXPECT_EQ(pixel["categories"].size(), 4u);
    std::map<std::string, nlohmann::json> images;
    for (const auto& image : pixel["images"]) {
        images[image["file_name"]] = image;
    }
    EXPECT_EQ(images["cats/2.png"]["width"], 800);
    for (const auto& a : pixel["annotations"]) {
        bool known = a["image_id"] == images["cats/1.jpg"]["id"] ||
                     a["image_id"] == images["cats/2.png"]["id"];
        EXPECT_TRUE(known) << a.dump();
    }
    auto azure = nlohmann::json::parse(Export(id, ExportFormat::kCocoAzure));
    EXPECT_EQ(azure["images"][0]["width"], 0);
    for (const auto& a : azure["annotations"]) {
        for (const auto& v : a["bbox"]) {
            EXPECT_LE(v.get<double>(), 1.0);
        }
    }
    EXPECT_EQ(service_.Prepare(owner_, id, ExportFormat::kCoco)->content_type, "application/json");
    EXPECT_EQ(service_.Prepare(owner_, id, ExportFormat::kCoco)->filename, "Boxes-coco.json");
}

TEST_F(DrawingExportTest, JsonlAndMltableHoldBoxes) {
    Id id = LabeledBoxes();
    std::string jsonl = Export(id, ExportFormat::kJsonl);
    std::istringstream lines(jsonl);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        auto row = nlohmann::json::parse(line);
        ASSERT_TRUE(row["label"].is_array());
        EXPECT_TRUE(row["label"][0].contains("topX"));
        ++count;
    }
    EXPECT_EQ(count, 2);
    auto files = testing::ReadZip(Export(id, ExportFormat::kMltable));
    EXPECT_EQ(files["annotations.jsonl"], jsonl);
    EXPECT_EQ(files["MLTable"], Golden("MLTable"));
}

TEST_F(DrawingExportTest, VocAndYoloZips) {
    Id id = LabeledBoxes();
    std::string voc_zip = Export(id, ExportFormat::kVoc);
    auto voc = testing::ReadZip(voc_zip);
    ASSERT_EQ(voc.size(), 2u);
    EXPECT_NE(voc["Annotations/cats/1.xml"].find("<xmin>10</xmin>"), std::string::npos);
    EXPECT_NE(voc["Annotations/cats/2.xml"].find("<xmax>800</xmax>"), std::string::npos);
    testing::CheckZipWithExternalTools(voc_zip);
    auto yolo = testing::ReadZip(Export(id, ExportFormat::kYolo));
    ASSERT_EQ(yolo.size(), 3u);
    EXPECT_NE(yolo["data.yaml"].find("3: \"Car\""), std::string::npos);
    EXPECT_EQ(yolo["labels/cats/2.txt"],
              "3 0.5 0.5 1 1\n3 0.003125 0.006666666666666667 0.00375 "
              "0.006666666666666667\n");
}

TEST_F(DrawingExportTest, SemanticMasksAndCocoRle) {
    Id id = LabeledMasks();
    auto masks = testing::ReadZip(Export(id, ExportFormat::kMasks));
    ASSERT_EQ(masks.size(), 2u);
    EXPECT_NE(masks["labelmap.txt"].find("Car:0,0,128::"), std::string::npos);
    EXPECT_EQ(masks["SegmentationClass/cats/1.png"].substr(1, 3), "PNG");
    auto coco = nlohmann::json::parse(Export(id, ExportFormat::kCoco));
    // Column-major: pixel (0,1) and (1,1) sit at indices 1 and 481.
    EXPECT_EQ(coco["annotations"][0]["segmentation"]["counts"],
              nlohmann::json({1, 1, 479, 1, 640 * 480 - 482}));
    EXPECT_EQ(service_.Prepare(owner_, id, ExportFormat::kJsonl).error().code,
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(service_.Prepare(owner_, id, ExportFormat::kYolo).error().code,
              ErrorCode::kFailedPrecondition);
}

TEST_F(DrawingExportTest, MalformedStoredAnswerStopsTheExport) {
    Id id = MakeProject("Broken", TaskType::kBbox);
    Answer(id, ann_, "cats/1.jpg", R"({"labels":["Car"]})", {"Car"});
    testing::StringSink sink;
    EXPECT_EQ(service_.Write(owner_, id, ExportFormat::kCoco, sink).error().code,
              ErrorCode::kInternal);
}

}  // namespace
}  // namespace tessera
