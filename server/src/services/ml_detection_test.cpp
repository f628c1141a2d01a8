// ML assist for bounding-box and polygon projects (issue 10, point 7): a round trains the box
// detector on the project's own boxes, chooses thresholds on held-out images and prelabels the
// front of the queue with boxes (polygon projects: outlines inside them). With a fake backbone
// whose map holds each 16-pixel cell's mean colour and its neighbours', on images of coloured
// squares, so the test is fast and the right answer is known.
#include <gtest/gtest.h>

#include <array>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vips/vips8>

#include "blobs/vips_init.hpp"
#include "domain/shapes.hpp"
#include "services/ml_round_job.hpp"
#include "services/ml_service.hpp"
#include "services/service_test_support.hpp"
#include "support/temp_dir.hpp"

namespace tessera {
namespace {

using testing::TempDir;

constexpr int kSide = 128;  // images are kSide x kSide; the map has a cell per 16 pixels
constexpr int kSquare = 48;

// A map with a cell per 16 x 16 pixels.
class CellColourBackbone final : public ml::Backbone {
public:
    CellColourBackbone() {
        spec_.name = "cell_colour";
        spec_.version = "1";
        spec_.input_width = kSide;  // the smallest image it maps, as a CNN's pooling needs
        spec_.input_height = kSide;
        spec_.dimensions = 3;
    }
    const ml::BackboneSpec& Spec() const override { return spec_; }
    Result<std::vector<float>> Embed(std::span<const ml::RgbImage> batch) override {
        return std::vector<float>(batch.size() * 3, 0.5F);
    }
    // Like a CNN's cell, it sees past its own pixels: its own mean colour and those of the
    // four cells around it (its own again at the image's edge), so where in an object a cell
    // lies shows in its features.
    Result<ml::FeatureMap> Map(const ml::RgbImage& image) override {
        if (image.width < spec_.input_width || image.height < spec_.input_height) {
            return Error::InvalidArgument("smaller than the backbone's input");
        }
        const int w = image.width / 16;
        const int h = image.height / 16;
        const auto width = static_cast<std::size_t>(image.width);
        std::vector<float> mean(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3,
                                0.0F);
        for (std::size_t y = 0; y < static_cast<std::size_t>(h) * 16; ++y) {
            for (std::size_t x = 0; x < static_cast<std::size_t>(w) * 16; ++x) {
                const std::size_t cell = (y / 16) * static_cast<std::size_t>(w) + x / 16;
                for (std::size_t c = 0; c < 3; ++c) {
                    mean[cell * 3 + c] +=
                        static_cast<float>(image.pixels[(y * width + x) * 3 + c]) /
                        (255.0F * 256.0F);
                }
            }
        }
        ml::FeatureMap map;
        map.channels = 15;
        map.width = w;
        map.height = h;
        constexpr std::array<std::pair<int, int>, 5> kAround{
            {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}}};
        for (int r = 0; r < h; ++r) {
            for (int c = 0; c < w; ++c) {
                for (const auto& [dr, dc] : kAround) {
                    const bool inside = r + dr >= 0 && r + dr < h && c + dc >= 0 && c + dc < w;
                    const std::ptrdiff_t at = inside ? (r + dr) * w + c + dc : r * w + c;
                    map.values.insert(map.values.end(), mean.begin() + at * 3,
                                      mean.begin() + at * 3 + 3);
                }
            }
        }
        ++maps;
        return map;
    }
    int maps = 0;

private:
    ml::BackboneSpec spec_;
};

class QuietContext final : public JobContext {
public:
    void ReportProgress(std::int64_t, std::int64_t) override {}
    bool StopRequested() const override { return false; }
};

struct Square {
    std::string label;  // "Red" or "Blue"
    int x = 0;
    int y = 0;
};

class MlDetectionTest : public ::testing::TestWithParam<TaskType> {
protected:
    static constexpr int kLabeled = 60;
    static constexpr int kUnlabeled = 12;

    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        User user;
        user.username = "owner";
        user.role = Role::kOwner;
        owner_ = *env_.repo->CreateUser(user);
        Project p;
        p.name = "Squares";
        p.task_type = GetParam();
        p.labels_json = R"(["Red","Blue"])";
        p.datasource = {"local", dir_.path().string(), "*.png"};
        p.created_by = owner_.id;
        p.status = ProjectStatus::kRunning;
        project_ = *env_.repo->CreateProject(p);
        // Two squares an image, on a 16-pixel grid, apart; seeded.
        std::mt19937 random(11);
        std::uniform_int_distribution<int> cell(0, (kSide - kSquare) / 16);
        std::vector<NewItem> items;
        for (int i = 0; i < kLabeled + kUnlabeled; ++i) {
            const std::string name = "img" + std::to_string(100 + i) + ".png";
            std::vector<Square> squares;
            while (squares.size() < 2) {
                const Square s{squares.empty() == (i % 2 == 0) ? "Red" : "Blue", 16 * cell(random),
                               16 * cell(random)};
                const bool apart = squares.empty() || std::abs(s.x - squares[0].x) >= kSquare ||
                                   std::abs(s.y - squares[0].y) >= kSquare;
                if (apart) {
                    squares.push_back(s);
                }
            }
            vips::VImage image =
                vips::VImage::black(kSide, kSide, vips::VImage::option()->set("bands", 3)) + 120;
            for (const Square& s : squares) {
                const std::vector<double> rgb = s.label == "Red" ? std::vector<double>{210, 30, 30}
                                                                 : std::vector<double>{30, 40, 200};
                image = image.insert(
                    vips::VImage::black(kSquare, kSquare, vips::VImage::option()->set("bands", 3)) +
                        rgb,
                    s.x, s.y);
            }
            image.cast(VIPS_FORMAT_UCHAR).write_to_file((dir_.path() / name).c_str());
            items.push_back({name, 100, kSide, kSide, "png"});
            squares_[name] = squares;
        }
        ASSERT_EQ(*env_.repo->InsertItems(project_.id, items, env_.clock.NowMs()),
                  kLabeled + kUnlabeled);
        ImportRequest labels;
        labels.project_id = project_.id;
        labels.final = true;
        labels.now = env_.clock.NowMs();
        const std::vector<Item> all = *env_.repo->ListItems(project_.id, ItemFilter{});
        for (const Item& item : all) {
            if (std::stoi(item.path.substr(3)) - 100 >= kLabeled) {
                continue;
            }
            std::vector<Shape> shapes;
            std::vector<std::string> counted;
            for (const Square& s : squares_[item.path]) {
                const Box box{double(s.x), double(s.y), double(kSquare), double(kSquare)};
                shapes.push_back({s.label,
                                  GetParam() == TaskType::kBbox
                                      ? std::variant<Box, Polygon, MaskRle>(box)
                                      : Polygon{{Ring{{box.x, box.y},
                                                      {box.x + box.w, box.y},
                                                      {box.x + box.w, box.y + box.h},
                                                      {box.x, box.y + box.h}}}},
                                  std::nullopt,
                                  {}});
                counted.push_back(s.label);
            }
            labels.annotations.push_back({item.id,
                                          nlohmann::json{{"shapes", ShapesToJson(shapes)}}.dump(),
                                          counted, std::nullopt});
        }
        ASSERT_TRUE(env_.repo->ApplyImport(labels).ok());
        ASSERT_TRUE(env_.repo->SetMlSettings(project_.id, {true, 0.9, 5, 200}).ok());
    }

