#pragma once
// `tessera model add|list|remove` (issue 10, point 3): backbones for ML assist beyond the
// built-in ones (services/ml_models.hpp).
#include <array>
#include <iosfwd>
#include <string>
#include <utility>

#include "app/config.hpp"
#include "base/result.hpp"

namespace tessera::app {

// The settings of `model add` as typed: "224x224", "0.485,0.456,0.406". kInvalidArgument naming
// the flag otherwise.
Result<std::pair<int, int>> ParseInputSize(const std::string& text);
Result<std::array<double, 3>> ParseTriple(const std::string& text, const std::string& flag);

// positional: {"add", NAME, FILE|URL}, {"list"} or {"remove", NAME}.
Status RunModelCommand(const Config& config, const CliOptions& options, std::ostream& out);

}  // namespace tessera::app
