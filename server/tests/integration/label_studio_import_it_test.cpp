// format=label-studio over HTTP with Label Studio's real export files
// (../shared/datasets/label-studio): the JSON export as prelabels (the predictions, with their
// score) and, zipped, as final labels; JSON-MIN of the same tasks; a single task object into a
// classification project; labels outside the project's tree refusing the import.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "blobs/test_images.hpp"
#include "integration/fixture.hpp"
#include "support/datasets.hpp"
#include "support/zip_of.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

const std::filesystem::path kLs = std::filesystem::path(TESSERA_SHARED_DATASETS) / "label-studio";

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class LabelStudioImportIt : public IntegrationTest {
protected:
    std::int64_t CreateProject(HttpClient& admin, const std::string& name, const json& labels,
                               const std::string& task_type) {
        auto created =
            admin.SendJson("POST", "/api/v1/projects", ProjectBody(name, labels, task_type));
        EXPECT_EQ(created.status, 201u) << created.body;
        const std::int64_t id = created.Json()["id"];
        WaitForIngest(admin, id);
        StartProject(admin, id);
        return id;
    }

    std::map<std::string, std::int64_t> ItemIds(HttpClient& admin, std::int64_t project) {
        auto items = admin.Get(ProjectPath(project, "/items"));
        EXPECT_EQ(items.status, 200u) << items.body;
        std::map<std::string, std::int64_t> out;
        const json listed = items.Json();
        for (const json& item : listed["items"]) {
            out[item["name"].get<std::string>()] = item["id"].get<std::int64_t>();
        }
        return out;
    }

    json Annotation(HttpClient& admin, std::int64_t project, std::int64_t item) {
        auto got =
            admin.Get(ProjectPath(project, "/items/" + std::to_string(item) + "/annotation"));
        EXPECT_EQ(got.status, 200u) << got.body;
        return got.Json();
    }

    // Each image's exported COCO boxes as "label x y w h" (to 0.001 px), sorted.
    std::map<std::string, std::vector<std::string>> ExportedBoxes(HttpClient& admin,
                                                                  std::int64_t project) {
        auto exported = admin.Get(ProjectPath(project, "/export?format=coco"));
        EXPECT_EQ(exported.status, 200u) << exported.body;
        const json coco = exported.Json();
        std::map<std::int64_t, std::string> images;
        std::map<std::int64_t, std::string> categories;
        for (const json& image : coco["images"]) {
            images[image["id"].get<std::int64_t>()] = image["file_name"].get<std::string>();
        }
        for (const json& category : coco["categories"]) {
            categories[category["id"].get<std::int64_t>()] = category["name"].get<std::string>();
        }
        std::map<std::string, std::vector<std::string>> out;
        for (const json& a : coco["annotations"]) {
            char box[128];
            const json& b = a["bbox"];
            std::snprintf(box, sizeof box, " %.3f %.3f %.3f %.3f", b[0].get<double>(),
                          b[1].get<double>(), b[2].get<double>(), b[3].get<double>());
            out[images.at(a["image_id"].get<std::int64_t>())].push_back(
                categories.at(a["category_id"].get<std::int64_t>()) + box);
        }
        for (auto& [name, boxes] : out) {
            std::sort(boxes.begin(), boxes.end());
        }
        return out;
    }

    HttpResponse Import(HttpClient& admin, std::int64_t project, const std::string& query,
                        const std::string& body, const std::string& type) {
        return admin.Send("POST", ProjectPath(project, "/import?format=label-studio&" + query),
                          body, {{"Content-Type", type}});
    }
};

// The five highway images of the 2021 export (320 x 240), named as uploaded.
const char* const kHighway[] = {"Highway20030201_1002591.jpg", "Highway20030201_7922411.jpg",
                                "Highway20030201_8002476.jpg", "Highway20030201_1002596.jpg",
                                "Highway20030201_1002601.jpg"};

