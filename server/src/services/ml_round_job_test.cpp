// The ML round job's stages and its retry (issue 10's "job retry after a killed worker"): a
// round stopped midway (a worker killed or shut down) is run again from the job row; the second
// run keeps what the first stored, embeds only what is left, and ends with the same prelabels
// as an uninterrupted round. With a fake backbone (mean colour), so the test is fast and exact.
#include "services/ml_round_job.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vips/vips8>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "domain/classification.hpp"
#include "services/labeling_service.hpp"
#include "services/ml_service.hpp"
#include "services/service_test_support.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Embeds an image as its mean red, green and blue, and remembers how many it embedded.
ml::BackboneSpec TestSpec(std::string name, int input_side, int dimensions) {
    ml::BackboneSpec spec;
    spec.name = std::move(name);
    spec.version = "1";
    spec.input_width = input_side;
    spec.input_height = input_side;
    spec.dimensions = dimensions;
    return spec;
}

class MeanColourBackbone final : public ml::Backbone {
public:
    const ml::BackboneSpec& Spec() const override { return spec_; }
    Result<std::vector<float>> Embed(std::span<const ml::RgbImage> batch) override {
        std::vector<float> out;
        for (const ml::RgbImage& image : batch) {
            std::array<double, 3> sum{};
            for (std::size_t i = 0; i < image.pixels.size(); ++i) {
                sum[i % 3] += image.pixels[i];
            }
            const double n = static_cast<double>(image.pixels.size()) / 3.0;
            for (const double s : sum) {
                out.push_back(static_cast<float>(s / n / 255.0));
            }
        }
        embedded += static_cast<int>(batch.size());
        return out;
    }
    int embedded = 0;

private:
    ml::BackboneSpec spec_ = TestSpec("mean_colour", 8, 3);
};

// Embeds every image as seeded noise: features that say nothing about the class.
class NoiseBackbone final : public ml::Backbone {
public:
    const ml::BackboneSpec& Spec() const override { return spec_; }
    Result<std::vector<float>> Embed(std::span<const ml::RgbImage> batch) override {
        std::vector<float> out;
        std::uniform_real_distribution<float> value(0.0F, 1.0F);
        for (std::size_t i = 0; i < batch.size() * 8; ++i) {
            out.push_back(value(random_));
        }
        embedded += static_cast<int>(batch.size());
        return out;
    }
    int embedded = 0;

private:
    ml::BackboneSpec spec_ = TestSpec("noise", 4, 8);
    std::mt19937 random_{7};
};

// Reports progress, and asks to stop once `stop_after` items are done (a worker going away).
class Context final : public JobContext {
public:
    explicit Context(std::int64_t stop_after = -1) : stop_after_(stop_after) {}
    void ReportProgress(std::int64_t done, std::int64_t) override { done_ = done; }
    bool StopRequested() const override { return stop_after_ >= 0 && done_ >= stop_after_; }

private:
    std::int64_t stop_after_;
    std::int64_t done_ = 0;
};

