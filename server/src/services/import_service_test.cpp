#include "services/import_service.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "blobs/image_probe.hpp"
#include "blobs/vips_init.hpp"
#include "formats/import_test_support.hpp"
#include "formats/voc_import.hpp"
#include "services/service_test_support.hpp"
#include "support/datasets.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::kBccd;

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

class ImportServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        owner_ = *env.repo->CreateUser(User{0, "olga", Role::kOwner, "x", 0});
        labeler_ = *env.repo->CreateUser(User{0, "lars", Role::kLabeler, "x", 0});
    }

    Project MakeProject(const std::string& type, const std::string& labels_json,
                        const std::vector<NewItem>& items) {
        Project p;
        p.name = "P-" + type + std::to_string(++projects_);
        p.task_type = *ParseTaskType(type);
        p.status = ProjectStatus::kRunning;
        p.labels_json = labels_json;
        p.datasource.path = "/data";
        auto created = env.repo->CreateProject(p);
        EXPECT_TRUE(created.ok());
        EXPECT_TRUE(env.repo->InsertItems(created->id, items, env.clock.NowMs()).ok());
        return *created;
    }

    Project BoxProject(const std::string& type = "bbox") {
        return MakeProject(type, R"([{"name":"cat"},{"name":"dog"}])",
                           {Item("a/x.jpg"), Item("b/x.jpg"), Item("b/y.jpg"), Item("z.png")});
    }

    static NewItem Item(const std::string& path, int w = 100, int h = 50) {
        return NewItem{path, 10, w, h, "jpeg", ItemState::kUnlabeled, ""};
    }

    Id ItemId(Id project_id, const std::string& path) {
        auto items = env.repo->ListItems(project_id, ItemFilter{});
        for (const tessera::Item& item : *items) {
            if (item.path == path) {
                return item.id;
            }
        }
        ADD_FAILURE() << "no item " << path;
        return 0;
    }

    Result<ImportReport> Run(Id project_id, ImportFormat format, ImportMode mode, std::string body,
                             const std::string& name = "upload.json") {
        ImportOptions options;
        options.format = format;
        options.mode = mode;
        options.upload_name = name;
        return service.Import(owner_, project_id, options, std::move(body));
    }

    json Shapes(Id project_id, const std::string& path) {
        auto prelabel = env.repo->GetPrelabel(project_id, ItemId(project_id, path));
        EXPECT_TRUE(prelabel.ok());
        return prelabel.ok() ? json::parse(prelabel->payload_json)["shapes"] : json();
    }

    std::map<std::string, std::int64_t> Counts(Id project_id) {
        std::map<std::string, std::int64_t> out;
        auto counts = env.repo->LabelDistribution(project_id);
        EXPECT_TRUE(counts.ok()) << counts.error().message;
        if (!counts.ok()) {
            return out;
        }
        for (const LabelCount& c : counts.value()) {
            if (c.count != 0) {
                out[c.label] = c.count;
            }
        }
        return out;
    }

    testing::ServiceEnv env;
    ImportService service{*env.repo, env.clock};
    User owner_;
    User labeler_;
    int projects_ = 0;
};

std::string Coco(const std::string& images, const std::string& annotations) {
    return R"({"categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}], "images": )" +
           images + R"(, "annotations": )" + annotations + "}";
}

TEST_F(ImportServiceTest, CocoPrelabelsMatchByPathAndStayUnlabeled) {
    Project p = BoxProject();
    auto report = Run(p.id, ImportFormat::kCoco, ImportMode::kPrelabel,
                      Coco(R"([{"id": 1, "file_name": "a/x.jpg", "width": 100, "height": 50},
                               {"id": 2, "file_name": "y.jpg", "width": 100, "height": 50}])",
                           R"([{"id": 1, "image_id": 1, "category_id": 2, "bbox": [10, 5, 20, 10],
                                "score": 0.8},
                               {"id": 2, "image_id": 2, "category_id": 1,
                                "bbox": [90, 40, 50, 50]}])"));
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_TRUE(report->applied);
    EXPECT_EQ(report->matched, 2);
    EXPECT_TRUE(report->unmatched.empty());
    json shapes = Shapes(p.id, "a/x.jpg");
    ASSERT_EQ(shapes.size(), 1u);
    EXPECT_EQ(shapes[0]["label"], "dog");
    EXPECT_EQ(shapes[0]["x"], 10);
    EXPECT_EQ(shapes[0]["w"], 20);
    // y.jpg matched by its unique file name; the box is clamped to the image.
    json clamped = Shapes(p.id, "b/y.jpg");
    EXPECT_EQ(clamped[0]["w"], 10);
    EXPECT_EQ(clamped[0]["h"], 10);
    auto item = env.repo->GetItem(p.id, ItemId(p.id, "a/x.jpg"));
    EXPECT_EQ(item->state, ItemState::kUnlabeled);
    auto annotation = env.repo->GetPrelabel(p.id, item->id);
    ASSERT_TRUE(annotation->confidence.has_value());
    EXPECT_DOUBLE_EQ(*annotation->confidence, 0.8);
    EXPECT_TRUE(Counts(p.id).empty());  // prelabels are not answers
}

TEST_F(ImportServiceTest, FinalImportLabelsItemsAndCountsLabels) {
    Project p = BoxProject();
    const std::string coco =
        Coco(R"([{"id": 1, "file_name": "z.png", "width": 100, "height": 50}])",
             R"([{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]},
                 {"id": 2, "image_id": 1, "category_id": 1, "bbox": [10, 1, 5, 5]}])");
    auto report = Run(p.id, ImportFormat::kCoco, ImportMode::kFinal, coco);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_TRUE(report->applied);
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "z.png"))->state, ItemState::kLabeled);
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"cat", 2}}));
    // Importing again replaces the earlier import instead of adding to it.
    ASSERT_TRUE(Run(p.id, ImportFormat::kCoco, ImportMode::kFinal, coco).ok());
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"cat", 2}}));
}

