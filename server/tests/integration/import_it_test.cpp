// Import over HTTP: COCO prelabels shown to labelers for review until they answer, final imports
// counted on the dashboard, bad uploads refused with nothing applied, zips read from the stored
// upload (COCO, CVAT XML and JSONL streamed from it), and the upload limit.

#include <filesystem>
#include <map>

#include "integration/fixture.hpp"
#include "support/zip_of.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

class ImportIt : public IntegrationTest {
protected:
    // Owner `admin` and labeler `lara`; a running bbox project over three images
    // (img0.jpg is 40 x 30, img1.jpg 41 x 30, img2.jpg 42 x 30).
    void SetUpProject(const EnvList& env = {}) {
        WriteImages(3);
        ASSERT_NO_FATAL_FAILURE(StartServer(env));
        admin_ = std::make_unique<HttpClient>(Admin());
        CreateUser(*admin_, "lara", "lara-password", "labeler");
        auto created = admin_->SendJson("POST", "/api/v1/projects",
                                        ProjectBody("Boxes", {"Cat", "Dog"}, "bbox"));
        ASSERT_EQ(created.status, 201u) << created.body;
        project_id_ = created.Json()["id"];
        WaitForIngest(*admin_, project_id_);
        StartProject(*admin_, project_id_);
        lara_ = std::make_unique<HttpClient>(LoginAs("lara", "lara-password"));
        auto items = admin_->Get(ProjectPath(project_id_, "/items"));
        ASSERT_EQ(items.status, 200u) << items.body;
        const json listed = items.Json();  // range-for over a temporary's member would dangle
        for (const json& item : listed["items"]) {
            item_ids_[item["name"].get<std::string>()] = item["id"].get<std::int64_t>();
        }
        ASSERT_EQ(item_ids_.size(), 3u);
    }

    HttpResponse Import(const std::string& mode, const std::string& body) {
        return admin_->Send("POST", ProjectPath(project_id_, "/import?format=coco&mode=" + mode),
                            body, {{"Content-Type", "application/json"}});
    }

    HttpResponse ImportZip(const std::string& mode, const std::string& zip) {
        return admin_->Send("POST", ProjectPath(project_id_, "/import?format=coco&mode=" + mode),
                            zip, {{"Content-Type", "application/zip"}});
    }

    // The server streams uploads here and removes each one after answering.
    bool UploadsLeftBehind() const { return !std::filesystem::is_empty(data_ / "uploads"); }

    std::string AnnotationPath(const std::string& name) {
        return ProjectPath(project_id_,
                           "/items/" + std::to_string(item_ids_.at(name)) + "/annotation");
    }

    json Dashboard() {
        auto dashboard = admin_->Get(ProjectPath(project_id_, "/dashboard"));
        EXPECT_EQ(dashboard.status, 200u) << dashboard.body;
        return dashboard.Json();
    }

    static std::int64_t CountOf(const json& dashboard, const std::string& label) {
        for (const json& entry : dashboard["labels"]) {
            if (entry["label"] == label) {
                return entry["count"].get<std::int64_t>();
            }
        }
        return 0;
    }

    std::unique_ptr<HttpClient> admin_;
    std::unique_ptr<HttpClient> lara_;
    std::int64_t project_id_ = 0;
    std::map<std::string, std::int64_t> item_ids_;
};

std::string Coco(const std::string& images, const std::string& annotations) {
    return R"({"categories": [{"id": 1, "name": "Cat"}, {"id": 2, "name": "Dog"}], "images": )" +
           images + R"(, "annotations": )" + annotations + "}";
}