class MlRoundJobTest : public ::testing::Test {
protected:
    static constexpr int kPerColour = 30;

    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        User user;
        user.username = "owner";
        user.role = Role::kOwner;
        owner_ = *env_.repo->CreateUser(user);
        Populate(TaskType::kMulticlass, {"red", "blue"});
    }

    // The tags of an image of `colour`: purple is both red and blue (multi-label).
    static std::vector<std::string> TagsOf(const std::string& colour) {
        if (colour == "purple") {
            return {"Red", "Blue"};
        }
        return {colour == "red" ? "Red" : "Blue"};
    }
    static std::string ColourOf(const std::string& path) {
        return path.substr(0, path.find_first_of("0123456789"));
    }

    // A project (kept in project_) of kPerColour 16 × 16 images of each colour, in shades; the
    // first 20 of each colour are labeled (a final import: human labels for training).
    void Populate(TaskType type, const std::vector<std::string>& colours) {
        Project p;
        p.name = std::string("Colours ") + std::string(TaskTypeName(type));
        p.task_type = type;
        p.labels_json = R"(["Red","Blue"])";
        p.datasource = {"local", dir_.path().string(), "*.png"};
        p.created_by = owner_.id;
        p.status = ProjectStatus::kRunning;
        project_ = *env_.repo->CreateProject(p);
        std::vector<NewItem> items;
        for (const std::string& colour : colours) {
            for (int i = 0; i < kPerColour; ++i) {
                const std::string name = colour + std::to_string(i) + ".png";
                const double shade = 20.0 * (i % 5);
                const std::vector<double> rgb =
                    colour == "red"    ? std::vector<double>{180 + shade, 30, 40}
                    : colour == "blue" ? std::vector<double>{30, 50, 180 + shade}
                                       : std::vector<double>{150 + shade, 30, 160};
                (vips::VImage::black(16, 16, vips::VImage::option()->set("bands", 3)) + rgb)
                    .cast(VIPS_FORMAT_UCHAR)
                    .write_to_file((dir_.path() / name).c_str());
                items.push_back({name, 100, 16, 16, "png"});
            }
        }
        ASSERT_EQ(*env_.repo->InsertItems(project_.id, items, env_.clock.NowMs()),
                  static_cast<std::int64_t>(colours.size()) * kPerColour);
        ASSERT_TRUE(env_.repo->SetProjectStatus(project_.id, ProjectStatus::kRunning).ok());
        ImportRequest labels;
        labels.project_id = project_.id;
        labels.final = true;
        labels.now = env_.clock.NowMs();
        const std::vector<Item> all = *env_.repo->ListItems(project_.id, ItemFilter{});
        for (const Item& item : all) {
            const std::string colour = ColourOf(item.path);
            if (std::stoi(item.path.substr(colour.size())) < 20) {
                const std::vector<std::string> tags = TagsOf(colour);
                labels.annotations.push_back(
                    {item.id, ClassificationPayload(tags), tags, std::nullopt});
            }
        }
        ASSERT_TRUE(env_.repo->ApplyImport(labels).ok());
        ASSERT_TRUE(env_.repo->SetMlSettings(project_.id, {true, 0.9, 5, 200}).ok());
    }

    Job StartRound() {
        auto round = service_.TrainNow(owner_, project_.id);
        EXPECT_TRUE(round.ok()) << round.error().message;
        return *env_.repo->GetJob(round->job_id);
    }

    MlRound Latest() { return env_.repo->ListMlRounds(project_.id, 1)->front(); }

    std::map<Id, std::string> Prelabels() {
        std::vector<Id> ids;
        const std::vector<Item> items = *env_.repo->ListItems(project_.id, ItemFilter{});
        ids.reserve(items.size());
        for (const Item& item : items) {
            ids.push_back(item.id);
        }
        std::map<Id, std::string> out;
        const std::vector<Annotation> prelabels = *env_.repo->GetPrelabels(project_.id, ids);
        for (const Annotation& a : prelabels) {
            out[a.item_id] = a.payload_json;
        }
        return out;
    }

    testing::ServiceEnv env_;
    TempDir dir_;
    User owner_;
    Project project_;
    MeanColourBackbone backbone_;
    MlService service_{*env_.repo, env_.clock, "mean_colour@1"};
    MlRoundJob job_{*env_.repo, env_.clock, {{&backbone_, "mean_colour@1"}}, nullptr, {}};
};

TEST(InterleaveRunsTest, PrelabeledAndManualRunsAlternateUntilBothAreUsedUp) {
    const std::vector<Id> prelabeled{1, 2, 3, 4, 5};
    const std::vector<Id> manual{10, 11, 12};
    EXPECT_EQ(InterleaveRuns(prelabeled, manual, 2), (std::vector<Id>{1, 2, 10, 11, 3, 4, 12, 5}));
    EXPECT_EQ(InterleaveRuns(prelabeled, manual, 0), (std::vector<Id>{1, 2, 3, 4, 5, 10, 11, 12}));
    EXPECT_EQ(InterleaveRuns({}, manual, 9), manual);
    EXPECT_EQ(InterleaveRuns(prelabeled, {}, 9), prelabeled);
}

TEST_F(MlRoundJobTest, ARoundRunsItsStagesAndPrelabelsWhatHeldOutLabelsJustify) {
    Job job = StartRound();
    Context context;
    std::string error;
    ASSERT_EQ(job_.Run(job, context, error), JobOutcome::kDone) << error;
    const MlRound round = Latest();
    EXPECT_EQ(round.state, MlRoundState::kDone) << round.message;
    EXPECT_EQ(round.stage, MlStage::kInference);
    ASSERT_TRUE(round.threshold.has_value()) << round.metrics_json;
    EXPECT_EQ(round.prelabeled, 20);  // the 20 unlabeled items, all clearly one colour
    EXPECT_EQ(backbone_.embedded, 2 * kPerColour);
    const auto metrics = nlohmann::json::parse(round.metrics_json);
    EXPECT_EQ(metrics["validation"]["held_out"], 40);
    // Every label was given blind, a sample like the window: not weighed again.
    EXPECT_FALSE(metrics["validation"].contains("judged_for_window"));
    EXPECT_EQ(metrics["inference"]["window"], 20);
    for (const auto& [item_id, payload] : Prelabels()) {
        const Item item = *env_.repo->GetItem(project_.id, item_id);
        EXPECT_EQ(payload, ClassificationPayload({item.path.rfind("red", 0) == 0 ? "Red" : "Blue"}))
            << item.path;
    }
    // The prelabeled items lead the queue, one predicted class at a time.
    const auto window = *env_.repo->ListQueueWindow(project_.id, 100);
    ASSERT_EQ(window.size(), 20U);
    int changes = 0;
    for (std::size_t i = 1; i < window.size(); ++i) {
        changes += window[i].path.substr(0, 3) != window[i - 1].path.substr(0, 3) ? 1 : 0;
    }
    EXPECT_EQ(changes, 1);
}

