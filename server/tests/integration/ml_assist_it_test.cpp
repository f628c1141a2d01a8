// ML assist over HTTP against the real binary (issue 10; docs/design/ml.md): settings through
// PATCH, "train now", a round's four stages with the default backbone (converted at build time,
// embedded, run with OpenCV), and the prelabeled pages `next` then serves, which a labeler can
// confirm or fix. The images are red or blue photographs-in-miniature, which any ImageNet
// backbone tells apart, so the threshold must qualify and every prelabel must be right.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>
#include <vips/vips8>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class MlAssistIt : public IntegrationTest {
protected:
    // `count` images of each colour: a noisy field of the colour with a grey disc somewhere.
    void WriteColourImages(int count) {
        std::mt19937 random(7);
        std::uniform_int_distribution<int> jitter(-40, 40);
        std::uniform_int_distribution<int> place(20, 80);
        for (const auto& [name, base] : {std::pair{"red", std::vector<double>{200, 40, 40}},
                                         std::pair{"blue", std::vector<double>{40, 60, 200}}}) {
            for (int i = 0; i < count; ++i) {
                std::vector<double> colour = base;
                for (double& c : colour) {
                    c += jitter(random);
                }
                vips::VImage field =
                    vips::VImage::gaussnoise(100, 100, vips::VImage::option()->set("sigma", 12.0));
                vips::VImage image =
                    vips::VImage::bandjoin(std::vector<vips::VImage>{field, field, field}) + colour;
                const int cx = place(random);
                const int cy = place(random);
                vips::VImage xy = vips::VImage::xyz(100, 100);
                vips::VImage disc =
                    ((xy[0] - cx) * (xy[0] - cx) + (xy[1] - cy) * (xy[1] - cy)) < 150;
                image = disc.ifthenelse(std::vector<double>{128, 128, 128}, image);
                image = image.cast(VIPS_FORMAT_UCHAR)
                            .copy(vips::VImage::option()->set("interpretation",
                                                              VIPS_INTERPRETATION_sRGB));
                fs::create_directories(images_ / name);
                image.write_to_file((images_ / name / (std::to_string(i) + ".png")).c_str());
            }
        }
    }

    // The server over `per_colour` images of each colour, and a started project of them:
    // returns its id (0 when the server did not start).
    std::int64_t StartColourProject(int per_colour) {
        WriteColourImages(per_colour);
        StartServer();
        if (HasFatalFailure()) {
            return 0;
        }
        HttpClient admin = Admin();
        const std::int64_t id = CreateIngestedProject(admin, "Colours", {"Red", "Blue"})["id"];
        StartProject(admin, id);
        return id;
    }

    // Answers `item` of the leased `page` with its true colour.
    void PutColour(HttpClient& client, std::int64_t id, const json& page, const json& item) {
        auto put = client.SendJson(
            "PUT",
            ProjectPath(id, "/items/" + std::to_string(item["id"].get<int>()) + "/annotation"),
            {{"lease", page["lease"]}, {"labels", {ColourOf(item)}}});
        EXPECT_EQ(put.status, 200u) << put.body;
    }

    static std::string ColourOf(const json& item) {
        return item["path"].get<std::string>().rfind("red/", 0) == 0 ? "Red" : "Blue";
    }

    json Ml(HttpClient& client, std::int64_t id) {
        auto got = client.Get(ProjectPath(id, "/ml"));
        EXPECT_EQ(got.status, 200u) << got.body;
        return got.Json();
    }

    // Polls until the latest round has ended (the event, not a fixed sleep).
    json WaitForRound(HttpClient& client, std::int64_t id) {
        json ml;
        for (int i = 0; i < 1200; ++i) {
            ml = Ml(client, id);
            const std::string state = ml["last_round"].value("state", "");
            if (state == "done" || state == "failed") {
                return ml;
            }
            std::this_thread::sleep_for(100ms);
        }
        ADD_FAILURE() << "the round did not end: " << ml.dump();
        return ml;
    }
};