TEST_F(ImportServiceTest, AnyRowErrorAppliesNothing) {
    Project p = BoxProject();
    auto report = Run(p.id, ImportFormat::kCoco, ImportMode::kFinal,
                      Coco(R"([{"id": 1, "file_name": "z.png", "width": 100, "height": 50},
                               {"id": 2, "file_name": "a/x.jpg", "width": 100, "height": 50}])",
                           R"([{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]},
                               {"id": 2, "image_id": 2, "category_id": 1,
                                "bbox": [1, 1, 0, 5]}])"));
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_FALSE(report->applied);
    ASSERT_EQ(report->errors.size(), 1u);
    EXPECT_EQ(report->errors[0].row, 2);
    EXPECT_NE(report->errors[0].message.find("shapes[0]"), std::string::npos)
        << report->errors[0].message;
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "z.png"))->state, ItemState::kUnlabeled);
    EXPECT_TRUE(Counts(p.id).empty());
}

TEST_F(ImportServiceTest, EveryImportIsRecordedInTheProjectsJobs) {
    Project p = BoxProject();
    const std::string good =
        Coco(R"([{"id": 1, "file_name": "z.png", "width": 100, "height": 50},
                 {"id": 2, "file_name": "nowhere.png", "width": 100, "height": 50}])",
             R"([{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]}])");
    ImportOptions options;
    options.format = ImportFormat::kCoco;
    options.format_name = "coco";
    options.mode = ImportMode::kFinal;
    options.file_name = "boxes.json";
    options.upload_name = "upload.json";
    ASSERT_TRUE(service.Import(owner_, p.id, options, good).ok());
    ASSERT_FALSE(service.Import(owner_, p.id, options, "{not json").ok());
    // A labeler is refused before anything happens, so nothing is recorded for them.
    ASSERT_FALSE(service.Import(labeler_, p.id, options, good).ok());

    auto jobs = env.repo->ListJobs(p.id);
    ASSERT_TRUE(jobs.ok()) << jobs.error().message;
    ASSERT_EQ(jobs->size(), 2u);
    const Job& failed = (*jobs)[0];  // newest first
    EXPECT_EQ(failed.kind, "import");
    EXPECT_EQ(failed.state, JobState::kFailed);
    EXPECT_NE(failed.error.find("invalid JSON"), std::string::npos) << failed.error;
    const Job& applied = (*jobs)[1];
    EXPECT_EQ(applied.state, JobState::kDone);
    EXPECT_EQ(applied.progress_done, 1);
    EXPECT_EQ(applied.progress_total, 2);
    EXPECT_GT(applied.finished_at, 0);
    EXPECT_EQ(nlohmann::json::parse(applied.payload_json), (nlohmann::json{{"format", "coco"},
                                                                           {"mode", "final"},
                                                                           {"file", "boxes.json"},
                                                                           {"user", "olga"},
                                                                           {"matched", 1},
                                                                           {"unmatched", 1},
                                                                           {"errors", 0},
                                                                           {"applied", true}}));
}

TEST_F(ImportServiceTest, CocoStoredOnDiskIsStreamedAndABreakMidwayAppliesNothing) {
    Project p = BoxProject();
    char tmpl[] = "/tmp/tessera-import-upload-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const fs::path dir = tmpl;
    const std::string coco =
        Coco(R"([{"id": 1, "file_name": "z.png", "width": 100, "height": 50},
                 {"id": 2, "file_name": "a/x.jpg", "width": 100, "height": 50}])",
             R"([{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]},
                 {"id": 2, "image_id": 2, "category_id": 2, "bbox": [2, 2, 5, 5]}])");
    ImportOptions options;
    options.mode = ImportMode::kFinal;
    // Truncated after z.png's annotation: that row was read, but the file is not COCO.
    std::ofstream(dir / "broken") << coco.substr(0, coco.find(R"({"id": 2, "image_id")"));
    auto broken = service.Import(owner_, p.id, options,
                                 ImportUpload::FromFile(dir / "broken", "upload.json"));
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(broken.error().message.starts_with("upload.json: invalid JSON at byte "))
        << broken.error().message;
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "z.png"))->state, ItemState::kUnlabeled);
    EXPECT_TRUE(Counts(p.id).empty());

    std::ofstream(dir / "good") << coco;
    auto good =
        service.Import(owner_, p.id, options, ImportUpload::FromFile(dir / "good", "upload.json"));
    ASSERT_TRUE(good.ok()) << good.error().message;
    EXPECT_TRUE(good->applied);
    EXPECT_EQ(good->matched, 2);
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"cat", 1}, {"dog", 1}}));
    fs::remove_all(dir);
}

TEST_F(ImportServiceTest, CvatAndJsonlStoredOnDiskAreStreamedAndABreakAppliesNothing) {
    Project p = BoxProject();
    char tmpl[] = "/tmp/tessera-import-upload-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const fs::path dir = tmpl;
    const std::string cvat = R"(<annotations><version>1.1</version>
  <image id="0" name="z.png" width="100" height="50">
    <box label="cat" xtl="1" ytl="1" xbr="6" ybr="6"/>
  </image>
  <image id="1" name="a/x.jpg" width="100" height="50">
    <box label="dog" xtl="2" ytl="2" xbr="7" ybr="7"/>
  </image>
</annotations>)";
    ImportOptions options;
    options.mode = ImportMode::kFinal;
    options.format = ImportFormat::kCvat;
    // Cut inside a.jpg's <image>: z.png was read, but the file is not XML.
    std::ofstream(dir / "broken") << cvat.substr(0, cvat.find("<box label=\"dog\""));
    auto broken = service.Import(owner_, p.id, options,
                                 ImportUpload::FromFile(dir / "broken", "annotations.xml"));
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(broken.error().message.starts_with("annotations.xml: not valid XML at line 6, "))
        << broken.error().message;
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "z.png"))->state, ItemState::kUnlabeled);
    EXPECT_TRUE(Counts(p.id).empty());

    // Zipped beside an image, which the streaming reader skips without inflating it.
    {
        std::ofstream zip(dir / "good.zip", std::ios::binary);
        zip << MakeZip({{"images/z.png", std::string(1000, 'x')}, {"annotations.xml", cvat}});
    }
    auto good =
        service.Import(owner_, p.id, options, ImportUpload::FromFile(dir / "good.zip", "u.xml"));
    ASSERT_TRUE(good.ok()) << good.error().message;
    EXPECT_TRUE(good->applied);
    EXPECT_EQ(good->matched, 2);
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"cat", 1}, {"dog", 1}}));

    // JSONL from disk: a CRLF file whose second line is cut is a row error; nothing applied.
    options.format = ImportFormat::kJsonl;
    options.mode = ImportMode::kPrelabel;
    const std::string row =
        R"({"image_url": "azureml://x/paths/b/y.jpg", "label": [{"label": "cat", "topX": 0.1, )"
        R"("topY": 0.1, "bottomX": 0.5, "bottomY": 0.5}]})";
    std::ofstream(dir / "cut.jsonl", std::ios::binary) << row << "\r\n" << row.substr(0, 30);
    auto cut =
        service.Import(owner_, p.id, options, ImportUpload::FromFile(dir / "cut.jsonl", "upload"));
    ASSERT_TRUE(cut.ok()) << cut.error().message;
    EXPECT_FALSE(cut->applied);
    ASSERT_EQ(cut->errors.size(), 1u);
    EXPECT_EQ(cut->errors[0].message, "upload:2: not a JSON object");
    std::ofstream(dir / "ok.jsonl", std::ios::binary) << row << "\r\n\r\n";
    auto ok =
        service.Import(owner_, p.id, options, ImportUpload::FromFile(dir / "ok.jsonl", "upload"));
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_TRUE(ok->applied);
    EXPECT_NEAR(Shapes(p.id, "b/y.jpg")[0]["w"].get<double>(), 40, 1e-9);  // 0.4 of 100 px
    fs::remove_all(dir);
}

