#pragma once
// JSON of ML assist (docs/api.md, "ML assist"): the "ml_assist" member of PATCH
// /api/v1/projects/{id}, GET /api/v1/projects/{id}/ml, and the prelabels `next` carries.
#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "domain/ml.hpp"
#include "services/ml_service.hpp"

namespace tessera::http {

// kInvalidArgument naming the member ("ml_assist.enabled") for anything but an object of the
// known settings with the right types.
Result<MlSettingsChange> MlChangeFromJson(const nlohmann::json& ml_assist);
nlohmann::json MlSettingsToJson(const MlSettings& settings);
nlohmann::json MlRoundToJson(const MlRound& round);
// The settings, the latest round's stages as the dashboard shows them (featurization, training,
// validation, inference: each pending, running, done, failed or skipped, with its metrics), the
// last finished round's threshold and coverage, when the next round is due, and the last rounds.
nlohmann::json MlViewToJson(const MlView& view);
// A prelabel as `next` shows it: the payload's members ("labels" or "shapes"), its confidence,
// and "source": "model" with its round, or "import".
nlohmann::json PrelabelToJson(const Annotation& prelabel);

}  // namespace tessera::http
