#pragma once
// The payload every project-wide job carries: {"project_id": N}. One reader, so that each job
// kind rejects a malformed payload the same way.
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "domain/model.hpp"

namespace tessera {

// The project id of a job payload; kInvalidArgument "<job_kind> payload needs an integer
// project_id" when the payload is not JSON, not an object, or lacks an integer project_id.
Result<Id> ParseProjectId(std::string_view job_kind, const std::string& payload_json);

}  // namespace tessera