TEST_F(MlRoundJobTest, LabelsConfirmedFromPrelabelsAreJudgedWeightedToStandForTheWindow) {
    Job first = StartRound();
    Context context;
    std::string error;
    ASSERT_EQ(job_.Run(first, context, error), JobOutcome::kDone) << error;
    // A labeler confirms the first 10 prelabels of the queue.
    ASSERT_EQ(Latest().prelabeled, 20) << Latest().message;
    const std::vector<Item> front = *env_.repo->ListQueueWindow(project_.id, 10);
    std::vector<Id> ids;
    ids.reserve(front.size());
    for (const Item& item : front) {
        ids.push_back(item.id);
    }
    ASSERT_EQ(env_.repo->GetPrelabels(project_.id, ids)->size(), 10U);
    ImportRequest confirmed;
    confirmed.project_id = project_.id;
    confirmed.final = true;
    confirmed.now = env_.clock.NowMs();
    for (const Item& item : front) {
        const std::vector<std::string> tags = TagsOf(ColourOf(item.path));
        confirmed.annotations.push_back({item.id, ClassificationPayload(tags), tags, std::nullopt});
    }
    ASSERT_TRUE(env_.repo->ApplyImport(confirmed).ok());

    // Weighted to stand for a window of one colour, only that colour's labels count: about 25
    // labels, whose lower bound cannot reach 90 %.
    ASSERT_TRUE(env_.repo->SetMlSettings(project_.id, {true, 0.8, 5, 200}).ok());
    Job second = StartRound();
    ASSERT_EQ(job_.Run(second, context, error), JobOutcome::kDone) << error;
    const MlRound round = Latest();
    ASSERT_NE(round.id, first.id);
    const auto validation = nlohmann::json::parse(round.metrics_json)["validation"];
    EXPECT_EQ(validation["held_out"], 40);  // the blind labels
    EXPECT_EQ(validation["labels_from_prelabels"], 10);
    EXPECT_EQ(validation["judged_for_window"], 50);  // all of them, weighted
    EXPECT_GT(validation["effective_for_window"].get<double>(), 0);
    EXPECT_LE(validation["effective_for_window"].get<double>(), 50);
    EXPECT_LT(validation["effective_for_window"].get<double>(), 40);
    EXPECT_EQ(round.prelabeled, 10) << round.metrics_json;  // the 10 still unlabeled
}

TEST_F(MlRoundJobTest, ValidationChoosesTheFeaturesThatTellTheClassesApart) {
    NoiseBackbone noise;
    MlRoundJob job(*env_.repo, env_.clock, {{&noise, "noise@1"}, {&backbone_, "mean_colour@1"}},
                   nullptr, {});
    Job queued = StartRound();
    Context context;
    std::string error;
    ASSERT_EQ(job.Run(queued, context, error), JobOutcome::kDone) << error;
    const MlRound round = Latest();
    EXPECT_EQ(round.state, MlRoundState::kDone) << round.message;
    EXPECT_EQ(round.backbone, "mean_colour@1");
    EXPECT_EQ(round.prelabeled, 20);
    // Each image decoded once, embedded by both.
    EXPECT_EQ(noise.embedded, 2 * kPerColour);
    EXPECT_EQ(backbone_.embedded, 2 * kPerColour);
    const auto training = nlohmann::json::parse(round.metrics_json)["training"];
    EXPECT_EQ(training["features"], "mean_colour");
    ASSERT_EQ(training["feature_candidates"].size(), 3U);
    EXPECT_EQ(training["feature_candidates"][0]["features"], "noise");
    EXPECT_EQ(training["feature_candidates"][1]["features"], "mean_colour");
    EXPECT_EQ(training["feature_candidates"][2]["features"], "noise+mean_colour");
    EXPECT_LT(training["feature_candidates"][0]["accuracy"].get<double>(), 0.8);
    EXPECT_EQ(training["feature_candidates"][1]["accuracy"], 1.0);
}