    // Starts a round with "train now", runs its job to the end with `job` and reads it back.
    void RunRound(MlRoundJob& job, MlRound& done) {
        auto round = service_.TrainNow(owner_, project_.id);
        ASSERT_TRUE(round.ok()) << round.error().message;
        QuietContext context;
        std::string error;
        ASSERT_EQ(job.Run(*env_.repo->GetJob(round->job_id), context, error), JobOutcome::kDone)
            << error;
        done = env_.repo->ListMlRounds(project_.id, 1)->front();
    }

    testing::ServiceEnv env_;
    TempDir dir_;
    User owner_;
    Project project_;
    std::map<std::string, std::vector<Square>> squares_;
    CellColourBackbone backbone_;
    MlService service_{*env_.repo, env_.clock, "cell_colour@1"};
    MlRoundSettings settings_ = [] {
        MlRoundSettings s;
        s.detection.side = kSide;
        return s;
    }();
    MlRoundJob job_{*env_.repo, env_.clock, {{&backbone_, "cell_colour@1"}}, nullptr, settings_};
};

TEST_P(MlDetectionTest, ARoundPrelabelsTheSquaresOfUnlabeledImages) {
    MlRound done;
    ASSERT_NO_FATAL_FAILURE(RunRound(job_, done));
    EXPECT_EQ(done.state, MlRoundState::kDone) << done.message;
    const auto metrics = nlohmann::json::parse(done.metrics_json);
    ASSERT_TRUE(done.threshold.has_value()) << done.metrics_json;
    EXPECT_EQ(metrics["training"]["labels"], kLabeled);
    EXPECT_EQ(metrics["training"]["boxes"], 2 * kLabeled);
    EXPECT_EQ(metrics["validation"]["held_out"], kLabeled);  // all labeled blind
    EXPECT_GE(metrics["validation"]["precision"].get<double>(), 0.9);
    EXPECT_EQ(metrics["inference"]["window"], kUnlabeled);
    EXPECT_EQ(done.prelabeled, kUnlabeled) << done.metrics_json;
    EXPECT_EQ(backbone_.maps, kLabeled + kUnlabeled + 1);  // + the probe for a map

    std::vector<Id> ids;
    const std::vector<Item> all = *env_.repo->ListItems(project_.id, ItemFilter{});
    ids.reserve(all.size());
    for (const Item& item : all) {
        ids.push_back(item.id);
    }
    int right = 0;
    int shown = 0;
    const std::vector<Annotation> prelabels = *env_.repo->GetPrelabels(project_.id, ids);
    for (const Annotation& a : prelabels) {
        EXPECT_EQ(a.ml_round_id, done.id);
        const Item item = *env_.repo->GetItem(project_.id, a.item_id);
        auto shapes = ShapesFromJson(nlohmann::json::parse(a.payload_json)["shapes"]);
        ASSERT_TRUE(shapes.ok()) << a.payload_json;
        for (const Shape& shape : *shapes) {
            ++shown;
            ASSERT_TRUE(shape.confidence.has_value());
            // The shape's bounding box against the square of its colour.
            ml::NormBox got;
            if (const auto* box = std::get_if<Box>(&shape.geometry)) {
                ASSERT_EQ(GetParam(), TaskType::kBbox);
                got = {box->x, box->y, box->w, box->h};
            } else {
                const auto* polygon = std::get_if<Polygon>(&shape.geometry);
                ASSERT_NE(polygon, nullptr);
                ASSERT_EQ(GetParam(), TaskType::kPolygon);
                double x0 = kSide, y0 = kSide, x1 = 0, y1 = 0;
                for (const ImagePoint& p : polygon->rings.at(0)) {
                    x0 = std::min(x0, p.x);
                    y0 = std::min(y0, p.y);
                    x1 = std::max(x1, p.x);
                    y1 = std::max(y1, p.y);
                }
                got = {x0, y0, x1 - x0, y1 - y0};
            }
            for (const Square& s : squares_[item.path]) {
                const ml::NormBox want{double(s.x), double(s.y), double(kSquare), double(kSquare)};
                right += (s.label == shape.label && ml::Iou(got, want) >= 0.5) ? 1 : 0;
            }
        }
    }
    EXPECT_GE(shown, kUnlabeled);
    EXPECT_GE(right, static_cast<int>(0.9 * shown)) << right << " of " << shown;
}