TEST_P(ImportIt, ImportsAreListedInTheProjectsJobHistory) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject());
    const std::string coco =
        Coco(R"([{"id": 1, "file_name": "img0.jpg", "width": 40, "height": 30}])",
             R"([{"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 3, 10, 8]}])");
    auto applied = admin_->Send(
        "POST", ProjectPath(project_id_, "/import?format=coco&mode=final&filename=boxes.json"),
        coco, {{"Content-Type", "application/json"}});
    ASSERT_EQ(applied.status, 200u) << applied.body;
    auto broken = Import("prelabel", "{\"images\": [");
    ASSERT_EQ(broken.status, 400u) << broken.body;
    auto bad_name = admin_->Send(
        "POST", ProjectPath(project_id_, "/import?format=coco&mode=final&filename=a%0Ab.json"),
        coco, {{"Content-Type", "application/json"}});
    EXPECT_EQ(bad_name.status, 400u) << bad_name.body;

    auto project = admin_->Get(ProjectPath(project_id_));
    ASSERT_EQ(project.status, 200u) << project.body;
    const json jobs = project.Json()["jobs"];  // newest first
    ASSERT_GE(jobs.size(), 3u) << jobs.dump();
    EXPECT_EQ(jobs[0]["kind"], "import");
    EXPECT_EQ(jobs[0]["state"], "failed");
    EXPECT_NE(jobs[0]["error"].get<std::string>().find("invalid JSON"), std::string::npos)
        << jobs[0].dump();
    EXPECT_EQ(jobs[0]["import"]["mode"], "prelabel");
    EXPECT_EQ(jobs[1]["kind"], "import");
    EXPECT_EQ(jobs[1]["state"], "done");
    EXPECT_EQ(jobs[1]["import"], json::parse(R"({"format": "coco", "mode": "final",
        "file": "boxes.json", "user": "admin", "matched": 1, "unmatched": 0, "errors": 0,
        "applied": true})"));
    EXPECT_EQ(jobs.back()["kind"], "ingest");
    // The dashboard shows the same list.
    EXPECT_EQ(Dashboard()["jobs"][1]["import"]["file"], "boxes.json");
}

TEST_P(ImportIt, PrelabelsAreShownForReviewUntilTheLabelerAnswers) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject());
    auto report =
        Import("prelabel", Coco(R"([{"id": 1, "file_name": "img0.jpg", "width": 40, "height": 30},
                                  {"id": 2, "file_name": "img1.jpg", "width": 41, "height": 30},
                                  {"id": 3, "file_name": "nope.jpg", "width": 40, "height": 30}])",
                                R"([{"id": 1, "image_id": 1, "category_id": 1,
                                   "bbox": [2, 3, 10, 8], "score": 0.9},
                                  {"id": 2, "image_id": 2, "category_id": 2,
                                   "bbox": [1, 1, 5, 5]}])"));
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["applied"], true);
    EXPECT_EQ(report.Json()["matched"], 2);
    ASSERT_EQ(report.Json()["unmatched"].size(), 1u);
    EXPECT_EQ(report.Json()["unmatched"][0]["name"], "nope.jpg");
    EXPECT_TRUE(report.Json()["errors"].empty());

    auto prelabel = lara_->Get(AnnotationPath("img0.jpg"));
    ASSERT_EQ(prelabel.status, 200u) << prelabel.body;
    json view = prelabel.Json();
    EXPECT_EQ(view["source"], "prelabel");
    EXPECT_DOUBLE_EQ(view["confidence"].get<double>(), 0.9);
    ASSERT_EQ(view["shapes"].size(), 1u);
    EXPECT_EQ(view["shapes"][0]["label"], "Cat");
    EXPECT_EQ(view["shapes"][0]["x"], 2);
    EXPECT_EQ(view["shapes"][0]["w"], 10);
    // No confidence in the file: none in the answer.
    auto plain = lara_->Get(AnnotationPath("img1.jpg"));
    ASSERT_EQ(plain.status, 200u) << plain.body;
    EXPECT_EQ(plain.Json()["source"], "prelabel");
    EXPECT_FALSE(plain.Json().contains("confidence"));
    // Items without a prelabel still have no annotation; prelabels are not answers.
    EXPECT_EQ(lara_->Get(AnnotationPath("img2.jpg")).status, 204u);
    json dashboard = Dashboard();
    EXPECT_EQ(dashboard["progress"]["labeled"], 0);
    EXPECT_EQ(CountOf(dashboard, "Cat"), 0);

    // Lara reviews img0: she leases it and submits a corrected box; her answer wins for her.
    std::string lease;
    for (int i = 0; i < 3 && lease.empty(); ++i) {
        auto page = lara_->SendJson("POST", ProjectPath(project_id_, "/next"), {{"count", 1}});
        ASSERT_EQ(page.status, 200u) << page.body;
        if (page.Json()["items"][0]["name"] == "img0.jpg") {
            lease = page.Json()["lease"];
        }
    }
    ASSERT_FALSE(lease.empty());
    auto submit = lara_->SendJson(
        "PUT", AnnotationPath("img0.jpg"),
        {{"lease", lease},
         {"shapes", json::parse(R"([{"label":"Cat","type":"box","x":3,"y":3,"w":9,"h":8}])")}});
    ASSERT_EQ(submit.status, 200u) << submit.body;
    auto own = lara_->Get(AnnotationPath("img0.jpg"));
    ASSERT_EQ(own.status, 200u);
    EXPECT_EQ(own.Json()["source"], "human");
    EXPECT_FALSE(own.Json().contains("confidence"));
    EXPECT_EQ(own.Json()["shapes"][0]["x"], 3);
    // The owner has not answered: he still sees the prelabel.
    EXPECT_EQ(admin_->Get(AnnotationPath("img0.jpg")).Json()["source"], "prelabel");
    EXPECT_EQ(CountOf(Dashboard(), "Cat"), 1);
}