TEST_F(ImportServiceTest, AFileOverTheLimitForAWholeFileFormatIs413NamingIt) {
    Project p = BoxProject();
    char tmpl[] = "/tmp/tessera-import-upload-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const fs::path dir = tmpl;
    std::ofstream(dir / "big") << "<annotation>";
    fs::resize_file(dir / "big", std::uintmax_t{600} << 20);  // sparse: nothing is written
    ImportOptions options;
    options.format = ImportFormat::kVoc;
    auto big = service.Import(owner_, p.id, options, ImportUpload::FromFile(dir / "big", "a.xml"));
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);
    EXPECT_TRUE(
        big.error().message.starts_with("a.xml is too large to read whole: 600 MiB, over "
                                        "the limit of 512 MiB a file"))
        << big.error().message;
    fs::remove_all(dir);
}

TEST_F(ImportServiceTest, UnknownLabelAndWrongSizeAreRowErrors) {
    Project p = BoxProject();
    auto report = Run(p.id, ImportFormat::kCvat, ImportMode::kPrelabel,
                      R"(<annotations><image name="z.png" width="100" height="50">
                           <box label="bird" xtl="1" ytl="1" xbr="5" ybr="5"/></image>
                         <image name="a/x.jpg" width="200" height="50">
                           <box label="cat" xtl="1" ytl="1" xbr="5" ybr="5"/></image>
                         </annotations>)",
                      "annotations.xml");
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_FALSE(report->applied);
    ASSERT_EQ(report->errors.size(), 2u);
    EXPECT_NE(report->errors[0].message.find("bird"), std::string::npos)
        << report->errors[0].message;
    EXPECT_NE(report->errors[1].message.find("200x50"), std::string::npos);
    EXPECT_FALSE(env.repo->GetPrelabel(p.id, ItemId(p.id, "z.png")).ok());
}

TEST_F(ImportServiceTest, AmbiguousAndUnknownNamesAreUnmatchedWithReasons) {
    Project p = BoxProject();
    auto report = Run(p.id, ImportFormat::kCoco, ImportMode::kPrelabel,
                      Coco(R"([{"id": 1, "file_name": "x.jpg", "width": 100, "height": 50},
                               {"id": 2, "file_name": "nope.jpg", "width": 100, "height": 50},
                               {"id": 3, "file_name": "b/x.jpg", "width": 100, "height": 50}])",
                           "[]"));
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->applied);  // unmatched rows are reported, not fatal
    EXPECT_EQ(report->matched, 1);
    ASSERT_EQ(report->unmatched.size(), 2u);
    EXPECT_EQ(report->unmatched[0].row, 1);
    EXPECT_NE(report->unmatched[0].reason.find("ambiguous"), std::string::npos);
    EXPECT_EQ(report->unmatched[1].name, "nope.jpg");
    json out = ImportReportToJson(*report);
    EXPECT_EQ(out["unmatched"][1]["row"], 2);
    EXPECT_EQ(out["matched"], 1);
}

TEST_F(ImportServiceTest, NormalisedFormatsUseTheItemSize) {
    Project p = BoxProject("polygon");
    const std::string jsonl =
        R"({"image_url": "azureml://d/paths/z.png", "label": [{"label": "cat", "topX": 0.1, )"
        R"("topY": 0.2, "bottomX": 0.5, "bottomY": 0.6, "isCrowd": 0}]})"
        "\n";
    auto report = Run(p.id, ImportFormat::kJsonl, ImportMode::kPrelabel, jsonl, "a.jsonl");
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    json shapes = Shapes(p.id, "z.png");
    ASSERT_EQ(shapes.size(), 1u);
    EXPECT_EQ(shapes[0]["type"], "polygon");  // a box becomes a polygon in polygon projects
    EXPECT_EQ(shapes[0]["points"][0], json::array({10.0, 10.0}));
    EXPECT_EQ(shapes[0]["points"][2], json::array({50.0, 30.0}));
}

TEST_F(ImportServiceTest, YoloMatchesByStemAndAzureCocoScales) {
    Project p = BoxProject();
    EXPECT_FALSE(Run(p.id, ImportFormat::kYolo, ImportMode::kPrelabel, "", "a.txt").ok());
    auto yolo = Run(p.id, ImportFormat::kYolo, ImportMode::kPrelabel,
                    MakeZip({{"obj.names", "cat\ndog\n"},
                             {"labels/a/x.txt", "1 0.5 0.5 0.2 0.2\n"},
                             {"labels/y.txt", "0 0.5 0.5 0.2 0.2\n"},
                             {"labels/x.txt", "0 0.5 0.5 0.2 0.2\n"}}),
                    "yolo.zip");
    ASSERT_TRUE(yolo.ok()) << yolo.error().message;
    EXPECT_EQ(yolo->matched, 2);  // a/x by its path, y by its unique stem
    ASSERT_EQ(yolo->unmatched.size(), 1u);
    EXPECT_EQ(yolo->unmatched[0].name, "images/x");  // two items are called x
    json boxes = Shapes(p.id, "a/x.jpg");
    EXPECT_EQ(boxes[0]["label"], "dog");
    EXPECT_EQ(boxes[0]["x"], 40);
    EXPECT_EQ(boxes[0]["w"], 20);
    EXPECT_EQ(boxes[0]["h"], 10);
    auto coco = Run(p.id, ImportFormat::kCoco, ImportMode::kPrelabel,
                    Coco(R"([{"id": 1, "file_name": "z.png", "width": 0, "height": 0}])",
                         R"([{"id": 1, "image_id": 1, "category_id": 2,
                              "bbox": [0.5, 0.5, 0.25, 0.5]}])"));
    ASSERT_TRUE(coco.ok());
    ASSERT_TRUE(coco->applied);
    json shapes = Shapes(p.id, "z.png");
    EXPECT_EQ(shapes[0]["x"], 50);
    EXPECT_EQ(shapes[0]["y"], 25);
    EXPECT_EQ(shapes[0]["w"], 25);
    EXPECT_EQ(shapes[0]["h"], 25);
}