TEST_P(MlAssistIt, TrainsOnTheProjectsLabelsAndServesPrelabeledPagesToConfirmOrFix) {
    const std::int64_t id = StartColourProject(45);
    ASSERT_FALSE(HasFatalFailure());
    HttpClient admin = Admin();

    // Off by default: nothing to train, and "train now" says why.
    json ml = Ml(admin, id);
    EXPECT_EQ(ml["supported"], true);
    EXPECT_EQ(ml["settings"]["enabled"], false);
    EXPECT_EQ(ml["next"]["reason"], "ML assist is off");
    ASSERT_EQ(ml["stages"].size(), 4u);
    EXPECT_EQ(ml["stages"][0]["name"], "featurization");
    EXPECT_EQ(ml["stages"][3]["status"], "pending");
    auto refused = admin.Send("POST", ProjectPath(id, "/ml/train"));
    EXPECT_EQ(refused.status, 409u) << refused.body;

    // Settings: validated, then stored. A high label bar keeps the scheduler from starting the
    // round on its own, so this test starts it.
    auto bad = admin.SendJson("PATCH", ProjectPath(id), {{"ml_assist", {{"target_precision", 2}}}});
    EXPECT_EQ(bad.status, 400u);
    EXPECT_EQ(bad.Json()["error"]["field"], "ml_assist.target_precision");
    auto unknown = admin.SendJson("PATCH", ProjectPath(id), {{"ml_assist", {{"speed", 1}}}});
    EXPECT_EQ(unknown.status, 400u);
    auto patched = admin.SendJson(
        "PATCH", ProjectPath(id),
        {{"ml_assist",
          {{"enabled", true}, {"target_precision", 0.9}, {"min_labels_per_class", 500}}}});
    ASSERT_EQ(patched.status, 200u) << patched.body;
    EXPECT_EQ(patched.Json()["ml_assist"]["enabled"], true);
    EXPECT_EQ(patched.Json()["ml_assist"]["target_precision"], 0.9);

    // 40 human labels, in queue order.
    int labeled = 0;
    while (labeled < 40) {
        auto page = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 4}}).Json();
        ASSERT_FALSE(page["items"].empty());
        EXPECT_EQ(page["kind"], "manual");
        for (const json& item : page["items"]) {
            EXPECT_FALSE(item.contains("prelabel"));
            PutColour(admin, id, page, item);
            ++labeled;
        }
    }
    ml = Ml(admin, id);
    EXPECT_EQ(ml["next"]["due"], false);
    EXPECT_NE(ml["next"]["reason"].get<std::string>().find("waiting for labels of every class"),
              std::string::npos)
        << ml["next"];

    auto started = admin.Send("POST", ProjectPath(id, "/ml/train"));
    ASSERT_EQ(started.status, 202u) << started.body;
    EXPECT_EQ(started.Json()["round"]["state"], "queued");
    EXPECT_EQ(admin.Send("POST", ProjectPath(id, "/ml/train")).status, 409u);  // one at a time

    ml = WaitForRound(admin, id);
    const json& round = ml["last_round"];
    ASSERT_EQ(round["state"], "done") << ml.dump(2);
    for (const json& stage : ml["stages"]) {
        EXPECT_EQ(stage["status"], "done") << stage.dump();
    }
    const json& metrics = round["metrics"];
    EXPECT_EQ(metrics["featurization"]["embedded"], 90) << metrics.dump();
    EXPECT_EQ(metrics["featurization"]["failed"], 0);
    EXPECT_EQ(metrics["training"]["labels"], 40);
    EXPECT_EQ(metrics["training"]["classes"], 2);
    EXPECT_EQ(metrics["validation"]["held_out"], 40);
    EXPECT_GE(metrics["validation"]["accuracy"].get<double>(), 0.95);
    ASSERT_TRUE(ml["threshold"].is_number()) << metrics["validation"].dump();
    const double threshold = ml["threshold"];
    EXPECT_GE(ml["prelabeled"].get<int>(), 40) << ml.dump(2);
    EXPECT_GT(ml["coverage"].get<double>(), 0.5);
    EXPECT_EQ(round["backbone"].get<std::string>().rfind("mobilenet_v2_140@", 0), 0u);

    // The next pages carry the model's prelabels (runs of nine alternate with the items it was
    // not sure of), with its answer and confidence; the labeler confirms the right ones, fixes
    // one on purpose, and labels the others.
    int checked = 0;
    int wrong = 0;
    int unchanged = 0;
    int manual_timed = 0;
    bool fixed_one = false;
    while (checked < 40) {
        auto page = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 4}}).Json();
        ASSERT_FALSE(page["items"].empty()) << "the queue ran out after " << checked;
        bool any_prelabel = false;
        for (const json& item : page["items"]) {
            std::string answer = ColourOf(item);
            if (item.contains("prelabel")) {
                any_prelabel = true;
                const json& prelabel = item["prelabel"];
                EXPECT_EQ(prelabel["source"], "model");
                EXPECT_EQ(prelabel["round"], round["id"]);
                // A model can be wrong; the target is 90 % and the colours are easy.
                wrong += prelabel["labels"] == json::array({ColourOf(item)}) ? 0 : 1;
                EXPECT_GE(prelabel["confidence"].get<double>(), threshold);
                if (!fixed_one) {
                    answer = ColourOf(item) == "Red" ? "Blue" : "Red";
                    fixed_one = true;
                }
                unchanged += prelabel["labels"] == json::array({answer}) ? 1 : 0;
                ++checked;
            } else {
                ++manual_timed;
            }
            // What the UI would measure: a prelabel takes 2 s to confirm, a manual item 5 s.
            const bool shown = item.contains("prelabel");
            auto put = admin.SendJson(
                "PUT",
                ProjectPath(id, "/items/" + std::to_string(item["id"].get<int>()) + "/annotation"),
                {{"lease", page["lease"]},
                 {"labels", {answer}},
                 {"effort", {{"active_ms", shown ? 2000 : 5000}, {"edits", shown ? 0 : 1}}}});
            ASSERT_EQ(put.status, 200u) << put.body;
        }
        if (any_prelabel) {
            EXPECT_EQ(page["kind"], "prelabeled") << page.dump();
        } else {  // the rest come in groups of similar images, but a last one may stand alone
            EXPECT_NE(page["kind"], "prelabeled") << page.dump();
        }
    }
    EXPECT_LE(wrong, 2) << "of " << checked << " prelabels";

    // Savings: the model's prelabels against the manual answers, as measured.
    const json savings = Ml(admin, id)["savings"];
    EXPECT_EQ(savings["model"]["answers"], checked) << savings.dump(2);
    EXPECT_EQ(savings["model"]["timed"], checked);
    EXPECT_DOUBLE_EQ(savings["model"]["seconds_per_item"].get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(savings["model"]["edits_per_item"].get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(savings["model"]["accepted_unchanged"].get<double>(),
                     static_cast<double>(unchanged) / checked);
    EXPECT_EQ(savings["manual"]["answers"], 40 + manual_timed);  // the first 40 sent no effort
    EXPECT_EQ(savings["manual"]["timed"], manual_timed);
    if (manual_timed > 0) {
        EXPECT_DOUBLE_EQ(savings["manual"]["seconds_per_item"].get<double>(), 5.0);
    }
    EXPECT_FALSE(savings["manual"].contains("accepted_unchanged"));
    EXPECT_EQ(savings["imported"]["answers"], 0);
    EXPECT_TRUE(savings["imported"]["seconds_per_item"].is_null());

    // A bad effort is refused, naming the field, and stores nothing.
    auto page = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}}).Json();
    ASSERT_EQ(page["items"].size(), 1u);
    const std::string item_path = ProjectPath(
        id, "/items/" + std::to_string(page["items"][0]["id"].get<int>()) + "/annotation");
    for (const json& effort : {json{{"active_ms", -1}}, json{{"edits", "many"}}, json(7),
                               json{{"active_ms", 86400001}}}) {
        auto bad = admin.SendJson(
            "PUT", item_path, {{"lease", page["lease"]}, {"labels", {"Red"}}, {"effort", effort}});
        EXPECT_EQ(bad.status, 400u) << effort.dump() << " " << bad.body;
        EXPECT_EQ(bad.Json()["error"]["field"].get<std::string>().rfind("effort", 0), 0u)
            << bad.body;
    }
    EXPECT_EQ(Ml(admin, id)["savings"], savings);
}