TEST_P(ImportIt, FinalImportLabelsItemsAndBadUploadsApplyNothing) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject());
    auto report =
        Import("final", Coco(R"([{"id": 1, "file_name": "img0.jpg", "width": 40, "height": 30},
                                  {"id": 2, "file_name": "img1.jpg", "width": 41, "height": 30}])",
                             R"([{"id": 1, "image_id": 1, "category_id": 1,
                                            "bbox": [1, 1, 5, 5]},
                                           {"id": 2, "image_id": 1, "category_id": 2,
                                            "bbox": [10, 1, 5, 5]},
                                           {"id": 3, "image_id": 2, "category_id": 2,
                                            "bbox": [2, 2, 4, 4]}])"));
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["applied"], true);
    EXPECT_EQ(report.Json()["matched"], 2);
    json dashboard = Dashboard();
    EXPECT_EQ(dashboard["progress"]["total"], 3);
    EXPECT_EQ(dashboard["progress"]["labeled"], 2);
    EXPECT_EQ(dashboard["progress"]["unlabeled"], 1);
    EXPECT_EQ(CountOf(dashboard, "Cat"), 1);
    EXPECT_EQ(CountOf(dashboard, "Dog"), 2);
    // Final imports are results, not prelabels: labelers are not shown them for review.
    EXPECT_EQ(lara_->Get(AnnotationPath("img0.jpg")).status, 204u);
    // Only the unlabeled item is left in the queue.
    auto page = lara_->SendJson("POST", ProjectPath(project_id_, "/next"), {{"count", 4}});
    ASSERT_EQ(page.status, 200u) << page.body;
    ASSERT_EQ(page.Json()["items"].size(), 1u);
    EXPECT_EQ(page.Json()["items"][0]["name"], "img2.jpg");
    dashboard = Dashboard();  // now with img2 in progress

    // A file that is not COCO at all.
    auto garbage = Import("final", "this is not json");
    EXPECT_GE(garbage.status, 400u) << garbage.body;
    EXPECT_LT(garbage.status, 500u) << garbage.body;
    // A good row next to a bad one (a box of width 0): 422, and the good row is not applied.
    auto bad =
        Import("final", Coco(R"([{"id": 1, "file_name": "img2.jpg", "width": 42, "height": 30},
                               {"id": 2, "file_name": "img0.jpg", "width": 40, "height": 30}])",
                             R"([{"id": 1, "image_id": 1, "category_id": 1,
                                         "bbox": [1, 1, 5, 5]},
                                        {"id": 2, "image_id": 2, "category_id": 1,
                                         "bbox": [1, 1, 0, 5]}])"));
    EXPECT_EQ(bad.status, 422u) << bad.body;
    EXPECT_EQ(bad.Json()["applied"], false);
    ASSERT_EQ(bad.Json()["errors"].size(), 1u);
    EXPECT_EQ(bad.Json()["errors"][0]["row"], 2);
    // A labeler may not import.
    EXPECT_EQ(lara_
                  ->Send("POST", ProjectPath(project_id_, "/import?format=coco&mode=final"),
                         Coco("[]", "[]"), {{"Content-Type", "application/json"}})
                  .status,
              403u);
    json after = Dashboard();
    EXPECT_EQ(after["progress"], dashboard["progress"]);
    EXPECT_EQ(after["labels"], dashboard["labels"]);
}

