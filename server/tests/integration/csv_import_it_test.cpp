// format=csv over HTTP on both backends: a multi-label project's own CSV export re-imported as
// final labels into a second project over the same folder gives the same labels per image (read
// back through the JSONL export), and Azure's classification CSV (Url, Label, AmlDatastore URLs)
// labels a multi-class project.

#include <map>
#include <set>
#include <sstream>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
using LabelsByImage = std::map<std::string, std::set<std::string>>;

class CsvImportIt : public IntegrationTest {
protected:
    std::int64_t RunningProject(HttpClient& admin, const std::string& name,
                                const std::string& task_type) {
        auto created = admin.SendJson("POST", "/api/v1/projects",
                                      ProjectBody(name, {"Cat", "Dog", "Car"}, task_type));
        EXPECT_EQ(created.status, 201u) << created.body;
        const std::int64_t id = created.Json().value("id", 0);
        WaitForIngest(admin, id);
        StartProject(admin, id);
        return id;
    }

    // The JSONL export as image_url -> labels (a string for multi-class, a list for multi-label).
    LabelsByImage JsonlLabels(HttpClient& admin, std::int64_t id) {
        auto exported = admin.Get(ProjectPath(id, "/export?format=jsonl"));
        EXPECT_EQ(exported.status, 200u) << exported.body;
        LabelsByImage out;
        std::istringstream lines(exported.body);
        for (std::string line; std::getline(lines, line);) {
            if (line.empty()) {
                continue;
            }
            const json row = json::parse(line);
            std::set<std::string>& labels = out[row["image_url"].get<std::string>()];
            if (row["label"].is_string()) {
                labels.insert(row["label"].get<std::string>());
            } else {
                for (const json& label : row["label"]) {
                    labels.insert(label.get<std::string>());
                }
            }
        }
        return out;
    }

    HttpResponse ImportCsv(HttpClient& admin, std::int64_t id, const std::string& csv) {
        return admin.Send("POST", ProjectPath(id, "/import?format=csv&mode=final"), csv,
                          {{"Content-Type", "text/csv"}});
    }
};

TEST_P(CsvImportIt, OwnCsvExportReimportsIntoAProjectOverTheSameFolder) {
    WriteImages(4);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    CreateUser(admin, "lara", "lara-password", "labeler");
    const std::int64_t first = RunningProject(admin, "Labeled", "multilabel");
    HttpClient lara = LoginAs("lara", "lara-password");
    auto page = lara.SendJson("POST", ProjectPath(first, "/next"), {{"count", 4}});
    ASSERT_EQ(page.status, 200u) << page.body;
    const json leased = page.Json();
    ASSERT_EQ(leased["items"].size(), 4u) << page.body;
    // Three items labeled, one with labels whose export cell is quoted ("Cat,Dog"); one left.
    const std::vector<json> answers = {{"Cat", "Dog"}, {"Dog"}, {"Car", "Cat"}};
    for (std::size_t i = 0; i < answers.size(); ++i) {
        const std::int64_t item = leased["items"][i]["id"];
        auto saved = lara.SendJson(
            "PUT", ProjectPath(first, "/items/" + std::to_string(item) + "/annotation"),
            {{"lease", leased["lease"]}, {"labels", answers[i]}});
        ASSERT_EQ(saved.status, 200u) << saved.body;
    }
    auto csv = admin.Get(ProjectPath(first, "/export?format=csv"));
    ASSERT_EQ(csv.status, 200u) << csv.body;
    ASSERT_NE(csv.body.find("\"Cat,Dog\""), std::string::npos) << csv.body;

    const std::int64_t second = RunningProject(admin, "Reimported", "multilabel");
    auto report = ImportCsv(admin, second, csv.body);
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["matched"], 3) << report.body;
    EXPECT_EQ(report.Json()["unmatched"], json::array()) << report.body;
    const LabelsByImage expected = JsonlLabels(admin, first);
    ASSERT_EQ(expected.size(), 3u);
    EXPECT_EQ(JsonlLabels(admin, second), expected);
}

TEST_P(CsvImportIt, AzureUrlLabelFileLabelsAMulticlassProject) {
    WriteImages(3);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const std::int64_t id = RunningProject(admin, "Azure", "multiclass");
    const std::string azure =
        "\xEF\xBB\xBFUrl,Label,label_confidence\r\n"
        "AmlDatastore://workspaceblobstore/img0.jpg,Cat,[1.0]\r\n"
        "AmlDatastore://workspaceblobstore/img1.jpg,\"Dog,Car\",\"[1.0, 1.0]\"\r\n"
        "AmlDatastore://workspaceblobstore/img2.jpg,,[]\r\n";
    // Two labels in a multi-class project: 422 naming the row, nothing applied.
    auto refused = ImportCsv(admin, id, azure);
    ASSERT_EQ(refused.status, 422u) << refused.body;
    EXPECT_EQ(refused.Json()["errors"][0]["row"], 3) << refused.body;
    EXPECT_TRUE(JsonlLabels(admin, id).empty());

    std::string fixed = azure;
    fixed.replace(fixed.find("\"Dog,Car\""), 9, "Dog");
    auto report = ImportCsv(admin, id, fixed);
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["matched"], 2) << report.body;
    ASSERT_EQ(report.Json()["unmatched"].size(), 1u) << report.body;  // the empty label cell
    EXPECT_EQ(report.Json()["unmatched"][0]["row"], 4) << report.body;
    const LabelsByImage labels = JsonlLabels(admin, id);
    const std::string folder = images_.string() + "/";
    EXPECT_EQ(labels,
              (LabelsByImage{{folder + "img0.jpg", {"Cat"}}, {folder + "img1.jpg", {"Dog"}}}));

    // Boxes have no confirmed CSV layout: a bbox project refuses the upload.
    const std::int64_t boxes = RunningProject(admin, "Boxes", "bbox");
    auto wrong = ImportCsv(admin, boxes, fixed);
    ASSERT_EQ(wrong.status, 400u) << wrong.body;
    EXPECT_NE(wrong.body.find("classification"), std::string::npos) << wrong.body;
}

TESSERA_INSTANTIATE_BACKENDS(CsvImportIt);

}  // namespace
}  // namespace tessera::testing