TEST_F(ImportServiceTest, CocoRleInstancesMergeIntoOneSemanticMaskPerLabel) {
    Project p =
        MakeProject("semantic", R"([{"name":"cat"},{"name":"dog"}])", {Item("m.png", 3, 2)});
    // Column-major RLE over 3 x 2: instance 1 = pixel (0,1); instance 2 = pixels (1,0), (1,1).
    auto report = Run(p.id, ImportFormat::kCoco, ImportMode::kPrelabel,
                      Coco(R"([{"id": 1, "file_name": "m.png", "width": 3, "height": 2}])",
                           R"([{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 1,
                                "segmentation": {"size": [2, 3], "counts": [1, 1, 4]}},
                               {"id": 2, "image_id": 1, "category_id": 1, "iscrowd": 1,
                                "segmentation": {"size": [2, 3], "counts": [2, 2, 2]}}])"));
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    json shapes = Shapes(p.id, "m.png");
    ASSERT_EQ(shapes.size(), 1u);
    EXPECT_EQ(shapes[0]["type"], "mask");
    // Row-major: (1,0) -> 1; (0,1) -> 3; (1,1) -> 4.
    EXPECT_EQ(shapes[0]["rle"], json::array({1, 1, 3, 2}));
}

TEST_F(ImportServiceTest, RepositoryApplyImportIsAllOrNothing) {
    Project p = BoxProject();
    ImportRequest request;
    request.project_id = p.id;
    request.final = true;
    request.annotations.push_back({ItemId(p.id, "z.png"), R"({"shapes":[]})", {"cat"}, {}});
    request.annotations.push_back({987654, R"({"shapes":[]})", {"dog"}, {}});
    auto failed = env.repo->ApplyImport(request);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "z.png"))->state, ItemState::kUnlabeled);
    EXPECT_TRUE(Counts(p.id).empty());
    request.annotations.pop_back();
    auto applied = env.repo->ApplyImport(request);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    EXPECT_EQ(applied->stored, 1);
    EXPECT_EQ(applied->replaced, 0);
    EXPECT_EQ(env.repo->ApplyImport(request)->replaced, 1);
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"cat", 1}}));
}

TEST_F(ImportServiceTest, ClassificationFromJsonl) {
    Project p = MakeProject("multilabel", R"([{"name":"cat"},{"name":"dog"}])",
                            {Item("imgs/a.jpg"), Item("imgs/b.jpg")});
    const std::string jsonl =
        R"({"image_url": "azureml://d/paths/imgs/a.jpg", "label": ["dog", "cat"]})"
        "\n"
        R"({"image_url": "azureml://d/paths/imgs/b.jpg", "label": ["cow"]})"
        "\n";
    auto bad = Run(p.id, ImportFormat::kJsonl, ImportMode::kFinal, jsonl, "a.jsonl");
    ASSERT_TRUE(bad.ok());
    EXPECT_FALSE(bad->applied);
    ASSERT_EQ(bad->errors.size(), 1u);
    EXPECT_EQ(bad->errors[0].row, 2);
    auto good = Run(p.id, ImportFormat::kJsonl, ImportMode::kFinal,
                    jsonl.substr(0, jsonl.find('\n') + 1), "a.jsonl");
    ASSERT_TRUE(good.ok());
    EXPECT_TRUE(good->applied);
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"cat", 1}, {"dog", 1}}));
}

// Azure AutoML's model output (batch scoring or a run's validation predictions): "filename"
// names the image; classification gives every class's probability, detection scored boxes.
TEST_F(ImportServiceTest, AutoMlModelOutputBecomesScoredPrelabels) {
    const std::string probs =
        R"({"filename": "/mnt/batch/inputs/imgs/a.jpg", "probs": [0.2, 0.7, 0.1], )"
        R"("labels": ["cat", "dog", "cow"]})"
        "\n"
        R"({"filename": "/mnt/batch/inputs/imgs/b.jpg", "probs": [0.9, 0.6, 0.05], )"
        R"("labels": ["cat", "dog", "cow"]})"
        "\n";
    const std::string tree = R"([{"name":"cat"},{"name":"dog"},{"name":"cow"}])";
    // Multi-class: the likeliest class, its probability the confidence.
    Project mc = MakeProject("multiclass", tree, {Item("imgs/a.jpg"), Item("imgs/b.jpg")});
    auto report = Run(mc.id, ImportFormat::kJsonl, ImportMode::kPrelabel, probs, "out.jsonl");
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    EXPECT_EQ(report->matched, 2);
    auto a = env.repo->GetPrelabel(mc.id, ItemId(mc.id, "imgs/a.jpg"));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(json::parse(a->payload_json)["labels"], json::array({"dog"}));
    EXPECT_DOUBLE_EQ(*a->confidence, 0.7);
    // Multi-label: every class at 0.5 or more; the confidence is the least sure decision's.
    Project ml = MakeProject("multilabel", tree, {Item("imgs/a.jpg"), Item("imgs/b.jpg")});
    report = Run(ml.id, ImportFormat::kJsonl, ImportMode::kPrelabel, probs, "out.jsonl");
    ASSERT_TRUE(report.ok() && report->errors.empty());
    auto b = env.repo->GetPrelabel(ml.id, ItemId(ml.id, "imgs/b.jpg"));
    EXPECT_EQ(json::parse(b->payload_json)["labels"], json::array({"cat", "dog"}));
    EXPECT_DOUBLE_EQ(*b->confidence, 0.6);
    // Detection: boxes with scores, normalised corners scaled to the item.
    Project boxes = BoxProject();
    const std::string detected =
        R"({"filename": "z.png", "boxes": [{"box": {"topX": 0.1, "topY": 0.2, "bottomX": 0.5, )"
        R"("bottomY": 0.6}, "label": "cat", "score": 0.9}, {"box": {"topX": 0.5, "topY": 0.5, )"
        R"("bottomX": 0.7, "bottomY": 0.9}, "label": "cat", "score": 0.7}]})"
        "\n";
    report = Run(boxes.id, ImportFormat::kJsonl, ImportMode::kPrelabel, detected, "out.jsonl");
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    json shapes = Shapes(boxes.id, "z.png");
    ASSERT_EQ(shapes.size(), 2u);
    EXPECT_EQ(shapes[0]["x"], 10);
    EXPECT_EQ(shapes[0]["w"], 40);
    EXPECT_DOUBLE_EQ(*env.repo->GetPrelabel(boxes.id, ItemId(boxes.id, "z.png"))->confidence, 0.8);
    // Scores of image-level classes do not fit a box project; broken outputs name the problem.
    report = Run(boxes.id, ImportFormat::kJsonl, ImportMode::kPrelabel,
                 R"({"filename": "z.png", "probs": [1.0], "labels": ["cat"]})"
                 "\n"
                 R"({"filename": "z.png", "probs": [0.5, 0.5], "labels": ["cat"]})"
                 "\n"
                 R"({"filename": "z.png", "probs": [1.5], "labels": ["cat"]})"
                 "\n"
                 R"({"filename": "z.png", "boxes": [{"label": "cat"}]})"
                 "\n",
                 "bad.jsonl");
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->applied);
    std::map<int, std::string> by_row;
    for (const auto& e : report->errors) {
        by_row[e.row] = e.message;
    }
    ASSERT_EQ(by_row.size(), 4u);
    EXPECT_NE(by_row[1].find("image-level labels"), std::string::npos) << by_row[1];
    EXPECT_NE(by_row[2].find("same length"), std::string::npos) << by_row[2];
    EXPECT_NE(by_row[3].find("probs[0] is not in 0-1"), std::string::npos) << by_row[3];
    EXPECT_NE(by_row[4].find("boxes[0]: a box needs a \"box\" object"), std::string::npos)
        << by_row[4];
}