TEST_P(ImportIt, ZipUploadIsReadFromTheStoredFileAndABrokenEntryAppliesNothing) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject());
    const std::string good =
        Coco(R"([{"id": 1, "file_name": "img0.jpg", "width": 40, "height": 30},
                 {"id": 2, "file_name": "img1.jpg", "width": 41, "height": 30}])",
             R"([{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]},
                 {"id": 2, "image_id": 2, "category_id": 2, "bbox": [2, 2, 4, 4]}])");
    auto report = ImportZip(
        "final", ZipOf({{"export/README.txt", "not annotations"}, {"export/coco.json", good}}));
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["applied"], true);
    EXPECT_EQ(report.Json()["matched"], 2);
    json dashboard = Dashboard();
    EXPECT_EQ(dashboard["progress"]["labeled"], 2);
    EXPECT_EQ(CountOf(dashboard, "Cat"), 1);
    EXPECT_EQ(CountOf(dashboard, "Dog"), 1);
    EXPECT_FALSE(UploadsLeftBehind());

    // The first file is fine, the second breaks off inside its annotations: one clear error,
    // and img2's prelabel from the first file is not applied either.
    const std::string img2 =
        Coco(R"([{"id": 1, "file_name": "img2.jpg", "width": 42, "height": 30}])",
             R"([{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]}])");
    const std::string cut = good.substr(0, good.find("{\"id\": 2, \"image_id\""));
    auto broken = ImportZip("prelabel", ZipOf({{"a.json", img2}, {"b.json", cut}}));
    EXPECT_EQ(broken.status, 400u) << broken.body;
    EXPECT_EQ(broken.Json()["error"]["code"], "invalid_argument");
    const std::string message = broken.Json()["error"]["message"];
    EXPECT_TRUE(message.starts_with("b.json: invalid JSON at byte ")) << message;
    EXPECT_EQ(lara_->Get(AnnotationPath("img2.jpg")).status, 204u);
    EXPECT_EQ(Dashboard()["progress"], dashboard["progress"]);
    EXPECT_FALSE(UploadsLeftBehind());
}

TEST_P(ImportIt, CvatAndJsonlAreStreamedFromTheStoredUploadAndBrokenXmlIs400NamingTheLine) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject());
    auto post = [&](const std::string& query, const std::string& body, const std::string& type) {
        return admin_->Send("POST", ProjectPath(project_id_, "/import?" + query), body,
                            {{"Content-Type", type}});
    };
    const std::string cvat = R"(<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <image id="0" name="img0.jpg" width="40" height="30">
    <box label="Cat" occluded="0" xtl="1" ytl="1" xbr="6" ybr="6"></box>
  </image>
  <image id="1" name="img1.jpg" width="41" height="30">
    <box label="Dog" occluded="0" xtl="2" ytl="2" xbr="6" ybr="6"></box>
  </image>