TEST_P(MlAssistIt, AModelAddedWhileTheServerRunsJoinsTheNextRound) {
    const std::int64_t id = StartColourProject(15);
    ASSERT_FALSE(HasFatalFailure());
    HttpClient admin = Admin();
    ASSERT_EQ(admin
                  .SendJson("PATCH", ProjectPath(id),
                            {{"ml_assist", {{"enabled", true}, {"min_labels_per_class", 500}}}})
                  .status,
              200u);
    for (int labeled = 0; labeled < 20;) {
        auto page = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 4}}).Json();
        ASSERT_FALSE(page["items"].empty());
        for (const json& item : page["items"]) {
            PutColour(admin, id, page, item);
            ++labeled;
        }
    }

    // `tessera model add` on the server's database while it runs: the default network again,
    // under a name of its own. Its last pooling is a fixed 7 x 7, so 64 x 64 is refused.
    std::vector<std::string> db_args = {"--data-dir", data_.string()};
    if (database_) {
        db_args.insert(db_args.end(), {"--db", database_->url()});
    }
    auto with_db = [&](std::vector<std::string> args) {
        args.insert(args.end(), db_args.begin(), db_args.end());
        return RunToExit(TESSERA_BINARY_PATH, args, {}, temp_.path(), "");
    };
    auto small =
        with_db({"model", "add", "mnv2_small", TESSERA_DEFAULT_BACKBONE_ONNX, "--input", "64x64"});
    EXPECT_EQ(small.status, 64);
    EXPECT_NE(small.err.find("the model does not run on 64 x 64 RGB images"), std::string::npos)
        << small.err;
    auto added = with_db({"model", "add", "mnv2_small", TESSERA_DEFAULT_BACKBONE_ONNX, "--input",
                          "224x224", "--mean", "0,0,0", "--std", "1,1,1"});
    ASSERT_EQ(added.status, 0) << added.err;
    EXPECT_EQ(added.out.rfind("added model mnv2_small  224x224  1792-d  sha256 ", 0), 0u)
        << added.out;
    auto duplicate = with_db({"model", "add", "mnv2_small", TESSERA_DEFAULT_BACKBONE_ONNX});
    EXPECT_EQ(duplicate.status, 65) << duplicate.err;
    const fs::path junk = temp_.path() / "junk.onnx";
    std::ofstream(junk) << "not a model";
    auto refused = with_db({"model", "add", "junk", junk.string()});
    EXPECT_EQ(refused.status, 64);
    EXPECT_NE(refused.err.find("OpenCV cannot load this ONNX model"), std::string::npos)
        << refused.err;
    auto listed = with_db({"model", "list"});
    ASSERT_EQ(listed.status, 0) << listed.err;
    EXPECT_EQ(listed.out.rfind("mnv2_small  224x224  1792-d", 0), 0u) << listed.out;

    ASSERT_EQ(admin.Send("POST", ProjectPath(id, "/ml/train")).status, 202u);
    const json ml = WaitForRound(admin, id);
    ASSERT_EQ(ml["last_round"]["state"], "done") << ml.dump(2);
    const json& training = ml["last_round"]["metrics"]["training"];
    std::vector<std::string> candidates;
    for (const json& c : training["feature_candidates"]) {
        candidates.push_back(c["features"]);
    }
    EXPECT_NE(std::find(candidates.begin(), candidates.end(), "mnv2_small"), candidates.end())
        << training.dump(2);

    auto removed = with_db({"model", "remove", "mnv2_small"});
    ASSERT_EQ(removed.status, 0) << removed.err;
    EXPECT_EQ(removed.out, "removed model mnv2_small and its 30 stored embeddings\n");
    EXPECT_EQ(with_db({"model", "remove", "mnv2_small"}).status, 66);
}