TEST_F(ImportServiceTest, OnlyOwnersImport) {
    Project p = BoxProject();
    ImportOptions options;
    auto denied = service.Import(labeler_, p.id, options, Coco("[]", "[]"));
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service.Import(owner_, 999, options, Coco("[]", "[]")).error().code,
              ErrorCode::kNotFound);
}

TEST_F(ImportServiceTest, BccdVocImportsEveryBox) {
    TESSERA_REQUIRE_DATASET(kBccd / "Annotations");
    ASSERT_TRUE(InitVips("test").ok());
    // Items as the ingest job makes them: paths relative to the dataset root, real sizes.
    VipsImageProber prober;
    std::vector<NewItem> items;
    for (const auto& entry : fs::directory_iterator(kBccd / "JPEGImages")) {
        auto info = prober.Probe(SourceRef{fs::canonical(kBccd), fs::canonical(entry.path())});
        ASSERT_TRUE(info.ok()) << entry.path();
        items.push_back(NewItem{"JPEGImages/" + entry.path().filename().string(), info->size_bytes,
                                info->width, info->height, info->format, ItemState::kUnlabeled,
                                ""});
    }
    Project p =
        MakeProject("bbox", R"([{"name":"RBC"},{"name":"WBC"},{"name":"Platelets"}])", items);
    std::vector<ImportFile> files;
    std::int64_t boxes = 0;
    for (const auto& entry : fs::directory_iterator(kBccd / "Annotations")) {
        // As a zip of the dataset folder names them.
        files.push_back(
            {"Annotations/" + entry.path().filename().string(), testing::ReadAll(entry.path())});
    }
    auto parsed = ParseVoc(files);
    ASSERT_TRUE(parsed.ok());
    for (const ImportRecord& r : parsed->records) {
        boxes += static_cast<std::int64_t>(r.shapes.size());
    }
    auto report = Run(p.id, ImportFormat::kVoc, ImportMode::kFinal, MakeZip(files), "bccd.zip");
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    EXPECT_TRUE(report->unmatched.empty());
    EXPECT_TRUE(report->applied);
    const std::int64_t matched = report->matched;
    std::int64_t imported = 0;
    EXPECT_EQ(matched, 364);
    for (const auto& [label, n] : Counts(p.id)) {
        imported += n;
    }
    // Boxes clamped to zero area would have been errors; every box arrived.
    EXPECT_EQ(imported, boxes);
    // BCCD's two single clicks (xmin = xmax, ymin = ymax) are no box between corners: reported.
    ASSERT_EQ(report->dropped.size(), 2u);
    for (const ImportDropped& d : report->dropped) {
        EXPECT_EQ(d.shapes, (std::map<std::string, int>{{"zero-area box", 1}})) << d.name;
    }
    EXPECT_EQ(env.repo->GetProgress(p.id, env.clock.NowMs())->labeled, 364);
}

// --- Layouts of issue 3's second part: Kaggle tables, Cityscapes instances, Segment Anything.

const fs::path kSamples = fs::path(TESSERA_SHARED_DATASETS) / "format-samples";

std::vector<NewItem> Numbered(int n, int w = 10, int h = 5) {
    std::vector<NewItem> items;
    for (int i = 1; i <= n; ++i) {
        items.push_back(NewItem{"images/" + std::to_string(i) + ".jpg", 10, w, h, "jpeg",
                                ItemState::kUnlabeled, ""});
    }
    return items;
}