TEST_P(MlDetectionTest, ImagesAreNeverMappedBelowTheBackbonesInputSize) {
    // Asked for maps 64 pixels across, the round feeds the backbone its own 128 instead (the
    // default CNN cannot pool a smaller map), and the round works as before.
    MlRoundSettings small = settings_;
    small.detection.side = 64;
    MlRoundJob job{*env_.repo, env_.clock, {{&backbone_, "cell_colour@1"}}, nullptr, small};
    MlRound done;
    ASSERT_NO_FATAL_FAILURE(RunRound(job, done));
    EXPECT_EQ(done.state, MlRoundState::kDone) << done.message;
    EXPECT_EQ(nlohmann::json::parse(done.metrics_json)["featurization"]["map"],
              nlohmann::json::array({8, 8, 15}));
    EXPECT_EQ(done.prelabeled, kUnlabeled) << done.metrics_json;
}

TEST_P(MlDetectionTest, TooFewLabeledImagesEndTheRoundWithTheReason) {
    // A detector needs twice as many labeled images as folds: with 60 folds the 60 labeled
    // images are too few, and the round ends saying so, with no prelabels.
    MlRoundSettings few = settings_;
    few.detection.folds = kLabeled;  // needs 2 x 60 labeled images
    MlRoundJob job{*env_.repo, env_.clock, {{&backbone_, "cell_colour@1"}}, nullptr, few};
    MlRound done;
    ASSERT_NO_FATAL_FAILURE(RunRound(job, done));
    EXPECT_EQ(done.state, MlRoundState::kDone);
    EXPECT_NE(done.message.find("at least 120 labeled images"), std::string::npos) << done.message;
    EXPECT_EQ(done.prelabeled, 0);
}

INSTANTIATE_TEST_SUITE_P(Shapes, MlDetectionTest,
                         ::testing::Values(TaskType::kBbox, TaskType::kPolygon),
                         [](const auto& info) { return std::string(TaskTypeName(info.param)); });

}  // namespace
}  // namespace tessera