TEST_P(MlAssistIt, TaskTypesItDoesNotCoverAreRefusedWithTheReason) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    json body = ProjectBody("Masks", {"Road"}, "semantic");
    auto created = admin.SendJson("POST", "/api/v1/projects", body);
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::int64_t id = created.Json()["id"];
    WaitForIngest(admin, id);
    json ml = Ml(admin, id);
    EXPECT_EQ(ml["supported"], false);
    EXPECT_NE(ml["unsupported_reason"].get<std::string>().find("semantic"), std::string::npos);
    auto refused = admin.SendJson("PATCH", ProjectPath(id), {{"ml_assist", {{"enabled", true}}}});
    EXPECT_EQ(refused.status, 409u) << refused.body;
    EXPECT_EQ(Ml(admin, id)["settings"]["enabled"], false);
    EXPECT_EQ(admin.Get(ProjectPath(999999, "/ml")).status, 404u);

    // Multi-label, bounding-box and polygon projects are covered.
    for (const char* type : {"bbox", "polygon"}) {
        auto shapes = admin.SendJson("POST", "/api/v1/projects", ProjectBody(type, {"Cell"}, type));
        ASSERT_EQ(shapes.status, 201u) << shapes.body;
        const std::int64_t shapes_id = shapes.Json()["id"];
        EXPECT_EQ(Ml(admin, shapes_id)["supported"], true) << type;
        auto on =
            admin.SendJson("PATCH", ProjectPath(shapes_id), {{"ml_assist", {{"enabled", true}}}});
        EXPECT_EQ(on.status, 200u) << on.body;
    }
    auto tags =
        admin.SendJson("POST", "/api/v1/projects", ProjectBody("Tags", {"A", "B"}, "multilabel"));
    ASSERT_EQ(tags.status, 201u) << tags.body;
    const std::int64_t tags_id = tags.Json()["id"];
    EXPECT_EQ(Ml(admin, tags_id)["supported"], true);
    auto on = admin.SendJson("PATCH", ProjectPath(tags_id), {{"ml_assist", {{"enabled", true}}}});
    EXPECT_EQ(on.status, 200u) << on.body;
    EXPECT_EQ(Ml(admin, tags_id)["settings"]["enabled"], true);
}

TESSERA_INSTANTIATE_BACKENDS(MlAssistIt);

}  // namespace
}  // namespace tessera::testing