TEST_F(ImportServiceTest, KaggleCsvClassificationLabelsMulticlassAndMultilabelItems) {
    TESSERA_REQUIRE_DATASET(kSamples / "kaggle_dataset");
    Project single = MakeProject("multiclass", R"([{"name":"dog"},{"name":"cat"}])", Numbered(5));
    auto report =
        Run(single.id, ImportFormat::kKaggleCsv, ImportMode::kFinal,
            testing::ReadAll(kSamples / "kaggle_dataset/image_csv/ann_wo_ext.csv"), "ann.csv");
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    EXPECT_EQ(report->matched, 5);
    EXPECT_TRUE(report->applied);
    EXPECT_EQ(Counts(single.id), (std::map<std::string, std::int64_t>{{"cat", 3}, {"dog", 2}}));
    EXPECT_EQ(env.repo->GetItem(single.id, ItemId(single.id, "images/1.jpg"))->state,
              ItemState::kLabeled);

    Project multi = MakeProject(
        "multilabel", R"([{"name":"dog"},{"name":"cat"},{"name":"person"}])", Numbered(6));
    auto multi_report =
        Run(multi.id, ImportFormat::kKaggleCsv, ImportMode::kFinal,
            testing::ReadAll(kSamples / "kaggle_dataset/image_csv_multi_label/ann.csv"), "ann.csv");
    ASSERT_TRUE(multi_report.ok()) << multi_report.error().message;
    ASSERT_TRUE(multi_report->applied);
    EXPECT_EQ(Counts(multi.id),
              (std::map<std::string, std::int64_t>{{"cat", 3}, {"dog", 3}, {"person", 3}}));
    // Two labels on one multi-class item is a row error, and nothing is applied.
    Project strict = MakeProject("multiclass", R"([{"name":"dog"},{"name":"cat"},
        {"name":"person"}])",
                                 Numbered(6));
    auto refused =
        Run(strict.id, ImportFormat::kKaggleCsv, ImportMode::kFinal,
            testing::ReadAll(kSamples / "kaggle_dataset/image_csv_multi_label/ann.csv"), "ann.csv");
    ASSERT_TRUE(refused.ok());
    EXPECT_FALSE(refused->applied);
    ASSERT_EQ(refused->errors.size(), 3u);
    EXPECT_NE(refused->errors[0].message.find("exactly one label"), std::string::npos);
    EXPECT_TRUE(Counts(strict.id).empty());
    // Image-level labels have no place in a box project.
    Project boxes = MakeProject("bbox", R"([{"name":"dog"},{"name":"cat"}])", Numbered(5));
    auto wrong = Run(boxes.id, ImportFormat::kKaggleCsv, ImportMode::kFinal,
                     testing::ReadAll(kSamples / "kaggle_dataset/image_csv/ann.csv"), "ann.csv");
    ASSERT_TRUE(wrong.ok());
    EXPECT_FALSE(wrong->applied);
    EXPECT_NE(wrong->errors.at(0).message.find("image-level labels"), std::string::npos);
}

TEST_F(ImportServiceTest, KaggleTxtBoxesWithTheConventionGiven) {
    TESSERA_REQUIRE_DATASET(kSamples / "kaggle_dataset");
    Project p = MakeProject("bbox", R"([{"name":"dog"},{"name":"cat"}])", Numbered(3));
    ImportOptions options;
    options.format = ImportFormat::kKaggleTxt;
    options.upload_name = "ann.txt";
    const std::string txt = testing::ReadAll(kSamples / "kaggle_dataset/image_txt_det/ann.txt");
    auto refused = service.Import(owner_, p.id, options, txt);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    options.table.boxes = TableBoxes::kCorners;
    auto report = service.Import(owner_, p.id, options, txt);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->applied);
    const json shapes = Shapes(p.id, "images/1.jpg");
    ASSERT_EQ(shapes.size(), 2u);
    EXPECT_EQ(shapes[1]["label"], "cat");
    EXPECT_EQ(shapes[1]["x"], 1);
    EXPECT_EQ(shapes[1]["y"], 2);
    EXPECT_EQ(shapes[1]["w"], 2);
    EXPECT_EQ(shapes[1]["h"], 1);
}

TEST_F(ImportServiceTest, CityscapesInstancesStayApartInPolygonAndBoxProjects) {
    const fs::path mask = kSamples /
                          "cityscapes_dataset/train_dataset/gtFine/test/defaultcity/"
                          "defaultcity_000001_000031_gtFine_instanceIds.png";
    TESSERA_REQUIRE_DATASET(mask);
    // 5 x 1: pixel 2 is truck 27001, pixels 3-4 truck 27002.
    const std::string zip =
        MakeZip({{"gtFine/test/defaultcity/"
                  "defaultcity_000001_000031_gtFine_instanceIds.png",
                  testing::ReadAll(mask)}});
    const std::string image =
        "leftImg8bit/test/defaultcity/defaultcity_000001_000031_leftImg8bit.png";
    std::map<std::string, json> shapes;
    for (const char* type : {"polygon", "bbox", "semantic"}) {
        Project p = MakeProject(type, R"([{"name":"truck"}])", {Item(image, 5, 1)});
        auto report = Run(p.id, ImportFormat::kMasks, ImportMode::kPrelabel, zip, "m.zip");
        ASSERT_TRUE(report.ok()) << report.error().message;
        ASSERT_TRUE(report->applied) << type << ": " << report->errors.at(0).message;
        shapes[type] = Shapes(p.id, image);
    }
    ASSERT_EQ(shapes["polygon"].size(), 2u) << shapes["polygon"];
    EXPECT_EQ(shapes["polygon"][0]["points"], json::parse("[[2, 0], [3, 0], [3, 1], [2, 1]]"));
    EXPECT_EQ(shapes["polygon"][1]["points"], json::parse("[[3, 0], [5, 0], [5, 1], [3, 1]]"));
    ASSERT_EQ(shapes["bbox"].size(), 2u) << shapes["bbox"];
    EXPECT_EQ(shapes["bbox"][1]["x"], 3);
    EXPECT_EQ(shapes["bbox"][1]["w"], 2);
    ASSERT_EQ(shapes["semantic"].size(), 1u) << shapes["semantic"];  // one mask per class
    EXPECT_EQ(shapes["semantic"][0]["rle"], json::array({2, 3}));
}

TEST_F(ImportServiceTest, SegmentAnythingMasksNeedALabel) {
    const fs::path a = kSamples / "segment_anything_dataset/a.json";
    TESSERA_REQUIRE_DATASET(a);
    Project p = MakeProject("bbox", R"([{"name":"thing"}])", {Item("a.jpg", 10, 5)});
    ImportOptions options;
    options.format = ImportFormat::kSegmentAnything;
    options.upload_name = "a.json";
    auto refused = service.Import(owner_, p.id, options, testing::ReadAll(a));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().field, "label");
    options.table.label = "thing";
    auto report = service.Import(owner_, p.id, options, testing::ReadAll(a));
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->applied);
    const json shapes = Shapes(p.id, "a.jpg");
    ASSERT_EQ(shapes.size(), 1u);
    EXPECT_EQ(shapes[0]["x"], 3);  // the mask's bounding box: column 3, rows 1-4
    EXPECT_EQ(shapes[0]["h"], 4);
    EXPECT_NEAR(env.repo->GetPrelabel(p.id, ItemId(p.id, "a.jpg"))->confidence.value_or(0),
                0.2633798, 1e-6);
}