TEST_F(MlRoundJobTest, AMultiLabelRoundPrelabelsWholeSetsOfTags) {
    Populate(TaskType::kMultilabel, {"red", "blue", "purple"});
    Job job = StartRound();
    Context context;
    std::string error;
    ASSERT_EQ(job_.Run(job, context, error), JobOutcome::kDone) << error;
    const MlRound round = Latest();
    EXPECT_EQ(round.state, MlRoundState::kDone) << round.message;
    ASSERT_TRUE(round.threshold.has_value()) << round.metrics_json;
    EXPECT_EQ(round.prelabeled, 30);  // the 10 unlabeled items of each colour
    const auto validation = nlohmann::json::parse(round.metrics_json)["validation"];
    EXPECT_EQ(validation["held_out"], 60);
    EXPECT_EQ(validation["judged_as"], "whole sets");
    EXPECT_FALSE(validation.contains("judged_for_window"));  // every label was given blind
    const auto prelabels = Prelabels();
    ASSERT_EQ(prelabels.size(), 30U);
    for (const auto& [item_id, payload] : prelabels) {
        const Item item = *env_.repo->GetItem(project_.id, item_id);
        std::vector<std::string> tags = TagsOf(ColourOf(item.path));
        std::vector<std::string> given = *ParseClassificationPayload(payload);
        std::sort(tags.begin(), tags.end());
        std::sort(given.begin(), given.end());
        EXPECT_EQ(given, tags) << item.path;
    }
}

TEST_F(MlRoundJobTest, AStoppedRoundResumesWithoutEmbeddingAnythingTwice) {
    Job job = StartRound();
    Context stopping(16);  // goes away after the first batch of 16 images
    std::string error;
    ASSERT_EQ(job_.Run(job, stopping, error), JobOutcome::kInterrupted) << error;
    EXPECT_EQ(Latest().state, MlRoundState::kRunning);
    EXPECT_EQ(Latest().stage, MlStage::kFeaturization);
    EXPECT_EQ(backbone_.embedded, 16);
    EXPECT_TRUE(Prelabels().empty());

    // Another worker reclaims the job (its heartbeat went stale) and runs it again.
    Context context;
    ASSERT_EQ(job_.Run(job, context, error), JobOutcome::kDone) << error;
    const MlRound round = Latest();
    EXPECT_EQ(round.state, MlRoundState::kDone);
    EXPECT_EQ(backbone_.embedded, 2 * kPerColour) << "an image was embedded twice";
    const auto metrics = nlohmann::json::parse(round.metrics_json);
    EXPECT_EQ(metrics["featurization"]["cached"], 16);
    EXPECT_EQ(metrics["featurization"]["embedded"], 2 * kPerColour - 16);
    EXPECT_EQ(Prelabels().size(), 20U);

    // A third run of the same job (reclaimed once more after it finished) changes nothing.
    const auto before = Prelabels();
    ASSERT_EQ(job_.Run(job, context, error), JobOutcome::kDone) << error;
    EXPECT_EQ(Prelabels(), before);
    EXPECT_EQ(env_.repo->ListMlRounds(project_.id, 10)->size(), 1U);
    EXPECT_EQ(backbone_.embedded, 2 * kPerColour);
}

TEST_F(MlRoundJobTest, TooFewLabelsEndTheRoundWithoutPrelabelsAndSayWhy) {
    ASSERT_TRUE(env_.repo->SetMlSettings(project_.id, {true, 0.99, 5, 200}).ok());
    Job job = StartRound();
    Context context;
    std::string error;
    ASSERT_EQ(job_.Run(job, context, error), JobOutcome::kDone) << error;
    const MlRound round = Latest();
    EXPECT_EQ(round.state, MlRoundState::kDone);
    EXPECT_FALSE(round.threshold.has_value());
    EXPECT_EQ(round.prelabeled, 0);
    EXPECT_EQ(round.message.rfind("no prelabels: ", 0), 0U) << round.message;
    EXPECT_TRUE(Prelabels().empty());
}

