#pragma once
// ML assist's records (issue 10; docs/design/ml.md): a project's settings, its training rounds
// and the embeddings a round caches per item and backbone.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/model.hpp"

namespace tessera {

struct MlSettings {
    bool enabled = false;
    // Prelabels must reach this precision on held-out human labels (judged with a lower
    // confidence bound), or nothing is prelabeled.
    double target_precision = 0.95;
    // The first round waits until every class has this many human labels (Azure waited for a
    // fixed 300 labels, whatever the classes).
    int min_labels_per_class = 5;
    // A later round is due once this many human labels arrived since the last one started.
    int retrain_after_labels = 200;
};

enum class MlRoundState { kQueued, kRunning, kDone, kFailed };

// The stages, in order, as Azure's dashboard showed them.
enum class MlStage { kFeaturization, kTraining, kValidation, kInference };
inline constexpr int kMlStageCount = 4;

struct MlRound {
    Id id = 0;
    Id project_id = 0;
    Id job_id = 0;
    MlRoundState state = MlRoundState::kQueued;
    // The stage running now, or the last one reached when the round ended.
    MlStage stage = MlStage::kFeaturization;
    std::string backbone;             // "<name>@<version>": which embeddings it used
    std::int64_t labels_used = 0;     // human labels of the project when the round started
    std::string metrics_json = "{}";  // per stage: durations, counts, accuracy, threshold
    std::optional<double> threshold;  // none: no confidence reached the target
    std::int64_t prelabeled = 0;      // items the inference prelabeled
    std::string message;              // why nothing was prelabeled, or the failure
    TimeMs created_at = 0;
    TimeMs started_at = 0;
    TimeMs finished_at = 0;
};

// One item's embedding under one backbone version: float16 values, little-endian bytes.
struct ItemEmbedding {
    Id item_id = 0;
    std::string vector;
};

// An ONNX backbone registered with `tessera model add`: what the ml module needs to run it
// (input size, normalisation, output width) and where it came from. The model's bytes travel
// apart (ListMlModels leaves them out; GetMlModelOnnx reads them).
struct MlModel {
    std::string name;    // [a-z0-9_.-], unique; its embeddings are keyed "<name>@<sha256 prefix>"
    std::string sha256;  // of the ONNX file, 64 lower-case hex digits
    int input_width = 0;
    int input_height = 0;
    std::array<double, 3> mean{0, 0, 0};  // per RGB channel, on [0,1]
    std::array<double, 3> std{1, 1, 1};
    int dimensions = 0;  // the embedding's width, measured when it was added
    std::string source;  // the file or URL it came from
    TimeMs created_at = 0;
};

// Queued or running: at most one round of a project is.
inline bool IsActive(MlRoundState state) {
    return state == MlRoundState::kQueued || state == MlRoundState::kRunning;
}

std::string_view MlRoundStateName(MlRoundState state);
std::optional<MlRoundState> ParseMlRoundState(std::string_view name);
std::string_view MlStageName(MlStage stage);
std::optional<MlStage> ParseMlStage(std::string_view name);

}  // namespace tessera