// format=csv: our own export names images by absolute path (the project folder + the item's
// path), which matches even where the file name alone is ambiguous (x.jpg and sub/x.jpg).
TEST_F(ImportServiceTest, CsvExportRowsMatchUnderTheProjectFolderAndSplitMultiLabelCells) {
    Project p = MakeProject("multilabel", R"([{"name":"cat"},{"name":"dog"}])",
                            {Item("x.jpg"), Item("sub/x.jpg"), Item("cats/1.jpg")});
    const std::string csv =
        "image_url,label,labeler,labeled_at\r\n"
        "/data/x.jpg,\"cat,dog\",ann,2023-11-14T22:13:20.000Z\r\n"
        "/data/sub/x.jpg,dog,ann,2023-11-14T22:13:20.000Z\r\n"
        "/data/cats/1.jpg,,ann,2023-11-14T22:13:20.000Z\r\n";
    auto report = Run(p.id, ImportFormat::kCsv, ImportMode::kFinal, csv, "upload.csv");
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    EXPECT_TRUE(report->applied);
    EXPECT_EQ(report->matched, 2);
    ASSERT_EQ(report->unmatched.size(), 1u);  // the empty label cell: skipped, reported
    EXPECT_EQ(report->unmatched[0].row, 4);
    EXPECT_NE(report->unmatched[0].reason.find("label cell is empty"), std::string::npos);
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"cat", 1}, {"dog", 2}}));
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "x.jpg"))->state, ItemState::kLabeled);
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "cats/1.jpg"))->state, ItemState::kUnlabeled);
}

TEST_F(ImportServiceTest, CsvAzureRowsAndMultiClassCommaCellsAndShapeProjects) {
    Project p = MakeProject("multiclass", R"([{"name":"cat"},{"name":"dog"}])",
                            {Item("pets/a.jpg"), Item("pets/b.jpg")});
    const std::string azure =
        "Url,Label\n"
        "AmlDatastore://workspaceblobstore/pets/a.jpg,cat\n"
        "AmlDatastore://workspaceblobstore/pets/b.jpg,\"cat,dog\"\n";
    auto refused = Run(p.id, ImportFormat::kCsv, ImportMode::kFinal, azure, "upload.csv");
    ASSERT_TRUE(refused.ok()) << refused.error().message;
    EXPECT_FALSE(refused->applied);
    ASSERT_EQ(refused->errors.size(), 1u);
    EXPECT_EQ(refused->errors[0].row, 3);
    EXPECT_TRUE(Counts(p.id).empty());
    auto applied = Run(p.id, ImportFormat::kCsv, ImportMode::kPrelabel,
                       azure.substr(0, azure.rfind("AmlDatastore")), "upload.csv");
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    EXPECT_TRUE(applied->applied);
    EXPECT_EQ(json::parse(env.repo->GetPrelabel(p.id, ItemId(p.id, "pets/a.jpg"))->payload_json),
              json::parse(R"({"labels": ["cat"]})"));

    Project boxes = BoxProject();
    auto wrong = Run(boxes.id, ImportFormat::kCsv, ImportMode::kFinal, azure, "upload.csv");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(wrong.error().message.find("classification"), std::string::npos);
}

// Azure ML's COCO export of a classification project (docs reference-azure-labeling.md: sizes
// written as 0; its annotations hold only image_id and category_id, one per label).
std::string AzureClassificationCoco(bool b_is_also_a_dog = true) {
    return std::string(
               R"({"images": [{"id": 1, "file_name": "pets/a.jpg", "width": 0.0, "height": 0.0},
                          {"id": 2, "file_name": "pets/b.jpg", "width": 0.0, "height": 0.0}],
               "annotations": [{"id": 1, "image_id": 1, "category_id": 1},)") +
           (b_is_also_a_dog ? R"({"id": 3, "image_id": 2, "category_id": 2},)" : "") +
           R"({"id": 2, "image_id": 2, "category_id": 1}],
               "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]})";
}

TEST_F(ImportServiceTest, AzureCocoClassificationIntoMultiLabelAndMultiClassProjects) {
    const std::vector<NewItem> items = {Item("pets/a.jpg"), Item("pets/b.jpg")};
    const char* labels = R"([{"name":"cat"},{"name":"dog"}])";
    Project multi = MakeProject("multilabel", labels, items);
    for (ImportFormat format : {ImportFormat::kCoco, ImportFormat::kCocoAzure}) {
        auto prelabels = Run(multi.id, format, ImportMode::kPrelabel, AzureClassificationCoco());
        ASSERT_TRUE(prelabels.ok()) << prelabels.error().message;
        ASSERT_TRUE(prelabels->errors.empty()) << prelabels->errors[0].message;
        EXPECT_TRUE(prelabels->applied);
        EXPECT_EQ(
            json::parse(
                env.repo->GetPrelabel(multi.id, ItemId(multi.id, "pets/b.jpg"))->payload_json),
            json::parse(R"({"labels": ["cat", "dog"]})"));
    }
    auto final_labels =
        Run(multi.id, ImportFormat::kCoco, ImportMode::kFinal, AzureClassificationCoco());
    ASSERT_TRUE(final_labels.ok());
    EXPECT_TRUE(final_labels->applied);
    EXPECT_EQ(Counts(multi.id), (std::map<std::string, std::int64_t>{{"cat", 2}, {"dog", 1}}));
    EXPECT_EQ(env.repo->GetItem(multi.id, ItemId(multi.id, "pets/a.jpg"))->state,
              ItemState::kLabeled);

    // Multi-class: one label an image; b.jpg's two are a row error naming it.
    Project single = MakeProject("multiclass", labels, items);
    auto refused =
        Run(single.id, ImportFormat::kCoco, ImportMode::kFinal, AzureClassificationCoco());
    ASSERT_TRUE(refused.ok());
    EXPECT_FALSE(refused->applied);
    ASSERT_EQ(refused->errors.size(), 1u);
    EXPECT_EQ(refused->errors[0].row, 2);
    auto applied =
        Run(single.id, ImportFormat::kCoco, ImportMode::kFinal, AzureClassificationCoco(false));
    ASSERT_TRUE(applied.ok());
    ASSERT_TRUE(applied->errors.empty()) << applied->errors[0].message;
    EXPECT_TRUE(applied->applied);
    EXPECT_EQ(Counts(single.id), (std::map<std::string, std::int64_t>{{"cat", 2}}));
}