TEST_F(MlRoundJobTest, ItemsWithoutPrelabelsComeInGroupsOfSimilarImages) {
    // No threshold (target 99 %): the 20 unlabeled items, 10 red and 10 blue, are all manual.
    ASSERT_TRUE(env_.repo->SetMlSettings(project_.id, {true, 0.99, 5, 200}).ok());
    Job job = StartRound();
    Context context;
    std::string error;
    ASSERT_EQ(job_.Run(job, context, error), JobOutcome::kDone) << error;
    EXPECT_EQ(Latest().prelabeled, 0);
    // Queue order: runs of one colour, at most nine an image group.
    const auto window = *env_.repo->ListQueueWindow(project_.id, 100);
    ASSERT_EQ(window.size(), 20U);
    std::vector<Id> ids;
    ids.reserve(window.size());
    for (const Item& item : window) {
        ids.push_back(item.id);
    }
    const auto groups = *env_.repo->GetItemGroups(project_.id, ids);
    EXPECT_GE(groups.size(), 18U);  // nine of each colour at least
    std::map<std::int64_t, std::set<std::string>> colours_of_group;
    for (const Item& item : window) {
        auto it = groups.find(item.id);
        if (it != groups.end()) {
            colours_of_group[it->second].insert(ColourOf(item.path));
        }
    }
    std::map<std::int64_t, int> size_of_group;
    for (const auto& [item_id, group] : groups) {
        ++size_of_group[group];
    }
    for (const auto& [group, colours] : colours_of_group) {
        // The last two left over may be one of each colour; a full group is one colour.
        if (size_of_group[group] > 2) {
            EXPECT_EQ(colours.size(), 1U) << "group " << group << " mixes colours";
        }
    }
    const auto metrics = nlohmann::json::parse(Latest().metrics_json);
    EXPECT_GE(metrics["inference"]["groups"].get<int>(), 2);
    // A labeler's next page is one group's: "clustered".
    LabelingService labeling(*env_.repo, env_.clock, env_.random, LabelingSettings{});
    auto page = labeling.Next(owner_, project_.id, 4);
    ASSERT_TRUE(page.ok()) << page.error().message;
    ASSERT_EQ(page->items.size(), 4U);
    EXPECT_EQ(page->kind, PageKind::kClustered);
    std::set<std::string> colours;
    for (const Item& item : page->items) {
        colours.insert(ColourOf(item.path));
    }
    EXPECT_EQ(colours.size(), 1U);
}

TEST_F(MlRoundJobTest, TheServiceStartsOneRoundAtATimeAndOnlyWhenDue) {
    EXPECT_EQ(*service_.StartDueRounds(), 1);  // every class has 20 >= 5 labels
    EXPECT_EQ(*service_.StartDueRounds(), 0);  // one is queued
    EXPECT_EQ(service_.TrainNow(owner_, project_.id).error().code, ErrorCode::kConflict);
    User labeler = owner_;
    labeler.role = Role::kLabeler;
    EXPECT_EQ(service_.TrainNow(labeler, project_.id).error().code, ErrorCode::kPermissionDenied);
    Job job = *env_.repo->GetJob(Latest().job_id);
    Context context;
    std::string error;
    ASSERT_EQ(job_.Run(job, context, error), JobOutcome::kDone) << error;
    // Done, and no new labels since: not due again.
    EXPECT_EQ(*service_.StartDueRounds(), 0);
    auto view = service_.Get(owner_, project_.id);
    ASSERT_TRUE(view.ok());
    EXPECT_FALSE(view->next.due);
    EXPECT_EQ(view->next.reason, "after 200 more labels (0 since the last round)");
    EXPECT_EQ(service_.UpdateSettings(owner_, project_.id, {{}, 1.5, {}, {}}).error().field,
              "ml_assist.target_precision");
}

TEST_F(MlRoundJobTest, ManyLabelsTrainOnASampleThatStaysTheSameFromRoundToRound) {
    MlRoundSettings settings;
    settings.max_training_labels = 30;
    MlRoundJob capped(*env_.repo, env_.clock, {{&backbone_, "mean_colour@1"}}, nullptr, settings);
    Context context;
    std::string error;
    Job job = StartRound();
    ASSERT_EQ(capped.Run(job, context, error), JobOutcome::kDone) << error;
    auto metrics = nlohmann::json::parse(Latest().metrics_json);
    EXPECT_EQ(metrics["training"]["labels"], 30);
    EXPECT_EQ(metrics["training"]["labels_available"], 40);
    // 30 sampled labels and the 20 unlabeled items: the other 10 labeled ones are not needed.
    EXPECT_EQ(backbone_.embedded, 50);
    job = StartRound();
    ASSERT_EQ(capped.Run(job, context, error), JobOutcome::kDone) << error;
    metrics = nlohmann::json::parse(Latest().metrics_json);
    EXPECT_EQ(metrics["featurization"]["cached"], 50) << "the second round sampled other items";
    EXPECT_EQ(backbone_.embedded, 50);
}

}  // namespace
}  // namespace tessera