TEST_P(LabelStudioImportIt, PredictionsArePrelabelsAndAnnotationsFinalLabels) {
    TESSERA_REQUIRE_DATASET(kLs);
    const std::string exported = ReadFile(kLs / "rect_annotations-and-predictions.json");
    const json tasks = json::parse(exported);
    for (const json& task : tasks) {
        const std::string url = task["data"]["image"];
        WriteImage(images_ / url.substr(url.rfind('/') + 1), 320, 240);
    }
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const std::int64_t id =
        CreateProject(admin, "Highway", json::array({"Car", "Road", "Obstacle"}), "bbox");
    const auto ids = ItemIds(admin, id);
    ASSERT_EQ(ids.size(), 5u);

    auto prelabels = Import(admin, id, "mode=prelabel", exported, "application/json");
    ASSERT_EQ(prelabels.status, 200u) << prelabels.body;
    EXPECT_EQ(prelabels.Json()["matched"], 5) << prelabels.body;
    EXPECT_EQ(prelabels.Json()["applied"], true);
    // The first task's prediction: score 0.95, its first box at x 31.875 %, y 20 %.
    const std::string first = tasks[0]["data"]["image"];
    const std::int64_t item = ids.at(first.substr(first.rfind('/') + 1));
    const json shown = Annotation(admin, id, item);
    EXPECT_EQ(shown["source"], "prelabel") << shown;
    EXPECT_NEAR(shown["confidence"].get<double>(), 0.95, 1e-9) << shown;
    ASSERT_EQ(shown["shapes"].size(), tasks[0]["predictions"][0]["result"].size()) << shown;
    EXPECT_NEAR(shown["shapes"][0]["x"].get<double>(), 0.31875 * 320, 1e-6) << shown;
    EXPECT_NEAR(shown["shapes"][0]["y"].get<double>(), 0.20 * 240, 1e-6) << shown;
    // The annotations are not imported in this mode, and the report says so.
    EXPECT_NE(prelabels.body.find("mode=prelabel takes the predictions"), std::string::npos)
        << prelabels.body;

    // Zipped, as final labels: each task's newest annotation; the older ones are reported.
    auto finals = Import(admin, id, "mode=final", ZipOf({{"export/project.json", exported}}),
                         "application/zip");
    ASSERT_EQ(finals.status, 200u) << finals.body;
    EXPECT_EQ(finals.Json()["matched"], 5) << finals.body;
    EXPECT_NE(finals.body.find("older than annotation"), std::string::npos) << finals.body;
    auto dashboard = admin.Get(ProjectPath(id, "/dashboard"));
    ASSERT_EQ(dashboard.status, 200u);
    const json progress = dashboard.Json()["progress"];
    EXPECT_EQ(progress["labeled"], 5) << dashboard.body;
    // Final labels are results: the COCO export holds one annotation's boxes per task.
    const auto final_boxes = ExportedBoxes(admin, id);
    ASSERT_EQ(final_boxes.size(), 5u);
    std::size_t boxes = 0;
    for (const auto& [name, list] : final_boxes) {
        boxes += list.size();
    }
    std::size_t newest = 0;  // each task's annotations have 5 to 7 rectangles
    for (const json& task : tasks) {
        std::size_t most = 0;
        for (const json& a : task["annotations"]) {
            most = std::max(most, a["result"].size());
        }
        newest += most;
    }
    EXPECT_GT(boxes, 0u);
    EXPECT_LE(boxes, newest);

    // JSON-MIN of the same export, into a second project: the same shapes on every image.
    const std::int64_t min_id =
        CreateProject(admin, "Highway min", json::array({"Car", "Road", "Obstacle"}), "bbox");
    auto min = Import(admin, min_id, "mode=final", ReadFile(kLs / "json-min_rect.json"),
                      "application/json");
    ASSERT_EQ(min.status, 200u) << min.body;
    EXPECT_EQ(min.Json()["matched"], 5) << min.body;
    EXPECT_EQ(ExportedBoxes(admin, min_id), final_boxes);
}