// Datumaro's "label" annotations are image-level labels (as CVAT tags): a classification
// project's labels. Its subsets repeat a name here, so the records match by path: the item
// under images/<subset>/, the one without an image path by its stem.
TEST_F(ImportServiceTest, DatumaroLabelsClassifyItemsOfEachSubset) {
    Project p = MakeProject("multiclass", R"([{"name":"cat"},{"name":"dog"}])",
                            {Item("images/train/a.jpg"), Item("images/val/a.png")});
    const std::string categories =
        R"("categories": {"label": {"labels": [{"name": "cat", "parent": "", "attributes": []},
           {"name": "dog", "parent": "", "attributes": []}]}})";
    const std::string train = "{" + categories + R"(, "items": [{"id": "a",
        "image": {"path": "a.jpg"}, "annotations": [{"id": 0, "type": "label", "label_id": 0}]}]})";
    const std::string val = "{" + categories + R"(, "items": [{"id": "a",
        "annotations": [{"id": 0, "type": "label", "label_id": 1}]}]})";
    auto report = Run(p.id, ImportFormat::kDatumaro, ImportMode::kFinal,
                      MakeZip({{"annotations/train.json", train}, {"annotations/val.json", val}}),
                      "dataset.zip");
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    EXPECT_EQ(report->matched, 2);
    EXPECT_TRUE(report->applied);
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"cat", 1}, {"dog", 1}}));
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "images/val/a.png"))->state,
              ItemState::kLabeled);
}

TEST_F(ImportServiceTest, AnImageWhoseEveryShapeWasDroppedIsReportedNotLabeled) {
    Project p = BoxProject("polygon");
    const std::string xml = R"(<annotations><version>1.1</version>
  <image id="0" name="a/x.jpg" width="100" height="50">
    <polyline label="cat" points="0,0;10,10"/>
    <ellipse label="dog" cx="50" cy="25" rx="10" ry="5"/>
  </image>
  <image id="1" name="b/y.jpg" width="100" height="50">
    <polyline label="cat" points="0,0;10,10"/>
    <points label="cat" points="1,1"/>
  </image>
</annotations>)";
    auto report = Run(p.id, ImportFormat::kCvat, ImportMode::kFinal, xml, "annotations.xml");
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    EXPECT_TRUE(report->applied);
    EXPECT_EQ(report->matched, 1);
    ASSERT_EQ(report->unmatched.size(), 1u);
    EXPECT_EQ(report->unmatched[0].row, 2);
    EXPECT_NE(report->unmatched[0].reason.find("every shape was dropped (1 points, 1 polyline)"),
              std::string::npos)
        << report->unmatched[0].reason;
    ASSERT_EQ(report->dropped.size(), 2u);
    EXPECT_EQ(report->dropped[0].file, "annotations.xml");
    EXPECT_EQ(report->dropped[0].shapes, (std::map<std::string, int>{{"polyline", 1}}));
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "a/x.jpg"))->state, ItemState::kLabeled);
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "b/y.jpg"))->state, ItemState::kUnlabeled);
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"dog", 1}}));  // the ellipse
    const json out = ImportReportToJson(*report);
    EXPECT_EQ(out["dropped_totals"]["shapes"], json::parse(R"({"points": 1, "polyline": 2})"));
    EXPECT_EQ(out["dropped"][1]["name"], "b/y.jpg");
}

TEST_F(ImportServiceTest, VoidMaskPixelsAreCountedAndAnAllVoidMaskIsNotApplied) {
    Project p = MakeProject("semantic", R"([{"name":"cat"},{"name":"dog"}])",
                            {Item("JPEGImages/a.jpg", 2, 1), Item("JPEGImages/b.jpg", 2, 1)});
    // VOC's SegmentationClass layout: 255 marks void (object borders, "difficult" regions).
    const std::string zip =
        MakeZip({{"labelmap.txt", "background:0,0,0::\ncat:128,0,0::\n"},
                 {"SegmentationClass/a.png", testing::GrayPng(2, 1, {1, 255})},
                 {"SegmentationClass/b.png", testing::GrayPng(2, 1, {255, 255})}});
    auto report = Run(p.id, ImportFormat::kMasks, ImportMode::kFinal, zip, "voc.zip");
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    EXPECT_TRUE(report->applied);
    EXPECT_EQ(report->matched, 1);
    ASSERT_EQ(report->unmatched.size(), 1u);
    EXPECT_NE(report->unmatched[0].reason.find("every pixel of the mask is void"),
              std::string::npos);
    ASSERT_EQ(report->dropped.size(), 2u);
    EXPECT_EQ(report->dropped[0].void_pixels, 1);
    EXPECT_EQ(ImportReportToJson(*report)["dropped_totals"]["void_pixels"], 3);
    EXPECT_EQ(env.repo->GetItem(p.id, ItemId(p.id, "JPEGImages/b.jpg"))->state,
              ItemState::kUnlabeled);
    EXPECT_EQ(Counts(p.id), (std::map<std::string, std::int64_t>{{"cat", 1}}));
}

TEST_F(ImportServiceTest, VocConventionOptionReadsDevkitIndices) {
    Project p = BoxProject();
    const std::string xml =
        "<annotation><filename>z.png</filename><object><name>cat</name><bndbox><xmin>10</xmin>"
        "<ymin>20</ymin><xmax>40</xmax><ymax>30</ymax></bndbox></object></annotation>";
    ImportOptions options;
    options.format = ImportFormat::kVoc;
    options.upload_name = "z.xml";
    ASSERT_TRUE(service.Import(owner_, p.id, options, xml).ok());
    auto box = [&] {
        const json shape = Shapes(p.id, "z.png").at(0);
        return std::vector<double>{shape["x"], shape["y"], shape["w"], shape["h"]};
    };
    EXPECT_EQ(box(), (std::vector<double>{10, 20, 30, 10}));
    options.voc = VocConvention::kDevkit;
    ASSERT_TRUE(service.Import(owner_, p.id, options, xml).ok());
    EXPECT_EQ(box(), (std::vector<double>{9, 19, 31, 11}));
}

}  // namespace
}  // namespace tessera
