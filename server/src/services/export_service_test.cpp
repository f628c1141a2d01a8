#include "services/export_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "domain/classification.hpp"
#include "services/service_test_support.hpp"
#include "services/string_sink_test_util.hpp"
#include "services/zip_test_util.hpp"

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
        submit.payload_json = ClassificationPayload(labels);
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
    EXPECT_EQ(service_.Prepare(owner_, boxes, ExportFormat::kJsonl).error().code,
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
    EXPECT_EQ(ParseExportFormat("coco"), std::nullopt);
}

}  // namespace
}  // namespace tessera