TEST_P(LabelStudioImportIt, ATaskObjectAndJsonMinChoicesLabelAClassificationProject) {
    TESSERA_REQUIRE_DATASET(kLs);
    WriteImage(images_ / "mypets.jpg", 40, 30);
    WriteImage(images_ / "other.jpg", 40, 30);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const std::int64_t id = CreateProject(admin, "Pets", json::array({"Cat", "Dog"}), "multiclass");
    auto report = Import(admin, id, "mode=final", ReadFile(kLs / "choices_single_task-object.json"),
                         "application/json");
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["matched"], 1) << report.body;
    auto exported = admin.Get(ProjectPath(id, "/export?format=csv"));
    ASSERT_EQ(exported.status, 200u) << exported.body;
    EXPECT_NE(exported.body.find("/mypets.jpg,Cat,"), std::string::npos) << exported.body;
    EXPECT_EQ(exported.body.find("other.jpg"), std::string::npos) << exported.body;

    const std::int64_t min_id =
        CreateProject(admin, "Pets min", json::array({"Cat", "Dog"}), "multiclass");
    auto min = Import(admin, min_id, "mode=final", ReadFile(kLs / "json-min_choices.json"),
                      "application/json");
    ASSERT_EQ(min.status, 200u) << min.body;
    EXPECT_EQ(min.Json()["matched"], 1) << min.body;
    auto min_exported = admin.Get(ProjectPath(min_id, "/export?format=csv"));
    ASSERT_EQ(min_exported.status, 200u) << min_exported.body;
    EXPECT_NE(min_exported.body.find("/mypets.jpg,Cat,"), std::string::npos) << min_exported.body;
}

TEST_P(LabelStudioImportIt, RotatedBoxesArePolygonsAndUnknownLabelsRefuseTheImport) {
    TESSERA_REQUIRE_DATASET(kLs);
    // rect_rotated.json names /image1, /image2, /image3 (no extension: matched by stem).
    WriteImage(images_ / "image1.jpg", 597, 768);
    WriteImage(images_ / "image2.jpg", 433, 768);
    WriteImage(images_ / "image3.jpg", 716, 768);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::string rotated = ReadFile(kLs / "rect_rotated.json");
    // One box is labelled "butterfly", the others "Butterfly"; a project cannot hold both
    // (labels are unique whatever their case), and we do not rename: the upload is refused,
    // naming the task, and nothing is applied.
    const std::int64_t id =
        CreateProject(admin, "Butterflies", json::array({"Butterfly"}), "polygon");
    auto refused = Import(admin, id, "mode=final", rotated, "application/json");
    ASSERT_EQ(refused.status, 422u) << refused.body;
    EXPECT_EQ(refused.Json()["applied"], false);
    EXPECT_NE(refused.body.find("'butterfly' is not in this project"), std::string::npos)
        << refused.body;
    EXPECT_EQ(ExportedBoxes(admin, id).size(), 0u);

    // With that label fixed (in memory), everything is applied.
    const std::size_t lower = rotated.find("\"butterfly\"");
    ASSERT_NE(lower, std::string::npos);
    rotated.replace(lower, 11, "\"Butterfly\"");
    auto report = Import(admin, id, "mode=final", rotated, "application/json");
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["matched"], 3) << report.body;
    const json task = json::parse(rotated)[0];
    const json& value = task["annotations"][0]["result"][0]["value"];
    auto exported = admin.Get(ProjectPath(id, "/export?format=coco"));
    ASSERT_EQ(exported.status, 200u) << exported.body;
    const json coco = exported.Json();
    ASSERT_EQ(coco["annotations"].size(), 25u) << exported.body;
    // A polygon whose first corner is the top-left (x, y) the rotation turns about.
    bool found = false;
    for (const json& a : coco["annotations"]) {
        const json& points = a["segmentation"][0];
        found = found ||
                (std::abs(points[0].get<double>() - value["x"].get<double>() / 100 * 597) < 1e-3 &&
                 std::abs(points[1].get<double>() - value["y"].get<double>() / 100 * 768) < 1e-3 &&
                 points.size() == 8);
    }
    EXPECT_TRUE(found) << exported.body;
}

TESSERA_INSTANTIATE_BACKENDS(LabelStudioImportIt);

}  // namespace
}  // namespace tessera::testing