</annotations>
)";
    // Cut inside img1's <image>: img0 was read, but nothing is applied.
    const std::string cut = cvat.substr(0, cvat.find("<box label=\"Dog\""));
    auto broken = post("format=cvat&mode=prelabel", ZipOf({{"task/annotations.xml", cut}}),
                       "application/zip");
    EXPECT_EQ(broken.status, 400u) << broken.body;
    EXPECT_EQ(broken.Json()["error"]["code"], "invalid_argument");
    EXPECT_EQ(broken.Json()["error"]["message"],
              "task/annotations.xml: not valid XML at line 8, column 5 (byte " +
                  std::to_string(cut.size()) + "): no element found");
    EXPECT_EQ(lara_->Get(AnnotationPath("img0.jpg")).status, 204u);

    // Zipped beside an image, which is skipped without being read.
    auto report = post("format=cvat&mode=final",
                       ZipOf({{"images/img0.jpg", "not read"}, {"annotations.xml", cvat}}),
                       "application/zip");
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["applied"], true);
    EXPECT_EQ(report.Json()["matched"], 2);
    json dashboard = Dashboard();
    EXPECT_EQ(dashboard["progress"]["labeled"], 2);
    EXPECT_EQ(CountOf(dashboard, "Cat"), 1);
    EXPECT_EQ(CountOf(dashboard, "Dog"), 1);

    // JSONL posted as it is, with CRLF line ends and a blank last line.
    auto jsonl = post("format=jsonl&mode=prelabel",
                      R"({"image_url": "azureml://d/paths/img2.jpg", "label": [{"label": "Cat", )"
                      R"("topX": 0.25, "topY": 0.5, "bottomX": 0.75, "bottomY": 1}]})"
                      "\r\n\r\n",
                      "application/octet-stream");
    ASSERT_EQ(jsonl.status, 200u) << jsonl.body;
    EXPECT_EQ(jsonl.Json()["matched"], 1);
    auto prelabel = lara_->Get(AnnotationPath("img2.jpg"));
    ASSERT_EQ(prelabel.status, 200u) << prelabel.body;
    EXPECT_DOUBLE_EQ(prelabel.Json()["shapes"][0]["x"].get<double>(), 10.5);  // 0.25 of 42 px
    EXPECT_DOUBLE_EQ(prelabel.Json()["shapes"][0]["h"].get<double>(), 15);
    EXPECT_FALSE(UploadsLeftBehind());
}

TEST_P(ImportIt, UploadOverTheConfiguredLimitIs413NamingIt) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject({{"TESSERA_UPLOAD_LIMIT", "2000"}}));
    const std::string coco =
        Coco(R"([{"id": 1, "file_name": "img0.jpg", "width": 40, "height": 30}])",
             R"([{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]}])");
    ASSERT_LT(coco.size(), 2000u);
    auto too_big = Import("final", coco + std::string(2001 - coco.size(), ' '));
    EXPECT_EQ(too_big.status, 413u) << too_big.body;
    EXPECT_EQ(too_big.Json()["error"]["code"], "payload_too_large");
    EXPECT_EQ(too_big.Json()["error"]["message"], "upload exceeds the upload limit of 2000 bytes");
    EXPECT_EQ(Dashboard()["progress"]["labeled"], 0);
    // At the limit it is read (whitespace after the document is still JSON).
    auto at_limit = Import("final", coco + std::string(2000 - coco.size(), ' '));
    EXPECT_EQ(at_limit.status, 200u) << at_limit.body;
    EXPECT_EQ(Dashboard()["progress"]["labeled"], 1);
    EXPECT_FALSE(UploadsLeftBehind());
}

}  // namespace

TESSERA_INSTANTIATE_BACKENDS(ImportIt);

}  // namespace tessera::testing
