#include "services/job_payload.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

Result<Id> ParseProjectId(std::string_view job_kind, const std::string& payload_json) {
    auto j = nlohmann::json::parse(payload_json, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("project_id") ||
        !j["project_id"].is_number_integer()) {
        return Error::InvalidArgument(std::string(job_kind) +
                                      " payload needs an integer project_id");
    }
    return j["project_id"].get<Id>();
}

}  // namespace tessera
