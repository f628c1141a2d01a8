#include "domain/ml.hpp"

#include <array>

namespace tessera {

namespace {
constexpr std::array<std::string_view, 4> kRoundStates{"queued", "running", "done", "failed"};
constexpr std::array<std::string_view, kMlStageCount> kStages{"featurization", "training",
                                                              "validation", "inference"};
}  // namespace

std::string_view MlRoundStateName(MlRoundState state) {
    return kRoundStates.at(static_cast<std::size_t>(state));
}

std::optional<MlRoundState> ParseMlRoundState(std::string_view name) {
    for (std::size_t i = 0; i < kRoundStates.size(); ++i) {
        if (kRoundStates[i] == name) {
            return static_cast<MlRoundState>(i);
        }
    }
    return std::nullopt;
}

std::string_view MlStageName(MlStage stage) {
    return kStages.at(static_cast<std::size_t>(stage));
}

std::optional<MlStage> ParseMlStage(std::string_view name) {
    for (std::size_t i = 0; i < kStages.size(); ++i) {
        if (kStages[i] == name) {
            return static_cast<MlStage>(i);
        }
    }
    return std::nullopt;
}

}  // namespace tessera
